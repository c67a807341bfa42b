// Errors of the data layer: bad input from a caller (an unknown run, job, label or site, a bad filter, a page out of
// range). Both are BadInputError, so the CLI exits 2; the dashboard answers 404 for NotFoundError, 400 otherwise.
import { BadInputError } from '../../core/errors.js';

export class NotFoundError extends BadInputError {
  readonly status = 404;
}

export function notFound(what: string, name: string, hint: string): NotFoundError {
  return new NotFoundError(`no ${what} '${name}'; ${hint}`);
}

export function badFilter(key: string, problem: string): BadInputError {
  return new BadInputError(problem, { key });
}

/** An operator action that does not apply now (the campaign is not running, already paused, ...). */
export function refused(problem: string): BadInputError {
  return new BadInputError(problem);
}

export function httpStatusOf(err: unknown): number {
  if (err instanceof NotFoundError) return 404;
  if (err instanceof Error && err.name === 'BadInputError') return 400;
  return 500;
}
