// The executor worker of one compute site (`local` WMS): runs jobs as child processes on this host, within the
// CPU and memory slots of wms/local/resources. Start more of them (on more hosts) for more capacity.
// It takes only as many job activities at once as it has CPUs (TBPS_EXECUTOR_SLOTS overrides), so jobs do not sit
// queued inside a worker that may die; it first reaps what a dead executor of this host left (job groups killed,
// their open attempts closed as lost, their activities failed at once so Temporal retries them without waiting for
// the heartbeat timeout); its jobs die with it (jobRegistry), and on SIGTERM it kills them and hands
// them back to Temporal as lost attempts.
import os from 'node:os';
import { Worker } from '@temporalio/worker';
import * as execute from '../activities/execute.js';
import { jobGroups, jobLauncher, markStopping, registryRoot, stopLauncher } from '../activities/jobRegistry.js';
import { closeStore, getStore } from '../activities/storeHandle.js';
import { siteQueue } from '../core/run/queues.js';
import { defaultCapacity } from '../wms/local/resources.js';
import { reapOrphans, type OrphanJob } from '../wms/local/jobGroups.js';
import { ApplicationFailure } from '@temporalio/common';
import { connectClient } from '../temporal/connection.js';
import { connectWorker, shutdownOnSignals } from './connect.js';
import { installTemporalRuntime, log } from './log.js';
import { pilotEnded, pilotJobDone, pilotMode, pilotStarted, startPilotClock } from './pilotMode.js';

const site = process.env.TBPS_SITE ?? process.argv[2] ?? 'local';
const pilot = pilotMode();
installTemporalRuntime();
const { connection, namespace, prefix } = await connectWorker();
const capacity = defaultCapacity();
const slots = Number(process.env.TBPS_EXECUTOR_SLOTS ?? Math.max(1, capacity.cpus));

await reapDeadExecutors();
jobGroups(); // registry directory and watchdog before the first job
await jobLauncher()?.pid(); // and the launcher, so that the first job does not wait for it

const worker = await Worker.create({
  connection,
  namespace,
  taskQueue: siteQueue(prefix, site),
  // A pilot counts the jobs it ran in the store (`tbps pilot list`).
  activities: pilot ? { ...execute, runJob: countedRunJob } : execute,
  maxConcurrentActivityTaskExecutions: slots,
  // A draining pilot lets its running jobs finish (its SIGTERM still stops them at once: markStopping).
  ...(pilot ? { shutdownGraceTime: `${pilot.graceSeconds}s` } : {}),
  // Job heartbeats (every 2 s from the executor) reach the server at least every 2 s whatever the heartbeat
  // timeout, so a short timeout notices a lost executor quickly without false alarms for long jobs.
  maxHeartbeatThrottleInterval: '2s',
  identity: `executor@${os.hostname()}:${process.pid}/${site}`,
});
/** Worker.shutdown, once (a SIGTERM may come while a pilot drains). */
function stopPolling(): void {
  if (worker.getState() === 'RUNNING') worker.shutdown();
}
shutdownOnSignals(() => {
  markStopping();
  stopPolling();
});
const stopClock = pilot
  ? startPilotClock(
      pilot,
      () => stopPolling(),
      () => markStopping(),
    )
  : () => undefined;
log.info({ taskQueue: siteQueue(prefix, site), capacity, slots, pilot: pilot?.pilotId }, 'executor worker started');
if (pilot) await pilotStarted(pilot);
try {
  await worker.run();
} finally {
  stopClock();
  if (pilot) await pilotEnded(pilot);
  const killed = jobGroups().killAll();
  jobGroups().stop();
  stopLauncher();
  if (killed > 0) log.warn({ killed }, 'killed job process groups still running at shutdown');
}
await closeStore();
await connection.close();
log.info('executor worker stopped');

/** runJob of a pilot: the job, then one more in the pilot's count of jobs it finished. */
async function countedRunJob(...args: Parameters<typeof execute.runJob>): ReturnType<typeof execute.runJob> {
  const result = await execute.runJob(...args);
  if (pilot) await pilotJobDone(pilot);
  return result;
}

/** Kills job groups left by dead executors of this host and closes their attempts as lost. */
async function reapDeadExecutors(): Promise<void> {
  const orphans = reapOrphans(registryRoot());
  if (orphans.length === 0) return;
  const store = await getStore();
  let closed = 0;
  for (const o of orphans) {
    if (o.waiting) continue; // no attempt: it never started
    const summary = `executor worker lost: its executor on ${o.host} died while the job ran`;
    try {
      closed += await store.closeOpenAttempts(o.runId, [{ name: o.name, number: o.attempt }], summary);
    } catch (err) {
      log.warn({ runId: o.runId, job: o.name, err: String(err) }, 'could not close the attempt of a reaped job');
    }
  }
  const failed = await handBack(orphans);
  const killed = orphans.reduce((n, o) => n + o.killed, 0);
  log.warn({ jobs: orphans.length, killedProcesses: killed, closedAttempts: closed, handedBack: failed }, 'reaped jobs of a dead executor');
}

/**
 * Fails the activity attempts of a dead executor's jobs (running or waiting for a slot) at once, so that Temporal
 * retries them now rather than at their heartbeat timeout. An attempt already timed out or retried is not found:
 * nothing to do. Returns how many were failed.
 */
async function handBack(orphans: OrphanJob[]): Promise<number> {
  const tokens = orphans.filter((o) => o.taskToken);
  if (tokens.length === 0) return 0;
  let failed = 0;
  try {
    const { client, connection } = await connectClient();
    try {
      for (const o of tokens) {
        const what = o.waiting ? 'while the job waited for a slot' : `while attempt ${o.attempt} ran`;
        const err = ApplicationFailure.retryable(`${o.name}: executor on ${o.host} died ${what}`, 'ExecutorLost');
        try {
          await client.activity.fail(Buffer.from(o.taskToken!, 'base64'), err);
          failed++;
        } catch {
          /* the attempt already timed out or was retried */
        }
      }
    } finally {
      await connection.close();
    }
  } catch (err) {
    log.warn({ err: String(err) }, 'could not hand the jobs of a dead executor back to Temporal; they are retried at their heartbeat timeout');
  }
  return failed;
}
