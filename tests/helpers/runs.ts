// Helpers for integration tests that follow runs: read the store the workers write, wait for conditions.
import { openStore, type Store } from '../../store/index.js';
import type { State } from '../../core/states.js';
import path from 'node:path';

/** The store of a harness's data directory (its SQLite file), or the given store location (a TBPS_DB value). */
export async function withStore<T>(home: string, fn: (s: Store) => Promise<T>, location = path.join(home, 'tbps.sqlite')): Promise<T> {
  const s = await openStore(location);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

export async function totals(home: string, runId: string): Promise<Record<State, number>> {
  return withStore(home, (s) => s.stateCounts(runId));
}

export async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs ids from `tbps submit` output. */
export function runIdFrom(stdout: string): string {
  const m = /Submitted run (\S+)/.exec(stdout);
  if (!m) throw new Error(`no run id in submit output:\n${stdout}`);
  return m[1];
}

/** Submit-YAML lines giving a synthetic run a shell pipetaskInit and a shell finalJob that always runs. */
export const SHELL_INIT_AND_FINAL = [
  'pipetask:',
  '  pipetaskInit:',
  `    runQuantumCommand: "sh -c 'echo init'"`,
  'finalJob:',
  '  whenRun: ALWAYS',
  `  command1: "sh -c 'echo merge'"`,
];
