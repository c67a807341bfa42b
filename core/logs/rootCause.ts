// Picks the line that explains a failed job from the tail of its log: the root exception (the first one of a
// chain, not a generic wrapper such as "One or more tasks failed"), else the last error line, never INFO noise.
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Failure|Warning))(: .*)?$/;
const WRAPPER = /MPGraphExecutorError|One or more tasks failed|CalledProcessError/;
const ERROR_LINE = /(Error|Exception|FATAL|Fatal|fatal:|Killed|error:|ERROR)/;
const NOISE = /^\s*(INFO|DEBUG|VERBOSE|TRACE)\b/;

export function rootCause(logTail: string, maxLength = 300): string | undefined {
  const lines = logTail.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const exceptions = lines.filter((l) => EXCEPTION_LINE.test(l));
  let pick = exceptions.find((l) => !WRAPPER.test(l)) ?? exceptions.at(-1);
  if (!pick) {
    for (let i = lines.length - 1; i >= 0 && !pick; i--) {
      const l = lines[i];
      if (!NOISE.test(l) && ERROR_LINE.test(l) && !/^\s*File "/.test(l) && !/^Traceback/.test(l)) pick = l;
    }
  }
  pick ??= [...lines].reverse().find((l) => !NOISE.test(l));
  if (!pick) return undefined;
  pick = pick.trim();
  return pick.length > maxLength ? `${pick.slice(0, maxLength - 1)}…` : pick;
}
