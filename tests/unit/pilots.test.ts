// Pilot pieces that need no cluster: the request checks (walltime, memory, counts), when a pilot drains, the Slurm
// pilot script (run for real with sh: its environment reaches the command, which replaces the shell), Slurm job
// states as pilot states, and the store's pilots table (SQLite and PostgreSQL) as the CLI and the pilot write it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { badInput } from '../helpers/badInput.js';
import { drainSeconds, parseMemoryMb, parsePositiveCount, parseWalltime } from '../../core/pilots/request.js';
import { openStore } from '../../store/index.js';
import { STORE_BACKENDS, freshStoreLocation } from '../helpers/storeBackends.js';
import { pilotScript, pilotStateOf } from '../../wms/slurm/pilots.js';

describe('pilot requests', () => {
  it('reads walltimes with units or as a clock, and refuses the rest', () => {
    expect(parseWalltime('2h')).toBe(7200);
    expect(parseWalltime('1h30m')).toBe(5400);
    expect(parseWalltime('90m')).toBe(5400);
    expect(parseWalltime('01:30:00')).toBe(5400);
    expect(parseWalltime('10:00')).toBe(600);
    expect(badInput(() => parseWalltime('soon')).message).toMatch(/not a walltime/);
    expect(badInput(() => parseWalltime('-2h')).message).toMatch(/not a walltime/);
    expect(badInput(() => parseWalltime('30s')).message).toMatch(/shorter than the least/);
  });

  it('reads memory in MiB or with a unit, counts as whole numbers >= 1', () => {
    expect(parseMemoryMb('4096')).toBe(4096);
    expect(parseMemoryMb('4G')).toBe(4096);
    expect(parseMemoryMb('512M')).toBe(512);
    expect(badInput(() => parseMemoryMb('lots')).message).toMatch(/not a memory size/);
    expect(badInput(() => parseMemoryMb('0')).message).toMatch(/not a memory size/);
    expect(parsePositiveCount('3', '--count')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'two']) expect(badInput(() => parsePositiveCount(bad, '--count')).message).toMatch(/whole number >= 1/);
  });

  it('drains a tenth of the walltime before its end, between 30 s and 10 minutes', () => {
    expect(drainSeconds(120)).toBe(30);
    expect(drainSeconds(3600)).toBe(360);
    expect(drainSeconds(86400)).toBe(600);
  });
});

describe('Slurm pilots', () => {
  it('writes a script that exports the pilot environment and execs the worker', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tbps-pilot-unit-'));
    const script = path.join(dir, 'pilot.sh');
    writeFileSync(
      script,
      pilotScript({ pilotId: 'p1', site: 's', walltimeSeconds: 600, cpus: 1, memoryMb: 512, workDir: dir, argv: ['sh', '-c', 'echo "$TBPS_PILOT_ID $TEMPORAL_ADDRESS $$"'], environment: { TBPS_PILOT_ID: 'p1', TEMPORAL_ADDRESS: "host:7233 'quoted'" }, env: {} }),
    );
    const r = spawnSync('sh', ['-c', `sh ${script} & echo $!; wait`], { encoding: 'utf8' });
    // the two lines come in either order (the background job may print before the shell echoes its pid)
    const lines = r.stdout.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(2);
    const shellPid = lines.find((l) => /^\d+$/.test(l));
    const out = lines.find((l) => l !== shellPid);
    expect(out).toBe(`p1 host:7233 'quoted' ${shellPid}`); // same pid: exec, so scancel's SIGTERM reaches the worker
  });

  it('maps Slurm job states to pilot states', () => {
    expect(['PENDING', 'RUNNING', 'COMPLETED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL'].map(pilotStateOf)).toEqual(['PENDING', 'RUNNING', 'ENDED', 'CANCELLED', 'FAILED', 'FAILED', 'FAILED']);
  });
});

describe.each(STORE_BACKENDS)('the pilots table on %s', (backend) => {
  it('keeps what the CLI and the pilot write, and a final state stays', async () => {
    const at = await freshStoreLocation(backend, 'pilots');
    const store = await openStore(at.location);
    try {
      await store.insertPilot({ pilotId: 'a', wms: 'slurm', wmsId: '', site: 's1', state: 'PENDING', cpus: 2, memoryMb: 1024, walltimeSeconds: 600, submittedAt: '2026-12-03T10:00:00.000Z' });
      await store.insertPilot({ pilotId: 'b', wms: 'slurm', wmsId: '7', site: 's2', state: 'PENDING', cpus: 1, memoryMb: 512, walltimeSeconds: 600, submittedAt: '2026-12-03T10:00:01.000Z' });
      expect(await store.updatePilot('a', { wmsId: '6', state: 'RUNNING', host: 'n1', startedAt: '2026-12-03T10:00:05.000Z' })).toBe(true);
      await store.countPilotJob('a');
      await store.countPilotJob('a');
      expect(await store.updatePilot('a', { state: 'CANCELLED' }, ['ENDED', 'CANCELLED'])).toBe(true);
      expect(await store.updatePilot('a', { state: 'ENDED' }, ['ENDED', 'CANCELLED'])).toBe(false);
      const all = await store.listPilots();
      expect(all.map((p) => [p.pilotId, p.wmsId, p.state, p.host, p.jobsRun])).toEqual([
        ['a', '6', 'CANCELLED', 'n1', 2],
        ['b', '7', 'PENDING', null, 0],
      ]);
      expect((await store.listPilots('s2')).map((p) => p.pilotId)).toEqual(['b']);
      await store.deletePilots(['b']);
      expect((await store.listPilots()).map((p) => p.pilotId)).toEqual(['a']);
    } finally {
      await store.close();
      await at.remove();
    }
  });
});
