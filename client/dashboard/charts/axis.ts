// Time axes for the plots: "nice" tick times over a span (1 s up to 1 day apart) and their UTC labels.

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** About `want` tick times (ms) within [from, to], on round multiples. */
export function timeTicks(from: number, to: number, want = 6): number[] {
  const span = Math.max(1, (to - from) / 1000);
  const step = (STEPS.find((s) => span / s <= want) ?? Math.ceil(span / want / 86400) * 86400) * 1000;
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

/** "12:34:56", or "12:34" when the ticks are whole minutes. */
export function tickLabel(t: number, ticks: readonly number[]): string {
  const iso = new Date(t).toISOString();
  const wholeMinutes = ticks.every((x) => x % 60_000 === 0);
  return wholeMinutes ? iso.slice(11, 16) : iso.slice(11, 19);
}

/** Text anchor of a tick label at x within [left, right]: labels at the edges stay inside the plot. */
export function tickAnchor(x: number, left: number, right: number): 'start' | 'middle' | 'end' {
  if (x - left < 30) return 'start';
  if (right - x < 30) return 'end';
  return 'middle';
}
