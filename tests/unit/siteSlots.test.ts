// The per-site scheduler's grant pass (store/siteSlots.ts) on a real SQLite store: a site's limit and a campaign's
// limit hold, waiting leases are granted by priority then request time, a release hands its slot on at once, a
// campaign at its limit does not hold up others, and the slot policy is read and
// checked from a config (core/run/slotPolicy.ts: priority 1-5, limits 1 or more, the key named).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BpsConfig } from '../../core/config/index.js';
import { readSlotPolicy, siteLimits, type SlotPolicy } from '../../core/run/slotPolicy.js';
import { openStore, type RunSlotPolicy, type Store } from '../../store/index.js';

let store: Store;
beforeEach(async () => {
  store = await openStore(path.join(mkdtempSync(path.join(os.tmpdir(), 'tbps-slots-')), 'tbps.sqlite'));
});
afterEach(async () => store.close());

async function policyOf(runId: string, policy: SlotPolicy, limits: Map<string, number>): Promise<RunSlotPolicy> {
  await store.recordSlotPolicy(runId, policy, limits);
  const read = await store.runSlotPolicy(runId);
  expect(read).toBeDefined();
  return read!;
}

const ask = (runId: string, job: string, policy: RunSlotPolicy) => store.acquireSlot({ runId, job, holder: 'test' }, policy);

describe('site slot leases', () => {
  it('grants by priority within the site limit and hands a released slot to the highest-priority waiter', async () => {
    const limits = new Map([['s1', 2]]);
    const low = await policyOf('low', { site: 's1', campaign: 'c_low', priority: 5, siteLimit: 2, campaignLimit: null }, limits);
    const high = await policyOf('high', { site: 's1', campaign: 'c_high', priority: 1, siteLimit: 2, campaignLimit: null }, limits);
    expect(high.siteLimit).toBe(2);
    expect(await ask('low', 'j1', low)).toBe('running');
    expect(await ask('low', 'j2', low)).toBe('running');
    expect(await ask('low', 'j3', low)).toBe('waiting');
    expect(await ask('high', 'j1', high)).toBe('waiting');
    expect(await ask('high', 'j2', high)).toBe('waiting');
    // Asking again is safe and changes nothing while the site is full.
    expect(await ask('low', 'j1', low)).toBe('running');
    expect(await ask('high', 'j1', high)).toBe('waiting');
    await store.releaseSlot('low', 'j1');
    // The release granted the oldest priority-1 waiter, not the older priority-5 one.
    expect(await ask('high', 'j1', high)).toBe('running');
    expect(await ask('low', 'j3', low)).toBe('waiting');
    await store.releaseSlot('low', 'j2');
    expect(await ask('high', 'j2', high)).toBe('running');
    expect(await ask('low', 'j3', low)).toBe('waiting');
    const usage = await store.siteUsage('s1');
    expect(usage).toMatchObject({ site: 's1', limit: 2, running: 2, waiting: 1 });
    expect(usage.campaigns.map((c) => [c.campaign, c.priority, c.running, c.waiting])).toEqual([
      ['c_high', 1, 2, 0],
      ['c_low', 5, 0, 1],
    ]);
    await store.releaseSlot('high', 'j1');
    expect(await ask('low', 'j3', low)).toBe('running');
  });

  it("holds a campaign's own limit without holding up other campaigns", async () => {
    const limits = new Map([['s2', 3]]);
    const capped = await policyOf('capped', { site: 's2', campaign: 'c_capped', priority: 1, siteLimit: 3, campaignLimit: 1 }, limits);
    const other = await policyOf('other', { site: 's2', campaign: 'c_other', priority: 5, siteLimit: 3, campaignLimit: null }, limits);
    expect(await ask('capped', 'a', capped)).toBe('running');
    expect(await ask('capped', 'b', capped)).toBe('waiting');
    expect(await ask('other', 'a', other)).toBe('running');
    expect(await ask('other', 'b', other)).toBe('running');
    expect(await ask('other', 'c', other)).toBe('waiting');
    await store.releaseSlot('capped', 'a');
    expect(await ask('capped', 'b', capped)).toBe('running');
    expect(await ask('other', 'c', other)).toBe('waiting');
  });

  it('treats a run without limits as unthrottled and reads a policy from a config, refusing bad values', () => {
    const config = BpsConfig.fromTree({ campaign: 'c1', campaignPriority: 2, campaignMaxRunningJobs: 4, site: { s1: { maxRunningJobs: 8 }, s2: {} } });
    expect(readSlotPolicy(config, 's1')).toEqual({ site: 's1', campaign: 'c1', priority: 2, siteLimit: 8, campaignLimit: 4 });
    expect(readSlotPolicy(config, 's2')).toEqual({ site: 's2', campaign: 'c1', priority: 2, siteLimit: null, campaignLimit: 4 });
    expect([...siteLimits(config)]).toEqual([['s1', 8]]);
    expect(readSlotPolicy(BpsConfig.fromTree({}), 'local')).toEqual({ site: 'local', campaign: '', priority: 3, siteLimit: null, campaignLimit: null });
    expect(() => readSlotPolicy(BpsConfig.fromTree({ campaignPriority: 6 }), 'local')).toThrow(/key 'campaignPriority'.*1 \(highest\) to 5/);
    expect(() => readSlotPolicy(BpsConfig.fromTree({ campaignMaxRunningJobs: 0 }), 'local')).toThrow(/key 'campaignMaxRunningJobs'.*1 or more/);
    expect(() => readSlotPolicy(BpsConfig.fromTree({ site: { other: { maxRunningJobs: -3 } } }), 'local')).toThrow(/key 'site\.other\.maxRunningJobs'.*1 or more/);
    expect(() => readSlotPolicy(BpsConfig.fromTree({ site: { local: { maxRunningJobs: 1.5 } } }), 'local')).toThrow(/key 'site\.local\.maxRunningJobs'/);
  });
});
