// Priorities and throttles across campaigns on the real Temporal dev server, the real CLI and a real executor of
// 2 CPU slots on site `local` (site.local.maxRunningJobs: 2). A blocker run holds both slots until the test opens
// its gate; meanwhile a priority-5 campaign (maxRunningJobs: 1) and then a priority-1 campaign queue their jobs as
// waiting leases (`tbps site show local` shows them). Once the gate opens, every job of the priority-1 campaign
// starts (attempt start times in the store) before any job of the priority-5 one, and a sampler of the store's open
// attempts and slot leases never sees more than 2 jobs on the site or more than 1 of the throttled campaign. Bad
// input (priority outside 1-5, a zero or negative limit, a site no config defines) exits 2 and starts nothing.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignStatus } from '../../core/campaign/index.js';
import type { SiteUsage, Store, TimelineAttempt } from '../../store/index.js';
import { writeQuantumGraph, type QuantumRecord } from '../../core/qgraph/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { runIdFrom, waitFor, withStore } from '../helpers/runs.js';

let h: Harness;
let client: Client;
const SITE_LIMIT = 2;
const LOW_LIMIT = 1;
const JOBS = 4;

beforeAll(async () => {
  h = createHarness('priority');
  h.startOrchestrator();
  // 2 CPU slots; the executor takes more job activities than it runs so that waiting jobs queue in the scheduler.
  h.startExecutor({ TBPS_EXECUTOR_CPUS: String(SITE_LIMIT), TBPS_EXECUTOR_SLOTS: '16', TBPS_EXECUTOR_MEMORY_MB: '4000' });
  client = await h.client();
});
afterAll(async () => h?.stopAll());

const dir = () => path.join(h.home, 'prio');

/** A graph of `quanta` independent quanta (no parents): all of a run's jobs are ready at once. */
async function writeGraph(name: string, quanta: number): Promise<string> {
  mkdirSync(dir(), { recursive: true });
  const file = path.join(dir(), `${name}.qgraph.jsonl`);
  const records = (function* (): Generator<QuantumRecord> {
    for (let i = 0; i < quanta; i++) yield { id: `${name}-${i}`, label: 'work', dataId: { n: i }, parents: [] };
  })();
  await writeQuantumGraph(file, { format: 'tbps-qgraph', version: 1, metadata: {}, tasks: [{ label: 'work', dimensions: ['n'] }], quanta }, records);
  return file;
}

async function writeConfig(name: string, quanta: number, command: string, siteLimit: number = SITE_LIMIT): Promise<string> {
  const graph = await writeGraph(name, quanta);
  const file = path.join(dir(), `${name}.yaml`);
  writeFileSync(
    file,
    [
      `payloadName: ${name}`,
      'inCollection: HSC/defaults',
      'dataQuery: "instrument=\'HSC\'"',
      `qgraphFile: ${graph}`,
      `runQuantumCommand: ${JSON.stringify(command)}`,
      'requestMemory: 64',
      'numberOfRetries: 0',
      'runInit: false',
      'finalJob: {whenRun: NEVER}',
      `site: {local: {maxRunningJobs: ${siteLimit}}}`,
      '',
    ].join('\n'),
  );
  return file;
}

function writeCampaign(name: string, fields: string[]): string {
  const file = path.join(dir(), `${name}.campaign.yaml`);
  writeFileSync(file, [`name: ${name}`, 'baseConfig: base.yaml', ...fields, 'steps:', '  - name: step1', ''].join('\n'));
  return file;
}

