// A job's slot on its throttled compute site, held while the job runs (the per-site scheduler of store/siteSlots.ts).
// The activity that starts a job waits here before it takes executor resources; a run on a site without limits
// (and without a campaign limit) passes straight through, writing nothing. The lease is renewed while held and
// released when the job ends, also when it fails or is cancelled.
import os from 'node:os';
import type { Store } from '../store/index.js';
import { isThrottled } from '../core/run/slotPolicy.js';
import { RENEW_MS } from '../store/siteSlots.js';

/** How often a waiting job asks again (a release hands slots on at once to whoever asks next). */
const POLL_MS = 500;

export interface HeldSlot {
  release(): Promise<void>;
}

const NOTHING_HELD: HeldSlot = { release: async () => undefined };

/**
 * Waits until the job holds a slot of its site (or until `signal` aborts: throws its reason). `onWait` is called
 * once when the job has to wait.
 */
export async function holdSiteSlot(store: Store, runId: string, job: string, signal: AbortSignal, onWait?: () => void): Promise<HeldSlot> {
  const policy = await store.runSlotPolicy(runId);
  if (!policy || !isThrottled(policy)) return NOTHING_HELD;
  const request = { runId, job, holder: `${os.hostname()}:${process.pid}` };
  let waited = false;
  try {
    while ((await store.acquireSlot(request, policy)) !== 'running') {
      if (!waited) onWait?.();
      waited = true;
      await pause(POLL_MS + Math.floor(Math.random() * POLL_MS), signal);
    }
  } catch (err) {
    await store.releaseSlot(runId, job).catch(() => undefined);
    throw err;
  }
  const renew = setInterval(() => void store.renewSlot(runId, job).catch(() => undefined), RENEW_MS);
  return {
    release: async () => {
      clearInterval(renew);
      await store.releaseSlot(runId, job);
    },
  };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
