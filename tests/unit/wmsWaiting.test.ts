// "When the workload system is down": the waiting note's text, the run field that keeps it on both store backends
// (set, unchanged, cleared; state and updated_at untouched), which systems `tbps ping` checks (named or configured;
// an unknown name is bad input), the store's health line, and a missing WMS command as bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBadInput } from '../../core/errors.js';
import { formatWmsWaiting } from '../../core/run/wmsWaiting.js';
import { formatRunSummary } from '../../core/report/index.js';
import { storeHealth, systemsToPing } from '../../client/services/health.js';
import { openStore, type Store } from '../../store/index.js';
import { runPrefixed } from '../../wms/command.js';
import { STORE_BACKENDS, freshStoreLocation, type StoreLocation } from '../helpers/storeBackends.js';

describe('the waiting note', () => {
  it('names the system, the error\'s first line and the retry', () => {
    expect(formatWmsWaiting('slurm', '\nsbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)\nmore', 3)).toBe(
      'waiting for slurm: sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure), retry 3',
    );
    expect(formatWmsWaiting('htcondor', '', 1)).toBe('waiting for htcondor: no answer, retry 1');
    const long = formatWmsWaiting('slurm', 'x'.repeat(1000), 2);
    expect(long.length).toBeLessThan(340);
    expect(long).toMatch(/x…, retry 2$/);
  });

  it('shows in the report heading only when there is one', () => {
    const row = { runId: 'r', state: 'RUNNING' as const, operator: 'o', project: 'p', campaign: '', payloadName: 'x', name: 'n', jobs: 3 };
    expect(formatRunSummary({ ...row, waiting: 'waiting for slurm: down, retry 1' })).toMatch(/^Waiting: +waiting for slurm: down, retry 1$/m);
    expect(formatRunSummary({ ...row, waiting: '' })).not.toMatch(/Waiting/);
  });
});

describe.each(STORE_BACKENDS)('the run\'s waiting field on %s', (backend) => {
  let where: StoreLocation;
  let store: Store;
  beforeAll(async () => {
    where = await freshStoreLocation(backend, 'wmswait');
    store = await openStore(where.location);
  });
  afterAll(async () => {
    await store?.close();
    await where?.remove();
  });

  it('is set, left alone when unchanged, and cleared, without touching state or updated_at', async () => {
    await store.upsertRun({ runId: 'w1', state: 'RUNNING', updatedAt: '2026-01-01T00:00:00.000Z' });
    expect((await store.getRun('w1'))?.waiting).toBe('');
    expect(await store.setRunWaiting('w1', 'waiting for slurm: down, retry 1')).toBe(true);
    expect(await store.setRunWaiting('w1', 'waiting for slurm: down, retry 1')).toBe(false);
    const waiting = await store.getRun('w1');
    expect(waiting?.waiting).toBe('waiting for slurm: down, retry 1');
    expect(waiting?.state).toBe('RUNNING');
    expect(waiting?.updatedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(await store.setRunWaiting('w1', '')).toBe(true);
    expect((await store.getRun('w1'))?.waiting).toBe('');
    expect(await store.setRunWaiting('nope', 'x')).toBe(false);
  });

  it('has a health line that says the store answers', async () => {
    const line = await storeHealth(where.location);
    expect(line).toEqual({ what: expect.stringMatching(backend === 'postgres' ? /^store PostgreSQL / : /^store SQLite /), ok: true, detail: expect.stringMatching(/^answers/) });
    if (backend === 'postgres') {
      const password = new URL(where.location).password;
      expect(password.length).toBeGreaterThan(3);
      expect(line.what).not.toContain(password);
    }
  });
});

describe('tbps ping\'s systems and store', () => {
  it('checks the named systems, else those the environment configures; an unknown name is bad input', () => {
    expect(systemsToPing('slurm,htcondor', {}).map((p) => p.name)).toEqual(['slurm', 'htcondor']);
    expect(systemsToPing('local', {})).toEqual([]);
    expect(systemsToPing(undefined, {}).map((p) => p.name)).toEqual([]);
    expect(systemsToPing(undefined, { TBPS_SLURM_PREFIX: 'bash s.sh exec' }).map((p) => p.name)).toEqual(['slurm']);
    expect(systemsToPing(undefined, { TBPS_HTCONDOR_PREFIX: '', SLURM_CONF: '/etc/slurm.conf' }).map((p) => p.name).sort()).toEqual(['htcondor', 'slurm']);
    for (const bad of ['pbs', '', 'slurm,nope']) {
      let err: unknown;
      try {
        systemsToPing(bad, {});
      } catch (e) {
        err = e;
      }
      expect(isBadInput(err)).toBe(true);
      expect((err as Error).message).toMatch(/^option --wms: /);
    }
  });

  it('says DOWN for a PostgreSQL store nobody listens on, without its password', async () => {
    const line = await storeHealth('postgres://tbps:s3cret@127.0.0.1:9/tbps');
    expect(line.ok).toBe(false);
    expect(line.detail.length).toBeGreaterThan(0);
    expect(`${line.what} ${line.detail}`).not.toContain('s3cret');
  });
});

describe('a workload-system command that is not there', () => {
  it('is bad input naming it (directly, and through a prefix whose shell answers 127)', async () => {
    for (const [prefix, cmd] of [[[], 'sbatch-not-installed'], [['bash', '-c', 'exec "$@"', 'prefix'], 'condor_q_not_installed']] as const) {
      let err: unknown;
      try {
        await runPrefixed(prefix, cmd, ['--version'], { cwd: '/' });
      } catch (e) {
        err = e;
      }
      expect(isBadInput(err)).toBe(true);
      expect((err as Error).message).toContain(`'${cmd}' not found`);
    }
  });
});
