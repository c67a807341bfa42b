// The HTCondor workload system: one job batch = one DAGMan DAG (one submit description per job), submitted with
// condor_submit_dag, polled through the DAG's event log (incrementally: O(new events) per poll) and its node
// status file, cancelled with condor_rm. Every condor_* command goes through a configurable command prefix
// (e.g. `bash scripts/htcondor.sh exec` for the test pool in a chroot; empty on a site where condor_* are on PATH).
// Job attempts (one per HTCondor execution of a node's job) are recorded in the store, idempotently.
// pipetaskInit and finalJob are one-node DAGs of their own (finalJob as a FINAL node), driven the same way.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { copyFileUnder, mkdirUnder, writeFileUnder } from '../../core/files/confined.js';
import { decideRetry } from '../../core/run/retryDecision.js';
import type { BatchJobs } from '../../core/run/types.js';
import { ACTIVE_STATES, isTerminal, zeroCounts, type State } from '../../core/states.js';
import { parsePrefix } from '../command.js';
import { memoryForAttempt } from '../../core/run/memory.js';
import type { BatchRef, BatchStatus, PingResult, WmsStore, WorkloadSystem } from '../types.js';
import { pingPool } from './ping.js';
import { failureFromLogs } from '../failureLogs.js';
import { DAG_FINISHED, NODE_STATE, readNodeStatus } from './nodeStatus.js';
import { EXIT_HOLD_SUBCODE, SIGKILL_HOLD_SUBCODE, dagText, type DagNode, jobLogBase, memoryCap, nodeName, submitDescription } from './submitFiles.js';
import { shareSubmitTree, shareWritableDir, type ShareGroup } from './share.js';
import { dagNode, eventIso, execHost, exitOf, heldExitCode, holdCodes, memoryUsage, readEvents, reason, type LogEvent } from './userLog.js';
import type { UnitJobs } from './unitJobs.js';
import { savedConfigPath, sha256 } from '../../core/submit/savedConfig.js';

const run = promisify(execFile);

/** What the HTCondor plugin needs from the store (the contract's store view). */
export type HTCondorStore = WmsStore;

export interface HTCondorOptions {
  /** Argument vector put before every condor_* command. */
  commandPrefix: string[];
  /** The run/job store; absent only for `tbps prepare`, which writes files from the generic workflow (prepareFrom). */
  store?: HTCondorStore;
  /** Extra submit commands for every job. */
  extraSubmit?: string[];
  /** Environment every job starts from (the job's own goes on top). */
  baseEnvironment?: Record<string, string>;
  /**
   * The group the submit tree is shared with when the jobs run as another user (share.ts): directories the jobs
   * and DAGMan write are 2770 of this group. Undefined: nothing shared (the jobs run as the submitting user).
   */
  shareGroup?: ShareGroup;
}

interface NodeInfo {
  name: string;
  label: string;
  requestMemory: number;
  multiplier: number;
  cap: number;
  /** For the retry decision of a held non-zero exit (absent in DAGs prepared before: [1, 2] and 1). */
  retryUnlessExit?: number[];
  maxAttempts?: number;
}

interface PollState {
  offset: number;
  /** cluster -> node and the number of executions seen (= attempt of the current/last execution). */
  clusters: Record<string, { node: string; starts: number; open: boolean; readyAt?: string }>;
}

const TRY_FILE = 'current';
/** Marks a DAG that holds every unfinished job of its batch (none left out as pruned): its rescue DAG can restart it. */
const COMPLETE_FILE = 'complete';
/** Names the rescue DAG a restart resubmits with (condor_submit_dag -autorescue). */
const RESCUE_FILE = 'rescue';
/** Written by cancel before condor_rm: what the removal ends (failed or futile nodes) is DELETED, not FAILED/PRUNED. */
const CANCELLED_FILE = 'cancelled';
/**
 * Marks a unit's files written by `tbps prepare`; holds the sha256 of the saved config they were made with. A run
 * submitted with that config submits them as they are (no rewrite) while nothing has made its jobs differ.
 */
