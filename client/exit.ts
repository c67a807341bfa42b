// Maps errors to what the user sees: one clear line and exit code 2 for bad input or an unreachable server,
// a stack trace only with TBPS_DEBUG=1.
import { isBadInput } from '../core/errors.js';

export const EXIT_BAD_INPUT = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function exitCodeFor(err: unknown): number {
  if (isBadInput(err)) return EXIT_BAD_INPUT;
  if (err instanceof Error && (err.name === 'UnreachableServerError' || err.name === 'StoreUnreachableError' || err.name === 'UsageError' || err.name === 'ConnectionSettingsError')) return EXIT_BAD_INPUT;
  return 1;
}

export async function runAction(fn: () => Promise<number | void>): Promise<never> {
  let code = 0;
  try {
    code = (await fn()) ?? 0;
  } catch (err) {
    code = exitCodeFor(err);
    const msg = err instanceof Error ? err.message : String(err);
    // bad input is always one line: a message that spans lines (a parser's code frame) is joined
    process.stderr.write(`tbps: error: ${code === EXIT_BAD_INPUT ? oneLine(msg) : msg}\n`);
    if (process.env.TBPS_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  }
  process.exit(code);
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}
