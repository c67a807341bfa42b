// Errors of opening the store that the user must fix (a database that cannot be reached or refuses the login), and
// the one way a database URL is shown in messages: with its password hidden.

/**
 * The store's database cannot be reached or refuses the credentials. The CLI maps it to one line and exit code 2
 * (client/exit.ts); a worker retries later (activities/storeHandle.ts opens again on the next use).
 */
export class StoreUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnreachableError';
  }
}

/** A database URL with its password (if any) replaced by ***, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
