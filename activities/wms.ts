// Workload-system activities on the orchestrator queue, for any external system (wms/index.ts): prepare and submit a
// job batch (or a job unit) as one unit, poll it (heartbeating; the system records job attempts in the store),
// cancel it. Thin adapters: the system is picked by the run's WMS name (the workflow passes it; runs started
// before it did: the saved config's wmsServiceClass) and built by its plugin from the run's saved config.
// Activity names are the same for every system (and as before the contract), so recorded histories resolve.
import { Context } from '@temporalio/activity';
import { BpsConfig } from '../core/config/index.js';
import { readSavedConfig } from '../core/submit/savedConfig.js';
import { poolJobEnvironment } from '../lsst/env.js';
import { externalWmsPlugin } from '../wms/index.js';
import type { BatchRef, BatchStatus, WorkloadSystem } from '../wms/types.js';
import { failOnBadInput } from './inputErrors.js';
import { getStore } from './storeHandle.js';

/** A unit of a run on its workload system: `wms` is the run's WMS name (absent in inputs of older runs). */
export type WmsUnitRef = BatchRef & { wms?: string };

const cache = new Map<string, WorkloadSystem>();

/** The run's workload system, built from its saved config (cached per submit directory and system). */
async function systemFor(ref: WmsUnitRef): Promise<WorkloadSystem> {
  const saved = readSavedConfig(ref.submitPath);
  const config = BpsConfig.fromTree(saved.tree, saved.sources);
  const name = ref.wms ?? String(config.has('wmsServiceClass') ? (config.get('wmsServiceClass') ?? 'local') : 'local');
  const plugin = externalWmsPlugin(name);
  const key = `${plugin.name}\0${ref.submitPath}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const system = plugin.create({ config, store: await getStore(), baseEnvironment: poolJobEnvironment(), env: process.env });
  if (cache.size > 100) cache.clear();
  cache.set(key, system);
  return system;
}

/** Writes the unit's WMS files; a missing saved config or input file, or an unknown WMS, fails at once (no retries). */
export async function prepareBatch(ref: WmsUnitRef): Promise<void> {
  await failOnBadInput(async () => (await systemFor(ref)).prepare(unitOf(ref)));
}

export async function submitBatch(ref: WmsUnitRef): Promise<string> {
  return failOnBadInput(async () => (await systemFor(ref)).submit(unitOf(ref)));
}

/**
 * Polls the unit every `pollSeconds` for up to `maxSeconds` (heartbeating) and returns early when it is done.
 * Each poll costs what changed since the last one (the contract's bounded poll).
 */
export async function pollBatch(ref: WmsUnitRef & { wmsId: string; pollSeconds: number; maxSeconds: number }): Promise<BatchStatus> {
  const ctx = Context.current();
  const system = await failOnBadInput(() => systemFor(ref));
  const unit = unitOf(ref);
  const until = Date.now() + ref.maxSeconds * 1000;
  for (;;) {
    const status = await system.poll(unit, ref.wmsId);
    ctx.heartbeat(status.counts);
    if (status.done || Date.now() + ref.pollSeconds * 1000 > until) return status;
    await ctx.sleep(ref.pollSeconds * 1000);
  }
}

/** Removes the unit from its WMS, polls until it left (at most 2 minutes), records what ended. */
export async function cancelBatch(ref: WmsUnitRef & { wmsId: string }): Promise<BatchStatus> {
  const ctx = Context.current();
  const system = await failOnBadInput(() => systemFor(ref));
  const unit = unitOf(ref);
  await system.cancel(unit, ref.wmsId);
  const until = Date.now() + 120_000;
  for (;;) {
    const status = await system.poll(unit, ref.wmsId);
    ctx.heartbeat();
    if (status.done || Date.now() > until) return status;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** The unit as the system sees it (without the dispatch field). */
function unitOf(ref: WmsUnitRef): BatchRef {
  return { runId: ref.runId, batch: ref.batch, submitPath: ref.submitPath, job: ref.job, final: ref.final };
}