export const PREPARED_FILE = 'prepared';

export { parsePrefix };

export class HTCondorWms implements WorkloadSystem {
  readonly name = 'htcondor';
  readonly mode = 'external' as const;
  #o: HTCondorOptions;

  constructor(o: HTCondorOptions) {
    this.#o = o;
  }

  get #store(): HTCondorStore {
    if (!this.#o.store) throw new Error('the HTCondor plugin was made without a store (prepare-only); it cannot submit or poll');
    return this.#o.store;
  }

  /** The unit's jobs as the store knows them (states decide what a DAG leaves out). */
  #storeJobs(): UnitJobs {
    return {
      jobsOf: (b) => this.#jobsOf(b),
      specOf: (b, name) => this.#store.getJobSpec(b.runId, name),
      markPruned: async (b, names) => {
        if (names.length > 0) await this.#store.setJobStates(b.runId, names, 'PRUNED');
      },
    };
  }

  /** Runs a condor_* command through the prefix in `cwd`. */
  async condor(cmd: string, args: string[], cwd: string): Promise<string> {
    const argv = [...this.#o.commandPrefix, cmd, ...args];
    try {
      const r = await run(argv[0], argv.slice(1), { cwd, maxBuffer: 64 << 20, timeout: 300_000 });
      return r.stdout;
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${argv.join(' ')} failed in ${cwd}: ${(e.stderr || e.stdout || e.message).trim().slice(0, 2000)}`);
    }
  }

  batchRoot(b: BatchRef): string {
    return path.join(b.submitPath, 'htcondor', dagName(b));
  }

  /** The unit's jobs as a local DAG: a batch from the store, or the one job of a job unit. */
  async #jobsOf(b: BatchRef): Promise<BatchJobs['jobs']> {
    if (!b.job) return (await this.#store.loadBatch(b.runId, b.batch)).jobs;
    const j = await this.#store.getJob(b.runId, b.job);
    if (!j) throw new Error(`run ${b.runId} has no job ${b.job}`);
    return [{ name: b.job, state: j.state, maxAttempts: j.maxAttempts, parents: [], blocked: false }];
  }

  async #counts(b: BatchRef): Promise<Record<State, number>> {
    if (!b.job) return this.#store.batchCounts(b.runId, b.batch);
    const out = zeroCounts();
    const j = await this.#store.getJob(b.runId, b.job);
    if (j) out[j.state] = 1;
    return out;
  }

  async #pruneBlocked(b: BatchRef): Promise<void> {
    if (!b.job) await this.#store.pruneBlocked(b.runId, b.batch);
  }

  /** The directory of the batch's current submission (each prepare after a submission starts a new one). */
  dir(b: BatchRef): string {
    const root = this.batchRoot(b);
    const f = path.join(root, TRY_FILE);
    if (!existsSync(f)) throw new Error(`batch ${b.batch} of run ${b.runId} was not prepared for HTCondor (${f} missing)`);
    return path.join(root, readFileSync(f, 'utf8').trim());
  }

  dagFile(b: BatchRef): string {
    return path.join(this.dir(b), `${dagName(b)}.dag`);
  }

  /** A directory the pool writes into (DAGMan's files, job logs): shared through the group, never world-writable. */
  #share(b: BatchRef, dir: string): void {
    if (this.#o.shareGroup) shareWritableDir(b.submitPath, dir, this.#o.shareGroup);
    else mkdirUnder(b.submitPath, dir);
  }

  /** Every file the plugin writes stays in the run's submit directory (core/files/confined.ts). */
  #write(b: BatchRef, file: string, data: string): void {
    writeFileUnder(b.submitPath, file, data);
  }

  /**
   * Writes the unit's DAG and submit files from the store, unless `tbps prepare` wrote them for this run's config
   * and nothing since made the unit's jobs differ (then they are submitted as they are).
   */
  async prepare(b: BatchRef): Promise<void> {
    const jobs = this.#storeJobs();
    if (await this.#preparedFilesHold(b, jobs)) return;
    await this.#writeUnit(b, jobs);
  }

  /**
   * `tbps prepare`: writes the unit's files from `jobs` (the generic workflow) and marks them with the sha256 of the
   * saved config they were made with. Returns the unit's directory.
   */
  async prepareFrom(b: BatchRef, jobs: UnitJobs, configSha256: string): Promise<string> {
    await this.#writeUnit(b, jobs, configSha256);
    return this.dir(b);
  }

  /**
   * Whether the unit's current files are those `tbps prepare` wrote for this run: marked with the sha256 of the
   * run's saved config, never submitted, and holding exactly the unit's jobs, none of which ran or is blocked by a
   * failure upstream (which would leave jobs out). The directories the pool writes into are shared as prepare does.
   */
  async #preparedFilesHold(b: BatchRef, source: UnitJobs): Promise<boolean> {
    const root = this.batchRoot(b);
    const cur = path.join(root, TRY_FILE);
    if (!existsSync(cur)) return false;
    const dir = path.join(root, readFileSync(cur, 'utf8').trim());
    const mark = path.join(dir, PREPARED_FILE);
    if (!existsSync(mark) || existsSync(path.join(dir, 'wms_id')) || !existsSync(path.join(dir, 'nodes.json'))) return false;
    const saved = savedConfigPath(b.submitPath);
    if (!existsSync(saved) || readFileSync(mark, 'utf8').trim() !== sha256(readFileSync(saved))) return false;
    const info = JSON.parse(readFileSync(path.join(dir, 'nodes.json'), 'utf8')) as Record<string, NodeInfo>;
    const names = new Set(Object.values(info).map((n) => n.name));
    const jobs = await source.jobsOf(b);
    const fresh = (j: (typeof jobs)[number]) => names.has(j.name) && (j.state === 'UNREADY' || j.state === 'READY') && !j.blocked;
    if (jobs.length !== names.size || !jobs.every(fresh)) return false;
    this.#shareUnitDirs(b, dir, new Set(Object.values(info).map((n) => n.label)));
    return true;
  }

  /** The directories of a unit the pool writes into (DAGMan's files, job logs per label). */
  #shareUnitDirs(b: BatchRef, dir: string, labels: Set<string>): void {
    if (this.#o.shareGroup) shareSubmitTree(b.submitPath, this.#o.shareGroup); // once per tree: a no-op after
    for (const d of [path.join(b.submitPath, 'htcondor'), this.batchRoot(b), dir, path.join(dir, 'jobs'), path.join(b.submitPath, 'jobs')]) this.#share(b, d);
    for (const l of labels) this.#share(b, path.join(b.submitPath, 'jobs', l));
  }

  async #writeUnit(b: BatchRef, source: UnitJobs, preparedWith?: string): Promise<void> {
    const root = this.batchRoot(b);
    if (this.#o.shareGroup) shareSubmitTree(b.submitPath, this.#o.shareGroup);
    mkdirUnder(b.submitPath, root);
    // Reuse a prepared but never submitted directory (`tbps prepare`'s, or a retried activity's); else a fresh one.
    let tryName: string;
    let prevDir: string | undefined;
    const cur = path.join(root, TRY_FILE);
    const curName = existsSync(cur) ? readFileSync(cur, 'utf8').trim() : undefined;
    if (curName && !existsSync(path.join(root, curName, 'wms_id'))) tryName = curName;
    else {
      tryName = `try${readdirSync(root).filter((f) => f.startsWith('try')).length + 1}`;
      if (curName) prevDir = path.join(root, curName);
    }
    const dir = path.join(root, tryName);
    for (const f of [COMPLETE_FILE, RESCUE_FILE, PREPARED_FILE]) rmSync(path.join(dir, f), { force: true });
    this.#shareUnitDirs(b, dir, new Set());

    const jobs = await source.jobsOf(b);
    // Jobs that cannot run (a failed ancestor outside the batch) are pruned now and left out of the DAG;
    // SUCCEEDED jobs are left out (as in a rescue DAG) and their edges dropped.
    const excluded = new Array<boolean>(jobs.length).fill(false);
    const pruned: string[] = [];
    const nodes: DagNode[] = [];
    const info: Record<string, NodeInfo> = {};
    const labels = new Set<string>();
    let deadLeftOut = false;
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i];
      if (j.state === 'SUCCEEDED') {
        excluded[i] = true;
        continue;
      }
      const dead = j.blocked || j.state === 'FAILED' || j.state === 'PRUNED' || j.parents.some((p) => excluded[p] && jobs[p].state !== 'SUCCEEDED');
      if (dead) {
        excluded[i] = true;
        deadLeftOut = true;
        if (j.state !== 'FAILED' && j.state !== 'PRUNED') pruned.push(j.name);
        continue;
      }
      const spec = await source.specOf(b, j.name);
      const node = nodeName(spec.name);
      const subFile = `jobs/${node}.sub`;
      this.#write(b, path.join(dir, subFile), submitDescription(spec, { runId: b.runId, batch: b.batch, submitPath: b.submitPath, extraSubmit: this.#o.extraSubmit, baseEnvironment: this.#o.baseEnvironment }));
      labels.add(spec.label);
      info[node] = {
        name: spec.name,
        label: spec.label,
        requestMemory: spec.requestMemory,
        multiplier: spec.memoryMultiplier > 0 ? spec.memoryMultiplier : 1,
        cap: memoryCap(spec),
        retryUnlessExit: spec.retryUnlessExit,
        maxAttempts: spec.numberOfRetries + 1,
      };
      nodes.push({ node, subFile, final: b.final, parents: j.parents.filter((p) => !excluded[p]).map((p) => nodeName(jobs[p].name)) });
    }
    for (const l of labels) this.#share(b, path.join(b.submitPath, 'jobs', l));
    await source.markPruned(b, pruned);
    const dag = `${dagName(b)}.dag`;
    // Restart: when the previous DAG held every unfinished job and nothing is left out now, resubmit that DAG with
    // DAGMan's rescue file (nodes it marks DONE are skipped); else a new DAG of what is left.
    const rescue = !b.job && prevDir && !deadLeftOut && existsSync(path.join(prevDir, COMPLETE_FILE)) ? latestRescue(prevDir, dag) : undefined;
    if (prevDir && rescue) {
      for (const f of readdirSync(path.join(prevDir, 'jobs'))) if (!existsSync(path.join(dir, 'jobs', f))) copyFileUnder(b.submitPath, path.join(prevDir, 'jobs', f), path.join(dir, 'jobs', f));
      const prevInfo = JSON.parse(readFileSync(path.join(prevDir, 'nodes.json'), 'utf8')) as Record<string, NodeInfo>;
      for (const [node, n] of Object.entries(prevInfo)) info[node] ??= n;
      copyFileUnder(b.submitPath, path.join(prevDir, dag), path.join(dir, dag));
      copyFileUnder(b.submitPath, path.join(prevDir, rescue), path.join(dir, rescue));
      this.#write(b, path.join(dir, RESCUE_FILE), rescue);
    } else this.#write(b, path.join(dir, dag), dagText(nodes, `${dagName(b)}.status`));
    if (!deadLeftOut) this.#write(b, path.join(dir, COMPLETE_FILE), '');
    this.#write(b, path.join(dir, 'nodes.json'), JSON.stringify(info));
    this.#write(b, path.join(dir, 'poll.json'), JSON.stringify({ offset: 0, clusters: {} } satisfies PollState));
    if (preparedWith) this.#write(b, path.join(dir, PREPARED_FILE), preparedWith);
    this.#write(b, cur, tryName);
  }

  async submit(b: BatchRef): Promise<string> {
    const dir = this.dir(b);
    const idFile = path.join(dir, 'wms_id');
    if (existsSync(idFile)) return readFileSync(idFile, 'utf8').trim(); // a retried activity: already submitted
    const info = JSON.parse(readFileSync(path.join(dir, 'nodes.json'), 'utf8')) as Record<string, NodeInfo>;
    if (Object.keys(info).length === 0) {
      this.#write(b, idFile, 'none');
      return 'none';
    }
    const dag = `${dagName(b)}.dag`;
    const batchName = `${b.runId}_${b.job ? nodeName(b.job) : `b${b.batch}`}`;
    // A rescue submission must not use -f (it would set the rescue DAG aside); clear what a lost attempt left.
    const rescue = existsSync(path.join(dir, RESCUE_FILE));
    if (rescue) rmSync(path.join(dir, `${dag}.condor.sub`), { force: true });
    const out = await this.condor('condor_submit_dag', [...(rescue ? ['-autorescue', '1'] : ['-f']), '-batch-name', batchName, dag], dir);
    const m = /submitted to cluster (\d+)/.exec(out);
    if (!m) throw new Error(`condor_submit_dag gave no cluster id: ${out.trim().slice(0, 500)}`);
    this.#write(b, idFile, m[1]);
    return m[1];
  }

  async poll(b: BatchRef, wmsId: string): Promise<BatchStatus> {
    const store = this.#store;
    const dir = this.dir(b);
    if (wmsId === 'none') {
      await this.#pruneBlocked(b);
      return { counts: await this.#counts(b), done: true };
    }
    const info = JSON.parse(readFileSync(path.join(dir, 'nodes.json'), 'utf8')) as Record<string, NodeInfo>;
    const stateFile = path.join(dir, 'poll.json');
    const st = JSON.parse(readFileSync(stateFile, 'utf8')) as PollState;
    // Read the node status first: a DAG seen finished here has all its events in the log already.
    const status = readNodeStatus(path.join(dir, `${dagName(b)}.status`));
    let finished = !!status && DAG_FINISHED.has(status.dagStatus);
    if (!finished) finished = !(await this.inQueue(wmsId, dir));
    const { events, offset } = readEvents(path.join(dir, `${dagName(b)}.dag.nodes.log`), st.offset);
    const pending: string[] = [];
    const released: string[] = [];
    const cancelled = existsSync(path.join(dir, CANCELLED_FILE));
    for (const e of events) await this.#apply(b, e, st, info, pending, released, cancelled);
    if (pending.length) await store.setJobStates(b.runId, pending, 'PENDING', ['UNREADY', 'READY']);
    if (released.length) await store.setJobStates(b.runId, released, 'PENDING', ['HELD']);
    st.offset = offset;
    this.#write(b, stateFile, JSON.stringify(st));

    const final = finished ? readNodeStatus(path.join(dir, `${dagName(b)}.status`)) ?? status : status;
    if (final) {
      const byState = new Map<State, string[]>();
      for (const [node, n] of final.nodes) {
        const job = info[node];
        if (!job) continue;
        let s = NODE_STATE[n.status] ?? 'UNKNOWN';
        if (n.status === 3 && n.held > 0) s = 'HELD';
        // Removed by cancel: DAGMan marks the removed nodes failed and their descendants futile. A job that really
        // failed is FAILED in the store already (its terminate event) and stays so.
        if (cancelled && (s === 'FAILED' || s === 'PRUNED')) s = 'DELETED';
        if (s === 'FAILED' || s === 'PRUNED' || s === 'HELD' || s === 'DELETED') (byState.get(s) ?? byState.set(s, []).get(s)!).push(job.name);
      }
      for (const [s, names] of byState) await store.setJobStates(b.runId, names, s, s === 'HELD' ? ['PENDING', 'READY'] : ACTIVE_STATES);
    }
    if (finished) {
      await this.#pruneBlocked(b);
      // What never ended in the DAG (removed with condor_rm): DELETED.
      const names = Object.values(info).map((n) => n.name);
      await store.setJobStates(b.runId, names, 'DELETED', ACTIVE_STATES);
    }
    const counts = await this.#counts(b);
    const done = finished && Object.entries(counts).every(([s, n]) => n === 0 || isTerminal(s as State));
    return { counts, done: finished || done };
  }

  async inQueue(wmsId: string, cwd: string): Promise<boolean> {
    const out = await this.condor('condor_q', [wmsId, '-af', 'JobStatus'], cwd);
    return out.trim() !== '';
  }

  async #apply(b: BatchRef, e: LogEvent, st: PollState, info: Record<string, NodeInfo>, pending: string[], released: string[], cancelled: boolean): Promise<void> {
    const store = this.#store;
    const key = String(e.cluster);
    if (e.code === 0) {
      const node = dagNode(e);
      if (node && info[node]) {
        st.clusters[key] ??= { node, starts: 0, open: false, readyAt: eventIso(e) };
        pending.push(info[node].name);
      }
      return;
    }
    const c = st.clusters[key];
    if (!c) return;
    const job = info[c.node];
    const base = jobLogBase(b.submitPath, job);
    switch (e.code) {
      case 1: {
        // execute: a new attempt
        c.starts++;
        c.open = true;
        const memoryMb = memoryForAttempt({ requestMemory: job.requestMemory, memoryMultiplier: job.multiplier, memoryLimit: Math.max(job.cap, job.requestMemory) }, c.starts);
        await store.recordAttemptStart(b.runId, job.name, c.starts, { host: execHost(e) ?? null, memoryMb, logPath: `${base}.${c.starts}.out`, readyAt: c.readyAt, startedAt: eventIso(e) });
        return;
      }
      case 4: // evicted: with "Job terminated and was requeued" this is a retry
      case 5: {
        if (c.starts === 0) return;
        const { exitCode, signal } = exitOf(e);
        const ok = e.code === 5 && exitCode === 0;
        const requeued = e.code === 4 && /requeued/.test(e.text);
        // Evicted without requeue after our condor_rm: the attempt was cancelled.
        if (e.code === 4 && !requeued && cancelled) {
          c.open = false;
          await store.recordAttemptEnd(b.runId, job.name, c.starts, { state: 'DELETED', errorClass: 'cancelled', errorSummary: 'removed by cancel', endedAt: eventIso(e) });
          return;
        }
        const state: State = ok ? 'SUCCEEDED' : e.code === 4 ? (requeued ? 'READY' : 'PENDING') : 'FAILED';
        c.open = false;
        if (!ok) c.readyAt = eventIso(e); // a retry inside HTCondor is queued again from now
        const failure = ok ? undefined : failureFromLogs(b.submitPath, `${base}.${c.starts}`, exitCode, signal);
        await store.recordAttemptEnd(b.runId, job.name, c.starts, {
          state,
          exitCode,
          signal,
          peakRssMb: memoryUsage(e),
          errorClass: failure?.errorClass ?? null,
          errorLine: failure?.errorLine ?? null,
          errorSummary: failure?.errorSummary ?? null,
          endedAt: eventIso(e),
        });
        return;
      }
      case 12: {
        // held
        const { code, subcode } = holdCodes(e);
        if (code === 3 && subcode === EXIT_HOLD_SUBCODE && c.open && c.starts > 0) {
          await this.#decideExit(b, e, key, c, job, `${base}.${c.starts}`);
          return;
        }
        const oom = code === 34 || (code === 3 && subcode === 34);
        const killed = code === 3 && subcode === SIGKILL_HOLD_SUBCODE;
        if (c.open && c.starts > 0) {
          c.open = false;
          await store.recordAttemptEnd(b.runId, job.name, c.starts, {
            state: 'HELD',
            signal: killed ? 'SIGKILL' : null,
            errorClass: oom ? 'out_of_memory' : 'infrastructure',
            errorSummary: `held: ${reason(e)}`,
            endedAt: eventIso(e),
          });
        } else await store.setJobStates(b.runId, [job.name], 'HELD');
        return;
      }
      case 13:
        // released: queued again from now (the queue wait of the next attempt)
        c.readyAt = eventIso(e);
        released.push(job.name);
        return;
      case 9: {
        // aborted (condor_rm, periodic_remove)
        if (c.open && c.starts > 0) {
          c.open = false;
          await store.recordAttemptEnd(b.runId, job.name, c.starts, { state: 'DELETED', errorClass: 'cancelled', errorSummary: `removed: ${reason(e)}`, endedAt: eventIso(e) });
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * A job that exited non-zero is held (on_exit_hold) until this decides, with the run's error classes and
   * retryUnlessExit (the one decision every WMS uses): released to run again (memory follows NumJobStarts), or
   * removed, which fails its DAG node. Repeating it (a re-read event) finds the job no longer held and does nothing.
   */
  async #decideExit(b: BatchRef, e: LogEvent, cluster: string, c: PollState['clusters'][string], job: NodeInfo, logBase: string): Promise<void> {
    c.open = false;
    const exitCode = heldExitCode(e);
    const failure = failureFromLogs(b.submitPath, logBase, exitCode, null);
    const decision = decideRetry(
      { exitCode, signal: null, oom: false, timedOut: false },
      failure.match,
      { retryUnlessExit: job.retryUnlessExit ?? [1, 2] },
      c.starts,
      job.maxAttempts ?? 1,
    );
    await this.#store.recordAttemptEnd(b.runId, job.name, c.starts, {
      state: decision.retry ? 'READY' : 'FAILED',
      exitCode,
      errorClass: decision.errorClass,
      errorLine: failure.errorLine,
      errorSummary: failure.errorSummary,
      endedAt: eventIso(e),
    });
    const dir = this.dir(b);
    try {
      if (decision.retry) await this.condor('condor_release', [cluster], dir);
      else await this.condor('condor_rm', ['-reason', `tbps: ${decision.reason}`, cluster], dir);
    } catch (err) {
      // Already released or removed (this event was applied before): nothing to do.
      if (!/not found|Couldn't find|no jobs? matching|not in the hold state|not held|Already/i.test(String(err))) throw err;
    }
  }

  async cancel(b: BatchRef, wmsId: string): Promise<void> {
    if (wmsId === 'none') return;
    const dir = this.dir(b);
    this.#write(b, path.join(dir, CANCELLED_FILE), new Date().toISOString());
    try {
      await this.condor('condor_rm', [wmsId], dir);
    } catch (err) {
      // Already gone is fine.
      if (!/not found|Couldn't find|no jobs? matching/i.test(String(err))) throw err;
    }
  }

  /** Resubmits what did not succeed: the previous DAG with its rescue file, or a new DAG of the unfinished jobs. */
  async restart(b: BatchRef): Promise<string> {
    await this.prepare(b);
    return this.submit(b);
  }

  /** Whether the pool's schedd answers (condor_q through the command prefix). */
  ping(): Promise<PingResult> {
    return pingPool(this.#o.commandPrefix);
  }

  /** condor_history of the batch's jobs (bps attributes), for reports and checks. */
  async history(b: BatchRef, wmsId: string): Promise<Array<Record<string, unknown>>> {
    const out = await this.condor('condor_history', ['-constraint', `DAGManJobId == ${Number(wmsId)}`, '-json', '-attributes', 'ClusterId,bps_job_name,bps_job_label,ExitCode,ExitBySignal,NumJobStarts,JobStatus,DAGNodeName'], this.dir(b));
    const t = out.trim();
    return t ? (JSON.parse(t) as Array<Record<string, unknown>>) : [];
  }
}

/** The newest rescue DAG DAGMan wrote next to `dag` in `dir` (<dag>.rescue001, ...), if any. */
function latestRescue(dir: string, dag: string): string | undefined {
  return readdirSync(dir).filter((f) => /^.+\.rescue\d{3}$/.test(f) && f.startsWith(`${dag}.rescue`)).sort().at(-1);
}

/** The unit's DAG (and directory) name: batch_<n>, or the job's node name for a job unit. */
function dagName(b: BatchRef): string {
  return b.job ? nodeName(b.job) : `batch_${b.batch}`;
}
