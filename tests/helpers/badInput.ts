// The BadInputError a call throws (the test fails when it throws something else or nothing), for asserting on the
// file, key and message of a refusal.
import { expect } from 'vitest';
import { BadInputError } from '../../core/errors.js';

export function badInput(fn: () => unknown): BadInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BadInputError);
    return err as BadInputError;
  }
  throw new Error('expected a BadInputError');
}
