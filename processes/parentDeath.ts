// Starting a job so that it dies with the process that started it: on Linux, util-linux's setpriv sets the
// parent-death signal (PR_SET_PDEATHSIG) and then execs the job, so SIGKILL reaches the job's first process when
// the thread that spawned it ends (Node spawns from its main thread, so: when the executor process ends; under load
// the kernel may take tens of ms after a SIGKILL to get there). Processes the job starts itself do not inherit it;
// the job registry (jobGroups.ts) kills those. An executor dead before setpriv armed the signal, or before it
// registered the job's group, is covered by runProcess's gate (the payload never starts).
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

const SETPRIV = '/usr/bin/setpriv';
let cached: string[] | undefined;

/** The argv prefix that starts a command under a parent-death SIGKILL; empty where setpriv is missing. */
export function parentDeathPrefix(): string[] {
  if (cached) return cached;
  if (process.env.TBPS_NO_PDEATHSIG === '1' || process.platform !== 'linux' || !isExecutable(SETPRIV)) cached = [];
  else cached = [SETPRIV, '--pdeathsig', 'KILL', '--'];
  return cached;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The file exec would run for `command` (a path, or a name looked up in PATH); undefined when there is none. */
export function resolveCommand(command: string, searchPath: string | undefined, cwd: string): string | undefined {
  if (command === '') return undefined;
  if (command.includes('/')) {
    const file = path.resolve(cwd, command);
    return isExecutable(file) ? file : undefined;
  }
  for (const dir of (searchPath ?? '').split(':')) {
    const file = path.resolve(cwd, dir === '' ? '.' : dir, command);
    if (isExecutable(file)) return file;
  }
  return undefined;
}
