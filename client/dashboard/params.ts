// Query parameters of pages and API calls, checked at the edge: one value per key, bounded length, no control
// characters, whole numbers where numbers are meant. Anything else is bad input (400) naming the parameter.
import { BadInputError } from '../../core/errors.js';

export type Query = Record<string, unknown>;

const MAX_LEN = 500;

export function textParam(q: Query, key: string): string | undefined {
  const v = q[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new BadInputError('give this parameter once', { key });
  if (v.length > MAX_LEN) throw new BadInputError(`longer than ${MAX_LEN} characters`, { key });
  if (/[\u0000-\u001f\u007f]/.test(v)) throw new BadInputError('control characters are not allowed', { key });
  return v;
}

export function intParam(q: Query, key: string, o: { min: number; max?: number }): number | undefined {
  const v = textParam(q, key);
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new BadInputError(`expected a whole number, got '${v}'`, { key });
  const n = Number(v);
  if (n < o.min || (o.max !== undefined && n > o.max)) throw new BadInputError(`expected ${o.max !== undefined ? `${o.min} to ${o.max}` : `at least ${o.min}`}, got ${n}`, { key });
  return n;
}

/** The query parameters a page keeps when the site filter changes (strings only). */
export function keptParams(q: Query): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) if (typeof v === 'string' && v !== '' && k !== 'token') out[k] = v;
  return out;
}
