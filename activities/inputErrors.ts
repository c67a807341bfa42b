// Bounded failure for activities that read a run's inputs: bad input (BadInputError from core, an input file that is
// missing or unreadable, a saved config whose hash changed) fails the activity non-retryably with the message
// naming the file, whatever the caller's retry policy; Temporal would otherwise retry it without end.
import { ApplicationFailure } from '@temporalio/activity';
import { isBadInput } from '../core/errors.js';

/** errno codes of a file that is not there or not readable: retrying cannot help. */
const INPUT_FILE_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'ELOOP', 'ENAMETOOLONG']);

export function isInputFileError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return err instanceof Error && typeof code === 'string' && INPUT_FILE_CODES.has(code) && typeof (err as NodeJS.ErrnoException).path === 'string';
}

/** Runs an activity body; bad input becomes a non-retryable failure of type BadInputError. */
export async function failOnBadInput<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (isBadInput(err) || isInputFileError(err)) throw ApplicationFailure.nonRetryable((err as Error).message, 'BadInputError');
    throw err;
  }
}
