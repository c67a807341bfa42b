// One chaos soak: a private cluster (SQLite dev server, orchestrator, two executors), a campaign started through
// the real CLI, kills and one server restart at seeded random points of its progress, then the checks of
// checks.ts. Shared by `npm run soak` (bench/soak.ts) and tests/integration/soak.test.ts.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { openStore, type Store } from '../../../store/index.js';
import type { CampaignStatus } from '../../../core/campaign/index.js';
import { Chaos, chaosSchedule } from './chaos.js';
import { evaluateSoak, readCampaignJobs, type SoakResult } from './checks.js';
import { MARKER, startCluster, type Cluster } from './cluster.js';
import { markedProcesses } from './procs.js';
import { searchAttributeCensus } from './searchAttributes.js';
import { seededRandom } from './prng.js';
import { readExecutions } from './synthetic.js';

/** What a mode brings: a campaign spec to start, and what to verify at the end. */
export interface SoakWorkload {
  campaign: string;
  specFile: string;
  /** Synthetic mode: the jobs' executions file. */
  executionsFile?: string;
  /** Jobs the campaign will have in all (an estimate is fine: it only places the chaos points). */
  expectedJobs(store: Store): Promise<number>;
  /** Mode-specific checks and figures after the campaign ended. */
  verify?(cluster: Cluster): Promise<{ checks: Record<string, boolean>; figures: Record<string, string | number> }>;
}

export interface SoakOptions {
  seed: number;
  kills: number;
  serverRestarts: number;
  mode: string;
  executorCpus: number;
  /** Give up waiting for the campaign after this many seconds. */
  timeoutSeconds: number;
  /** Writes the workload's files into the cluster's home (it runs before the campaign starts). */
  workload(cluster: Cluster): Promise<SoakWorkload> | SoakWorkload;
  /** Keep the temp dir even when every check passed. */
  keep?: boolean;
  /** Progress lines (stderr in the script). */
  say?: (line: string) => void;
}

