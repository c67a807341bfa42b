// How values read on the dashboard: times in UTC (operators of a survey share one clock), durations, memory and
// counts with thousands separators.
import { formatDuration } from '../../core/report/index.js';

/** "12:34:56" (UTC). */
export function clock(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return Number.isNaN(d.getTime()) ? '-' : d.toISOString().slice(11, 19);
}

/** "2025-06-01 12:34:56" (UTC); "-" when missing. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 19).replace('T', ' ');
}

/** "12:34:56" today, "06-01 12:34" otherwise (UTC); "-" when missing. */
export function shortTime(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  return s.slice(0, 10) === now.toISOString().slice(0, 10) ? s.slice(11, 19) : `${s.slice(5, 10)} ${s.slice(11, 16)}`;
}

/** "4m 10s"; "-" when missing. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  if (seconds < 10) return `${seconds.toFixed(seconds < 1 ? 2 : 1)}s`;
  return formatDuration(seconds);
}

/** Seconds between two ISO times (the end defaults to now). */
export function secondsBetween(from: string | null | undefined, to?: string | null): number | null {
  if (!from) return null;
  const s = ((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000;
  return Number.isFinite(s) ? Math.max(0, s) : null;
}

/** "1,234". */
export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : n.toLocaleString('en-US');
}

/** MiB, rounded; "-" when missing. */
export function mib(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-';
  if (n > 0 && n < 1) return '<1 MiB';
  return n >= 10_240 ? `${(n / 1024).toFixed(1)} GiB` : `${Math.round(n)} MiB`;
}

export function percent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '-';
  const p = fraction * 100;
  return `${p >= 99.95 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** "3 retries", "1 retry". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}
