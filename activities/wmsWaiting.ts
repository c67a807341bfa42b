// Makes a workload system that does not answer visible while Temporal retries the call: a failed submit or poll
// records "waiting for <wms>: <its error>, retry N" on the run in the store (report, status, dashboard) and signals
// the run workflow, which mirrors it into the BpsWmsWaiting search attribute; the next call that succeeds clears
// both. One store write per failure and, per run and process, one on the first success: no per-job state.
import { Context } from '@temporalio/activity';
import { isBadInput } from '../core/errors.js';
import { runWorkflowId } from '../core/run/queues.js';
import { formatWmsWaiting, WMS_WAITING_SIGNAL } from '../core/run/wmsWaiting.js';
import { isInputFileError } from './inputErrors.js';
import { getStore } from './storeHandle.js';

/** Runs whose note this process knows to be clear (so a success writes nothing). */
const knownClear = new Set<string>();

/** Calls the workload system `wms` for the run; a failure is noted on the run before it propagates. */
export async function callWms<T>(runId: string, wms: string, call: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await call();
  } catch (err) {
    if (!isBadInput(err) && !isInputFileError(err)) await noteWaiting(runId, wms, err);
    throw err;
  }
  if (!knownClear.has(runId)) await clearWaiting(runId);
  return result;
}

async function noteWaiting(runId: string, wms: string, err: unknown): Promise<void> {
  knownClear.delete(runId);
  // A failed command (wms/command.ts) carries what it printed ("sbatch: error: ..."): shorter than its whole argv.
  const output = (err as { output?: unknown } | null)?.output;
  const text = typeof output === 'string' && output.trim() ? output : err instanceof Error ? err.message : String(err);
  const note = formatWmsWaiting(wms, text, Context.current().info.attempt);
  await publish(runId, note);
}

async function clearWaiting(runId: string): Promise<void> {
  await publish(runId, '');
  if (knownClear.size > 10_000) knownClear.clear();
  knownClear.add(runId);
}

/** Writes the note (or '' to clear it) and, when it changed, tells the run workflow. Never masks the WMS's error. */
async function publish(runId: string, note: string): Promise<void> {
  const ctx = Context.current();
  try {
    const changed = await (await getStore()).setRunWaiting(runId, note);
    if (changed) await ctx.client.workflow.getHandle(runWorkflowId(runId)).signal(WMS_WAITING_SIGNAL, note);
  } catch (err) {
    ctx.log.warn(`run ${runId}: could not record that its workload system does not answer: ${(err as Error).message}`);
  }
}
