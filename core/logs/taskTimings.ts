// Per-task seconds from a pipetask log: run-qbb logs one line per quantum, e.g.
// "Execution of task 'isr' on quantum {instrument: 'HSC', ...} took 1.234 seconds". Sums per task label.
const TIMING = /Execution of task '([^']+)' on quantum .* took ([0-9.]+) seconds/;

export function taskSeconds(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of log.split(/\r?\n/)) {
    const m = TIMING.exec(line);
    if (!m) continue;
    const s = Number(m[2]);
    if (Number.isFinite(s)) out[m[1]] = (out[m[1]] ?? 0) + s;
  }
  return out;
}
