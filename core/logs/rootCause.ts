// Picks the line that explains a failed job from the tail of its log: the last exception/error line rather than
// the INFO noise around it.
const ERROR_LINE = /(Error|Exception|Traceback|FATAL|Fatal|fatal:|Killed|error:|ERROR)/;
const NOISE = /^\s*(INFO|DEBUG|VERBOSE)\b/;

export function rootCause(logTail: string, maxLength = 300): string | undefined {
  const lines = logTail.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  let pick: string | undefined;
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (NOISE.test(l)) continue;
    if (ERROR_LINE.test(l) && !/^\s*File "/.test(l)) {
      pick = l;
      break;
    }
  }
  pick ??= [...lines].reverse().find((l) => !NOISE.test(l));
  if (!pick) return undefined;
  pick = pick.trim();
  return pick.length > maxLength ? `${pick.slice(0, maxLength - 1)}…` : pick;
}
