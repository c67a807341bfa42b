// The command prefix put before every condor_* command (e.g. `bash scripts/htcondor.sh exec` for the test pool in
// a chroot), split like a shell would split a simple command line.

/** Whitespace-separated words, with '...' and "..." groups. */
export function parsePrefix(s: string | undefined): string[] {
  if (!s) return [];
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}
