// HTCondor activities on the orchestrator queue: prepare and submit a job batch as one DAG, poll it (heartbeating,
// recording job attempts in the store), cancel it with condor_rm. Thin adapters over wms/htcondor.
import { Context } from '@temporalio/activity';
import { BpsConfig } from '../core/config/index.js';
import type { BatchRef, BatchStatus } from '../wms/types.js';
import { HTCondorWms } from '../wms/htcondor/index.js';
import { htcondorSettings } from '../wms/htcondor/settings.js';
import { readSavedConfig } from '../core/submit/savedConfig.js';
import { poolJobEnvironment } from '../lsst/env.js';
import { failOnBadInput } from './inputErrors.js';
import { getStore } from './storeHandle.js';

const cache = new Map<string, HTCondorWms>();

/** The plugin for a run: command prefix, extra submit commands and share group from the run's saved config. */
async function wmsFor(ref: BatchRef): Promise<HTCondorWms> {
  const hit = cache.get(ref.submitPath);
  if (hit) return hit;
  const saved = readSavedConfig(ref.submitPath);
  const settings = htcondorSettings(BpsConfig.fromTree(saved.tree, saved.sources), process.env);
  const w = new HTCondorWms({ ...settings, store: await getStore(), baseEnvironment: poolJobEnvironment() });
  if (cache.size > 100) cache.clear();
  cache.set(ref.submitPath, w);
  return w;
}

/** Writes the batch's DAG and submit files; a missing saved config or input file fails at once (no retries). */
export async function prepareBatch(ref: BatchRef): Promise<void> {
  await failOnBadInput(async () => (await wmsFor(ref)).prepare(ref));
}

export async function submitBatch(ref: BatchRef): Promise<string> {
  return failOnBadInput(async () => (await wmsFor(ref)).submit(ref));
}

/**
 * Polls the DAG every `pollSeconds` for up to `maxSeconds` (heartbeating) and returns early when it is done.
 * Each poll reads only new events, so the cost is bounded by what happened since the last one.
 */
export async function pollBatch(ref: BatchRef & { wmsId: string; pollSeconds: number; maxSeconds: number }): Promise<BatchStatus> {
  const ctx = Context.current();
  const w = await wmsFor(ref);
  const until = Date.now() + ref.maxSeconds * 1000;
  for (;;) {
    const st = await w.poll(ref, ref.wmsId);
    ctx.heartbeat(st.counts);
    if (st.done || Date.now() + ref.pollSeconds * 1000 > until) return st;
    await ctx.sleep(ref.pollSeconds * 1000);
  }
}

/** condor_rm the DAG (DAGMan removes its node jobs), wait until it left the queue, record what ended. */
export async function cancelBatch(ref: BatchRef & { wmsId: string }): Promise<BatchStatus> {
  const ctx = Context.current();
  const w = await wmsFor(ref);
  await w.cancel(ref, ref.wmsId);
  const until = Date.now() + 120_000;
  for (;;) {
    const st = await w.poll(ref, ref.wmsId);
    ctx.heartbeat();
    if (st.done || Date.now() > until) return st;
    await new Promise((r) => setTimeout(r, 2000));
  }
}