export interface SoakOutcome extends SoakResult {
  home: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function campaignPhase(client: Client, name: string): Promise<string | undefined> {
  try {
    const s = (await client.workflow.getHandle(`campaign/${name}`).query('status')) as CampaignStatus;
    return s.paused ? 'paused' : s.phase;
  } catch {
    return undefined; // server restarting, or the orchestrator is down: ask again
  }
}

async function succeededJobs(store: Store, campaign: string): Promise<number> {
  let n = 0;
  for (const runId of await store.campaignRunIds(campaign)) n += (await store.stateCounts(runId)).SUCCEEDED ?? 0;
  return n;
}

export async function runSoak(o: SoakOptions): Promise<SoakOutcome> {
  const say = o.say ?? (() => {});
  const random = seededRandom(o.seed);
  const schedule = chaosSchedule(random, o.kills, o.serverRestarts);
  const cluster = await startCluster({ name: `${o.mode}-${o.seed}`, executorCpus: o.executorCpus, executors: 2 });
  say(`soak home ${cluster.home}, server ${cluster.address}`);
  const chaos = new Chaos(cluster, random);
  let store: Store | undefined;
  let connection: Connection | undefined;
  try {
    // Workers up before the workload (the LSST mode runs a plain campaign first) and before the clock starts.
    for (let i = 0; i < 240 && cluster.tbps(['ping']).code !== 0; i++) await sleep(500);
    const workload = await o.workload(cluster);
    store = await openStore(path.join(cluster.home, 'tbps.sqlite'));
    connection = await Connection.connect({ address: cluster.address });
    const client = new Client({ connection });
    const t0 = Date.now();
    const started = cluster.tbps(['campaign', 'start', workload.specFile]);
    if (started.code !== 0) throw new Error(`tbps campaign start failed (exit ${started.code}): ${started.stderr || started.stdout}`);
    say(`campaign ${workload.campaign} started; chaos at progress ${schedule.map((e) => `${e.kind}@${e.atProgress.toFixed(2)}`).join(' ')}`);

    let state = 'running';
    let pausedSince: number | undefined;
    let lastPhaseAsk = 0;
    let lastSay = 0;
    const deadline = t0 + o.timeoutSeconds * 1000;
    for (;;) {
      const expected = Math.max(1, await workload.expectedJobs(store));
      const progress = (await succeededJobs(store, workload.campaign)) / expected;
      while (schedule.length && schedule[0].atProgress <= progress) {
        const event = schedule.shift()!;
        await chaos.run(event);
        say(`${((Date.now() - t0) / 1000).toFixed(1)} s, progress ${progress.toFixed(2)}: ${event.kind === 'kill' ? `killed ${chaos.log.kills.at(-1)!.target} (${chaos.log.kills.at(-1)!.runningJobs.length} jobs running)` : 'restarted the dev server'}`);
      }
      if (Date.now() - lastPhaseAsk > 2000) {
        lastPhaseAsk = Date.now();
        const phase = await campaignPhase(client, workload.campaign);
        if (phase && phase !== 'running') {
          if (phase !== 'paused') {
            state = phase;
            break;
          }
          pausedSince ??= Date.now();
          if (Date.now() - pausedSince > 15_000) {
            state = 'paused';
            break;
          }
        } else pausedSince = undefined;
      }
      if (Date.now() - lastSay > 15_000) {
        lastSay = Date.now();
        say(`${((Date.now() - t0) / 1000).toFixed(0)} s: progress ${progress.toFixed(2)} of ~${expected} jobs`);
      }
      if (Date.now() > deadline) {
        state = `timeout(${(await campaignPhase(client, workload.campaign)) ?? 'unknown'})`;
        break;
      }
      await sleep(250);
    }
    const wallSeconds = (Date.now() - t0) / 1000;
    say(`campaign ended: ${state} after ${wallSeconds.toFixed(1)} s`);
    await chaos.settle();
    const verified = workload.verify ? await workload.verify(cluster) : undefined;
    const census = await searchAttributeCensus(client, workload.campaign, await store.campaignRunIds(workload.campaign));
    for (const w of [...census.withoutCampaign, ...census.withoutRun].slice(0, 5)) say(`workflow without BpsCampaign/BpsRun: ${w}`);
    const jobs = await readCampaignJobs(store, workload.campaign);
    // Job processes still alive after the end: give a job that just finished a moment to exit, then stop the
    // workers (gracefully) and look for anything carrying the soak's marker.
    await sleep(2000);
    const workerCrashes = cluster.unexpectedExits.length;
    for (const e of cluster.unexpectedExits) say(`unexpected worker exit: ${e}`);
    await connection.close();
    connection = undefined;
    await store.close();
    store = undefined;
    await cluster.stop();
    const orphans = markedProcesses(MARKER, cluster.home, new Set());
    for (const p of orphans) {
      say(`orphan process ${p.pid} (${p.run ?? '?'}/${p.job ?? '?'}), killed`);
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    const result = evaluateSoak({
      seed: o.seed,
      mode: o.mode,
      killsRequested: o.kills,
      serverRestartsRequested: o.serverRestarts,
      campaignState: state,
      jobs,
      chaos: chaos.log,
      executions: workload.executionsFile ? readExecutions(workload.executionsFile) : undefined,
      orphanProcesses: orphans.length,
      workerCrashes,
      wallSeconds,
      extraChecks: { every_workflow_has_campaign_and_run_attributes: census.workflows > 0 && census.withoutCampaign.length + census.withoutRun.length === 0, ...verified?.checks },
      extraFigures: { workflows: census.workflows, workflows_without_campaign_attribute: census.withoutCampaign.length, workflows_without_run_attribute: census.withoutRun.length, ...verified?.figures },
    });
    // For a post-mortem: the chaos log (what was killed when, which jobs were running) and the result.
    writeFileSync(path.join(cluster.home, 'soak-result.json'), JSON.stringify({ options: { seed: o.seed, kills: o.kills, mode: o.mode }, chaos: chaos.log, ...result }, null, 2));
    if (result.failed.length === 0 && !o.keep) rmSync(cluster.home, { recursive: true, force: true });
    return { ...result, home: cluster.home };
  } finally {
    await connection?.close();
    await store?.close();
    await chaos.settle();
    await cluster.stop().catch(() => {});
  }
}
