// Typed readings of raw config values, validated with zod: numbers (also numeric strings), booleans (also
// yes/no/on/off, as PyYAML-era BPS files write them), number lists ([1, 2], "1,2" or 2), string lists,
// wall times (seconds or "H:MM:SS"). Each parser returns the value or undefined; callers build the message.

import { z } from 'zod';

const NUMERIC = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

const numericString = z
  .string()
  .trim()
  .regex(NUMERIC)
  .transform((s) => Number(s));

export const numberSchema = z.union([z.number().finite(), numericString]);

const TRUE = new Set(['true', 'yes', 'on', '1', 'y']);
const FALSE = new Set(['false', 'no', 'off', '0', 'n']);

export const boolSchema = z.union([
  z.boolean(),
  z.number().refine((n) => n === 0 || n === 1).transform((n) => n === 1),
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((s) => TRUE.has(s) || FALSE.has(s))
    .transform((s) => TRUE.has(s)),
]);

export const numberListSchema = z.union([
  numberSchema.transform((n) => [n]),
  z.array(numberSchema),
  z
    .string()
    .trim()
    .transform((s) => (s === '' ? [] : s.split(/\s*,\s*|\s+/)))
    .pipe(z.array(numericString)),
]);

export const stringListSchema = z.union([
  z.array(z.union([z.string(), z.number()]).transform(String)),
  z.union([z.string(), z.number()]).transform((s) =>
    String(s)
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  ),
]);

const HMS = /^(\d+):([0-5]?\d)(?::([0-5]?\d))?$/;

/** Seconds, or "H:MM:SS" / "H:MM". */
export const walltimeSchema = z.union([
  numberSchema,
  z
    .string()
    .trim()
    .regex(HMS)
    .transform((s) => {
      const m = HMS.exec(s)!;
      return Number(m[1]) * 3600 + Number(m[2]) * 60 + (m[3] ? Number(m[3]) : 0);
    }),
]);

export function parseWith<T>(schema: z.ZodType<T>, v: unknown): T | undefined {
  const r = schema.safeParse(v);
  return r.success ? r.data : undefined;
}

/** How a bad value is shown in messages: strings quoted, others as JSON. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `a list ${short(JSON.stringify(v))}`;
  if (typeof v === 'object' && v !== null) return `a section (${Object.keys(v).slice(0, 5).join(', ')})`;
  return String(v);
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
