// The executor's memory watch with real processes: reading only a job's process tree gives the same RSS per group as
// scanning all of /proc, and neither counts a descendant that moved to a process group of its own.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { rssByProcessGroup, rssByProcessTree } from '../../processes/procMonitor.js';

const started: number[] = [];
afterAll(() => {
  for (const pgid of started) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* ended */
    }
  }
});

/** A job's group: sh with a python child holding ~80 MB, and a child that moves to its own group (setsid). */
async function job(): Promise<number> {
  const script = 'setsid sleep 30 & python3 -c "x=bytearray(80_000_000); print(1, flush=True); import time; time.sleep(30)"';
  const child = spawn('sh', ['-c', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  started.push(child.pid!);
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return child.pid!;
}

describe('rssByProcessTree', () => {
  it('sums the same RSS per group as the full /proc scan, python child included', async () => {
    const groups = new Set([await job(), await job()]);
    const full = rssByProcessGroup(groups);
    const tree = rssByProcessTree(groups);
    expect(full.size).toBe(2);
    for (const pgid of groups) {
      expect(full.get(pgid)).toBeGreaterThan(80);
      // Both read the same processes moments apart: equal but for pages touched in between.
      expect(Math.abs((tree.get(pgid) ?? 0) - full.get(pgid)!)).toBeLessThan(2);
    }
  });

  it('reports nothing for a group that is gone', () => {
    expect(rssByProcessTree(new Set([2 ** 22 + 7])).size).toBe(0);
  });
});