async function siteShow(): Promise<SiteUsage> {
  const r = await h.tbpsAsync(['site', 'show', 'local', '--json']);
  if (r.code !== 0) throw new Error(`tbps site show local failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as SiteUsage;
}

describe('campaign priorities and running-job limits on one site', () => {
  it('rejects a priority outside 1-5, a zero or negative limit and an unknown site with exit 2, starting nothing', async () => {
    await writeConfig('base', 2, 'true');
    const badPriority = h.tbps(['campaign', 'start', writeCampaign('itp_bad1', ['priority: 7'])]);
    expect(badPriority.code).toBe(2);
    expect(badPriority.stderr).toContain("key 'priority'");
    expect(badPriority.stderr).toContain('1 (highest) to 5 (lowest)');
    const zeroLimit = h.tbps(['campaign', 'start', writeCampaign('itp_bad2', ['maxRunningJobs: 0'])]);
    expect(zeroLimit.code).toBe(2);
    expect(zeroLimit.stderr).toContain("key 'maxRunningJobs'");
    const negative = h.tbps(['submit', await writeConfig('negative', 2, 'true', -1)]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain("key 'site.local.maxRunningJobs'");
    const unknownSite = h.tbps(['site', 'show', 'nosuchsite']);
    expect(unknownSite.code).toBe(2);
    expect(unknownSite.stderr).toContain("no config defines compute site 'nosuchsite'");
    // Nothing started: no campaign, no run.
    for (const name of ['itp_bad1', 'itp_bad2']) expect(h.tbps(['campaign', 'show', name]).code).toBe(2);
    const runs = await withStore(h.home, (s) => s.listRuns({ limit: 10 }));
    expect(runs).toHaveLength(0);
  }, 300_000);

  it('starts the priority-1 campaign first and never exceeds the site or campaign limit', async () => {
    const gate = path.join(dir(), 'gate');
    const wait = path.join(dir(), 'wait-for-gate.sh');
    writeFileSync(wait, `while [ ! -e '${gate}' ]; do sleep 0.2; done\n`);
    await writeConfig('blocker', SITE_LIMIT, `sh ${wait}`);
    await writeConfig('base', JOBS, 'sleep 2');
    const low = 'itp_low';
    const high = 'itp_high';
    const lowRun = `${low}_step1_g1`;
    const highRun = `${high}_step1_g1`;

    let blockerRun = '';
    // The sampler: open attempts (started, not ended) per run, and the scheduler's granted leases, every 100 ms.
    let maxRunning = 0;
    let maxLowRunning = 0;
    let maxGranted = 0;
    let samples = 0;
    let sampling = true;
    const sampler = withStore(h.home, async (s) => {
      while (sampling) {
        const open = async (runId: string) => (await runAttempts(s, runId)).filter((a) => !a.endedAt).length;
        const [b, l, g] = await Promise.all([open(blockerRun), open(lowRun), open(highRun)]);
        maxRunning = Math.max(maxRunning, b + l + g);
        maxLowRunning = Math.max(maxLowRunning, l);
        maxGranted = Math.max(maxGranted, (await s.siteUsage('local')).running);
        samples++;
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    try {
      const submitted = h.tbps(['submit', path.join(dir(), 'blocker.yaml')]);
      expect(submitted.code, submitted.stderr).toBe(0);
      blockerRun = runIdFrom(submitted.stdout);
      await waitFor('the blocker holds both slots', async () => (await siteShow()).running === SITE_LIMIT, 180_000);

      const startLow = h.tbps(['campaign', 'start', writeCampaign(low, ['priority: 5', `maxRunningJobs: ${LOW_LIMIT}`])]);
      expect(startLow.code, startLow.stderr).toBe(0);
      await waitFor('the priority-5 campaign waits for slots', async () => (await siteShow()).waiting === JOBS, 180_000);
      const startHigh = h.tbps(['campaign', 'start', writeCampaign(high, ['priority: 1'])]);
      expect(startHigh.code, startHigh.stderr).toBe(0);
      let shown: SiteUsage | undefined;
      await waitFor(
        'both campaigns wait for slots',
        async () => {
          shown = await siteShow();
          return shown.waiting === 2 * JOBS;
        },
        180_000,
      );
      // `tbps site show` lists the campaigns by priority against their limits, the blocker as no campaign.
      expect(shown!.limit).toBe(SITE_LIMIT);
      expect(shown!.campaigns.map((c) => [c.campaign, c.priority, c.running, c.waiting, c.limit])).toEqual([
        [high, 1, 0, JOBS, null],
        ['', 3, SITE_LIMIT, 0, null],
        [low, 5, 0, JOBS, LOW_LIMIT],
      ]);
      const text = h.tbps(['site', 'show', 'local']);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/running 2 of 2 \(site\.local\.maxRunningJobs\)\s+waiting 8/);
      expect(text.stdout).toMatch(new RegExp(`${low}\\s+5\\s+0\\s+1\\s+${JOBS}`));

      writeFileSync(gate, '');
      for (const name of [high, low]) {
        const handle = client.workflow.getHandle(`campaign/${name}`);
        const final = (await handle.result()) as CampaignStatus;
        expect(final.phase, name).toBe('SUCCEEDED');
      }
    } finally {
      sampling = false;
      await sampler;
    }
    expect(existsSync(gate)).toBe(true);

    const [highAttempts, lowAttempts, blockerAttempts] = await withStore(h.home, (s) => Promise.all([runAttempts(s, highRun), runAttempts(s, lowRun), runAttempts(s, blockerRun)]));
    expect(highAttempts).toHaveLength(JOBS);
    expect(lowAttempts).toHaveLength(JOBS);
    expect(blockerAttempts).toHaveLength(SITE_LIMIT);
    const starts = (xs: TimelineAttempt[]) => xs.map((a) => Date.parse(a.startedAt));
    // Priority: every job of the priority-1 campaign started before any job of the priority-5 campaign.
    expect(Math.max(...starts(highAttempts))).toBeLessThan(Math.min(...starts(lowAttempts)));
    // Limits at every moment: the sampler, and the attempts' own intervals (the exact overlap).
    expect(samples).toBeGreaterThan(20);
    expect(maxRunning).toBeLessThanOrEqual(SITE_LIMIT);
    expect(maxRunning).toBeGreaterThan(0);
    expect(maxGranted).toBe(SITE_LIMIT);
    expect(maxLowRunning).toBe(LOW_LIMIT);
    const all = [...highAttempts, ...lowAttempts, ...blockerAttempts];
    expect(maxOverlap(all)).toBe(SITE_LIMIT);
    expect(maxOverlap(lowAttempts)).toBe(LOW_LIMIT);
    // Leases are released when jobs end.
    const after = await siteShow();
    expect([after.running, after.waiting]).toEqual([0, 0]);
  }, 900_000);
});

/** Every attempt of a run that started (none for a run not recorded yet). */
async function runAttempts(store: Store, runId: string): Promise<TimelineAttempt[]> {
  if (!runId) return [];
  return (await store.recentAttempts(runId, 1000)).attempts;
}

/** Most attempts running at one moment, from their start and end times. */
function maxOverlap(attempts: TimelineAttempt[]): number {
  const events: Array<[number, number]> = [];
  for (const a of attempts) {
    expect(a.endedAt).toBeTruthy();
    events.push([Date.parse(a.startedAt), 1], [Date.parse(a.endedAt!), -1]);
  }
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of events) most = Math.max(most, (now += d));
  return most;
}
