// Runs one command of the comparison and measures it: wall seconds, and the peak resident memory of its whole
// process tree (ctrl_bps and tbps both start children: pipetask, python helpers). The command runs in its own
// process group under /usr/bin/time; the group's RSS is summed from /proc every 50 ms, and GNU time's maximum RSS of
// the largest single process is the floor (a spike shorter than the sampling interval is not lost).
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { rssByProcessGroup } from '../../../processes/procMonitor.js';

export interface Measured {
  code: number;
  seconds: number;
  peakMb: number;
}

const TIME = '/usr/bin/time';

export async function measureCommand(argv: string[], opts: { env: NodeJS.ProcessEnv; cwd: string; logFile: string }): Promise<Measured> {
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing; install it with 'apt-get install time'`);
  const timeFile = `${opts.logFile}.time`;
  const log = openSync(opts.logFile, 'w');
  const t0 = performance.now();
  const child = spawn(TIME, ['-f', '%M', '-o', timeFile, ...argv], { env: opts.env, cwd: opts.cwd, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  let sampledMb = 0;
  const group = new Set([child.pid!]);
  const timer = setInterval(() => {
    const mb = rssByProcessGroup(group).get(child.pid!) ?? 0;
    if (mb > sampledMb) sampledMb = mb;
  }, 50);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exit, signal) => resolve(exit ?? (signal ? 128 : 1)));
  });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  // GNU time writes "Command exited with non-zero status N" before the figure when the command failed.
  const maxKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
  const singleMb = Number.isFinite(maxKb) ? maxKb / 1024 : 0;
  return { code, seconds, peakMb: Math.max(sampledMb, singleMb) };
}
