// Errors shared by every layer. BadInputError is the one users see for bad config, graph or CLI input:
// it names the file, the key and what is wrong (and what would be right); the CLI maps it to exit code 2.

export class BadInputError extends Error {
  readonly file?: string;
  readonly key?: string;
  readonly problem: string;

  constructor(problem: string, opts: { file?: string; key?: string } = {}) {
    const where = [opts.file, opts.key ? `key '${opts.key}'` : undefined].filter(Boolean).join(': ');
    super(where ? `${where}: ${problem}` : problem);
    this.name = 'BadInputError';
    this.file = opts.file;
    this.key = opts.key;
    this.problem = problem;
  }
}

export function isBadInput(err: unknown): err is BadInputError {
  return err instanceof Error && err.name === 'BadInputError';
}
