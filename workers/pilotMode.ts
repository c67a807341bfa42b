// An executor worker started as a pilot (`tbps pilot submit`: TBPS_PILOT_ID and TBPS_PILOT_WALLTIME_SECONDS in its
// environment): it records itself in the store (RUNNING with its host, each job it ran, DRAINING, ENDED), and
// before its walltime ends it drains: it stops taking jobs (Worker.shutdown), lets running ones finish until
// HAND_BACK_MARGIN_SECONDS before the end, then hands back what still runs (retried by other executors) and exits.
import os from 'node:os';
import { drainSeconds, FINAL_PILOT_STATES, HAND_BACK_MARGIN_SECONDS } from '../core/pilots/request.js';
import { getStore } from '../activities/storeHandle.js';
import { log } from './log.js';

export interface PilotMode {
  pilotId: string;
  walltimeSeconds: number;
  /** Seconds the worker gives running jobs after shutdown (Worker's shutdownGraceTime). */
  graceSeconds: number;
}

/** The pilot settings of this process, if it is one. */
export function pilotMode(env: NodeJS.ProcessEnv = process.env): PilotMode | undefined {
  const pilotId = env.TBPS_PILOT_ID;
  if (!pilotId) return undefined;
  const walltimeSeconds = Number(env.TBPS_PILOT_WALLTIME_SECONDS);
  if (!(walltimeSeconds > 0)) throw new Error(`pilot ${pilotId}: TBPS_PILOT_WALLTIME_SECONDS must be a number of seconds > 0`);
  const drain = Number(env.TBPS_PILOT_DRAIN_SECONDS ?? drainSeconds(walltimeSeconds));
  return { pilotId, walltimeSeconds, graceSeconds: Math.max(1, drain - HAND_BACK_MARGIN_SECONDS) };
}

/** Best effort: a store that does not answer must not stop the pilot from working. */
async function record(what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.warn({ err: String(err) }, `pilot: could not record ${what} in the store`);
  }
}

/**
 * Starts the pilot's clock: at walltime - drain it calls `drain` (stop taking jobs), at walltime - margin
 * `handBack` (stop what runs). Returns a function that stops the timers.
 */
export function startPilotClock(mode: PilotMode, drain: () => void, handBack: () => void): () => void {
  const drainAt = Math.max(0, mode.walltimeSeconds - mode.graceSeconds - HAND_BACK_MARGIN_SECONDS) * 1000;
  const handBackAt = Math.max(0, mode.walltimeSeconds - HAND_BACK_MARGIN_SECONDS) * 1000;
  const timers = [
    setTimeout(() => {
      log.info({ pilot: mode.pilotId }, 'pilot draining: no new jobs; running ones may finish');
      void record('its drain', async () => (await getStore()).updatePilot(mode.pilotId, { state: 'DRAINING' }, [...FINAL_PILOT_STATES]));
      drain();
    }, drainAt),
    setTimeout(() => {
      log.warn({ pilot: mode.pilotId }, 'pilot walltime nearly over: handing back the jobs still running');
      handBack();
    }, handBackAt),
  ];
  for (const t of timers) t.unref();
  return () => timers.forEach(clearTimeout);
}

export function pilotStarted(mode: PilotMode): Promise<void> {
  return record('its start', async () => (await getStore()).updatePilot(mode.pilotId, { state: 'RUNNING', startedAt: new Date().toISOString(), host: os.hostname() }, [...FINAL_PILOT_STATES]));
}

export function pilotJobDone(mode: PilotMode): Promise<void> {
  return record('a job', async () => (await getStore()).countPilotJob(mode.pilotId));
}

/** ENDED, unless the pilot was cancelled (the CLI wrote CANCELLED): that state stays, with the end time. */
export async function pilotEnded(mode: PilotMode): Promise<void> {
  const endedAt = new Date().toISOString();
  await record('its end', async () => {
    const store = await getStore();
    if (!(await store.updatePilot(mode.pilotId, { state: 'ENDED', endedAt }, [...FINAL_PILOT_STATES]))) await store.updatePilot(mode.pilotId, { endedAt });
  });
}
