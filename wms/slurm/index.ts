// The Slurm workload system: a unit (a job batch, or pipetaskInit/finalJob alone) becomes one sbatch job per job,
// chained with --dependency=afterok on their parents' Slurm ids and sized from the job's attributes (--mem from the
// attempt's memory, --cpus-per-task, --time, --partition from `queue`). Slurm does not retry; the poll does, with the
// one decision every WMS uses (core/run/retryDecision.ts): a failed attempt that is retried is submitted again with
// the next attempt's memory (core/run/memory.ts: OUT_OF_MEMORY escalates up to memoryLimit) and its waiting children
// are pointed at the new id (scontrol update Dependency); one that is not ends FAILED and its descendants are
// cancelled and PRUNED. A scancel of one job, PREEMPTED or NODE_FAIL is an infrastructure failure (retried while
// attempts are left). Polls ask `squeue -t all` about the unit's unfinished ids only and record each attempt (host,
// times, exit code or signal, peak memory, error class) in the store. Cancel writes a marker and scancels the unit's
// jobs; restart prepares a new submission of only what did not succeed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mkdirUnder, writeFileUnder } from '../../core/files/confined.js';
import { memoryForAttempt } from '../../core/run/memory.js';
import { decideRetry } from '../../core/run/retryDecision.js';
import type { BatchJobs } from '../../core/run/types.js';
import { zeroCounts, type State } from '../../core/states.js';
import { BadInputError } from '../../core/errors.js';
import { runPrefixed, WmsCommandError } from '../command.js';
import { failureFromLogs } from '../failureLogs.js';
import type { BatchRef, BatchStatus, PingResult, WmsStore, WorkloadSystem } from '../types.js';
import { fileSafeName, jobScript, parseAttemptStatus, sbatchArguments, signalName, type AttemptStatus } from './jobScript.js';
import { failureReason, parseExitCode, parseQueue, phaseOf, SQUEUE_FIELDS, type QueueRow } from './queueState.js';
import { pingController } from './ping.js';
import {
  appendSubmitted,
  CANCELLED_FILE,
  CURRENT_FILE,
  descendants,
  FINISHED_PHASES,
  readSubmitted,
  readUnitState,
  statusFile,
  SUBMITTED_FILE,
  WMS_ID_FILE,
  writeUnitState,
  type UnitNode,
  type UnitState,
} from './unitState.js';
import { withUnitLock } from './unitLock.js';

export interface SlurmOptions {
  /** Argument vector put before every Slurm command (e.g. `bash scripts/slurm.sh exec`). */
  commandPrefix: string[];
  store: WmsStore;
  /** Environment every job starts from (the job's own goes on top). */
  baseEnvironment: Record<string, string>;
  /** Environment the Slurm commands run with; sbatch hands it to the job (--export=ALL), so keep it minimal. */
  commandEnvironment: Record<string, string>;
  /** Site sbatch options for every job (slurmSubmitOptions), e.g. --account=... --qos=... */
  extraOptions?: string[];
}

/** sbatch calls in flight while a unit is submitted (one DAG level at a time). */
const SUBMIT_PARALLEL = 4;
/** What sbatch says when the cluster can never run a job as asked (retrying the same request cannot help). */
const REFUSED = /invalid partition|invalid account|invalid qos|requested node configuration is not available|memory specification can not be satisfied|more processors requested than permitted|node count specification invalid|invalid generic resource|time limit .*exceeds/i;
/** Job ids per squeue/scancel call. */
const IDS_PER_CALL = 400;

export class SlurmWms implements WorkloadSystem {
  readonly name = 'slurm';
  #o: SlurmOptions;

  constructor(o: SlurmOptions) {
    this.#o = o;
  }

  /** Runs a Slurm command through the prefix; returns its output. */
  slurm(cmd: string, args: string[], cwd: string): Promise<string> {
    return runPrefixed(this.#o.commandPrefix, cmd, args, { cwd, env: this.#o.commandEnvironment });
  }

  unitRoot(b: BatchRef): string {
    return path.join(b.submitPath, 'slurm', unitName(b));
  }

  /** The directory of the unit's current submission. */
  dir(b: BatchRef): string {
    const f = path.join(this.unitRoot(b), CURRENT_FILE);
    if (!existsSync(f)) throw new Error(`unit ${unitName(b)} of run ${b.runId} was not prepared for Slurm (${f} missing)`);
    return path.join(this.unitRoot(b), readFileSync(f, 'utf8').trim());
  }

  async #jobsOf(b: BatchRef): Promise<BatchJobs['jobs']> {
    if (!b.job) return (await this.#o.store.loadBatch(b.runId, b.batch)).jobs;
    const j = await this.#o.store.getJob(b.runId, b.job);
    if (!j) throw new Error(`run ${b.runId} has no job ${b.job}`);
    return [{ name: b.job, state: j.state, maxAttempts: j.maxAttempts, parents: [], blocked: false }];
  }

  async #counts(b: BatchRef): Promise<Record<State, number>> {
    if (!b.job) return this.#o.store.batchCounts(b.runId, b.batch);
    const out = zeroCounts();
    const j = await this.#o.store.getJob(b.runId, b.job);
    if (j) out[j.state] = 1;
    return out;
  }

  /**
   * Writes the scripts and the state of a new submission of what is left of the unit: SUCCEEDED jobs are left out
   * (their children do not wait for them), jobs below a failure outside the unit are PRUNED now. A prepared but
   * never submitted directory is reused (a retried activity).
   */
  async prepare(b: BatchRef): Promise<void> {
    const store = this.#o.store;
    const root = this.unitRoot(b);
    mkdirUnder(b.submitPath, root);
    const current = path.join(root, CURRENT_FILE);
    const previous = existsSync(current) ? readFileSync(current, 'utf8').trim() : undefined;
    const reuse = previous && !existsSync(path.join(root, previous, SUBMITTED_FILE)) && !existsSync(path.join(root, previous, WMS_ID_FILE));
    let tryName = previous ?? 'try1';
    if (previous && !reuse) for (let n = 1; ; n++) if (!existsSync(path.join(root, (tryName = `try${n}`)))) break;
    const dir = path.join(root, tryName);
    mkdirUnder(b.submitPath, path.join(dir, 'status'));

    const jobs = await this.#jobsOf(b);
    const nodeOf = new Array<number>(jobs.length).fill(-1);
    const dead = new Array<boolean>(jobs.length).fill(false);
    const pruned: string[] = [];
    const state: UnitState = { nodes: [] };
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i];
      if (j.state === 'SUCCEEDED') continue;
      if (j.blocked || j.state === 'FAILED' || j.state === 'PRUNED' || j.parents.some((p) => dead[p])) {
        dead[i] = true;
        if (j.state !== 'FAILED' && j.state !== 'PRUNED') pruned.push(j.name);
        continue;
      }
      const spec = await store.getJobSpec(b.runId, j.name);
      const file = fileSafeName(spec.name);
      writeFileUnder(b.submitPath, path.join(dir, 'jobs', `${file}.sh`), jobScript(spec, { runId: b.runId, batch: b.batch, baseEnvironment: this.#o.baseEnvironment }));
      mkdirUnder(b.submitPath, path.join(b.submitPath, 'jobs', spec.label));
      nodeOf[i] = state.nodes.length;
      state.nodes.push({
        name: spec.name,
        label: spec.label,
        file,
        parents: j.parents.map((p) => nodeOf[p]).filter((n) => n >= 0),
        children: [],
        cpus: spec.requestCpus,
        requestMemory: spec.requestMemory,
        memoryMultiplier: spec.memoryMultiplier,
        memoryLimit: spec.memoryLimit,
        requestMemoryMax: spec.requestMemoryMax,
        walltimeSeconds: spec.requestWalltime,
        partition: spec.queue,
        retryUnlessExit: spec.retryUnlessExit,
        maxAttempts: spec.numberOfRetries + 1,
        attempt: 1,
        phase: 'waiting',
      });
    }
    state.nodes.forEach((n, i) => n.parents.forEach((p) => state.nodes[p].children.push(i)));
    if (pruned.length > 0) await store.setJobStates(b.runId, pruned, 'PRUNED');
    writeUnitState(b.submitPath, dir, state);
    writeFileUnder(b.submitPath, current, tryName);
  }

  /**
   * sbatch for every job of the prepared submission, parents before children (a DAG level at a time, a few
   * sbatch in parallel). Each id is appended to the `submitted` log as it comes, so a retried activity submits
   * only what is missing. Returns the submission's name (its directory).
   */
  async submit(b: BatchRef): Promise<string> {
    const dir = this.dir(b);
    const idFile = path.join(dir, WMS_ID_FILE);
    if (existsSync(idFile)) return readFileSync(idFile, 'utf8').trim();
    return withUnitLock(dir, async () => {
      const state = readUnitState(dir);
      if (state.nodes.length === 0) {
        writeFileUnder(b.submitPath, idFile, 'none');
        return 'none';
      }
      const known = readSubmitted(dir);
      for (const [i, id] of known) Object.assign(state.nodes[i], { id, phase: 'queued' });
      const level = new Array<number>(state.nodes.length).fill(0);
      state.nodes.forEach((n, i) => (level[i] = n.parents.reduce((m, p) => Math.max(m, level[p] + 1), 0)));
      const levels = new Map<number, number[]>();
      state.nodes.forEach((n, i) => n.phase === 'waiting' && levels.set(level[i], [...(levels.get(level[i]) ?? []), i]));
      try {
        for (const depth of [...levels.keys()].sort((x, y) => x - y)) {
          const todo = levels.get(depth)!;
          let next = 0;
          const worker = async () => {
            while (next < todo.length) {
              const i = todo[next++];
              state.nodes[i].readyAt = new Date().toISOString();
              const id = await this.#sbatch(b, dir, state, i);
              appendSubmitted(b.submitPath, dir, i, id);
            }
          };
          await Promise.all(Array.from({ length: Math.min(SUBMIT_PARALLEL, todo.length) }, worker));
        }
      } catch (err) {
        // Refused for good: what this unit already submitted must not run unwatched. Else a retry resumes.
        if (err instanceof BadInputError) await this.#scancel([...readSubmitted(dir).values()], dir);
        throw err;
      }
      writeUnitState(b.submitPath, dir, state);
      await this.#o.store.setJobStates(b.runId, state.nodes.map((n) => n.name), 'PENDING', ['UNREADY', 'READY']);
      const wmsId = path.basename(dir);
      writeFileUnder(b.submitPath, idFile, wmsId);
      return wmsId;
    });
  }

  /** Submits the node's current attempt; sets its id and phase. */
  async #sbatch(b: BatchRef, dir: string, state: UnitState, i: number): Promise<string> {
    const node = state.nodes[i];
    const afterOk = node.parents.map((p) => state.nodes[p]).filter((p) => p.phase !== 'succeeded' && p.id).map((p) => p.id!);
    const args = sbatchArguments({
      runId: b.runId,
      jobName: node.name,
      submitPath: b.submitPath,
      script: path.join(dir, 'jobs', `${node.file}.sh`),
      logBase: logBase(b, node),
      statusFile: statusFile(dir, node, node.attempt),
      attempt: node.attempt,
      memoryMb: memoryForAttempt(node, node.attempt),
      cpus: node.cpus,
      walltimeSeconds: node.walltimeSeconds,
      partition: node.partition,
      afterOk,
      extraOptions: this.#o.extraOptions,
    });
    let out: string;
    try {
      out = await this.slurm('sbatch', args, b.submitPath);
    } catch (err) {
      // A job the cluster can never run (a partition, account or size it does not have) is bad input, not a hiccup.
      if (err instanceof WmsCommandError && REFUSED.test(err.output)) {
        throw new BadInputError(`sbatch refused job ${node.name} (attempt ${node.attempt}, ${memoryForAttempt(node, node.attempt)} MiB, ${node.cpus} CPUs${node.partition ? `, partition ${node.partition}` : ''}): ${err.output.trim().split('\n')[0]}`);
      }
      throw err;
    }
    const id = /^(\d+)/.exec(out.trim())?.[1];
    if (!id) throw new Error(`sbatch gave no job id for ${node.name}: ${out.trim().slice(0, 500)}`);
    node.id = id;
    node.phase = 'queued';
    return id;
  }

  /** Slurm's view of the given ids (ids Slurm no longer knows are absent). */
  async #queue(ids: string[], cwd: string): Promise<Map<string, QueueRow>> {
    const out = new Map<string, QueueRow>();
    for (let k = 0; k < ids.length; k += IDS_PER_CALL) {
      const chunk = ids.slice(k, k + IDS_PER_CALL);
      try {
        const text = await this.slurm('squeue', ['--noheader', '--states=all', `--jobs=${chunk.join(',')}`, `--Format=${SQUEUE_FIELDS}`], cwd);
        for (const [id, row] of parseQueue(text)) out.set(id, row);
      } catch (err) {
        // Every id of the chunk unknown (purged after MinJobAge): squeue fails instead of printing nothing.
        if (!/Invalid job id/i.test(String(err))) throw err;
      }
    }
    return out;
  }

  async poll(b: BatchRef, wmsId: string): Promise<BatchStatus> {
    if (wmsId === 'none') {
      if (!b.job) await this.#o.store.pruneBlocked(b.runId, b.batch);
      return { counts: await this.#counts(b), done: true };
    }
    const dir = this.dir(b);
    const finished = await withUnitLock(dir, async () => {
      const state = readUnitState(dir);
      const cancelled = existsSync(path.join(dir, CANCELLED_FILE));
      const active = state.nodes.map((n, i) => i).filter((i) => (state.nodes[i].phase === 'queued' || state.nodes[i].phase === 'running') && state.nodes[i].id);
      const rows = await this.#queue(active.map((i) => state.nodes[i].id!), dir);
      let changed = false;
      for (const i of active) {
        const node = state.nodes[i];
        const before = JSON.stringify(node);
        const row = rows.get(node.id!) ?? this.#unknownJob(dir, node);
        const phase = phaseOf(row.state);
        if (phase === 'queued') {
          if (row.eligibleAt && !node.startRecorded) node.readyAt = row.eligibleAt;
        } else if (phase === 'running') {
          await this.#recordStart(b, node, row);
          node.phase = 'running';
        } else if (phase === 'succeeded') {
          await this.#recordStart(b, node, row);
          const status = readStatus(dir, node);
          await this.#o.store.recordAttemptEnd(b.runId, node.name, node.attempt, { state: 'SUCCEEDED', exitCode: 0, peakRssMb: status?.peakRssMb ?? null, endedAt: row.endedAt });
          node.phase = 'succeeded';
        } else await this.#failed(b, dir, state, i, row, cancelled);
        changed ||= JSON.stringify(node) !== before;
      }
      if (changed) writeUnitState(b.submitPath, dir, state);
      return state.nodes.every((n) => FINISHED_PHASES.has(n.phase));
    });
    if (finished && !b.job) await this.#o.store.pruneBlocked(b.runId, b.batch);
    return { counts: await this.#counts(b), done: finished };
  }

  /** A job Slurm no longer knows (purged after MinJobAge): its status file, if the job wrote one, says how it ended. */
  #unknownJob(dir: string, node: UnitNode): QueueRow {
    const status = readStatus(dir, node);
    const state = !status ? 'LOST' : status.exitCode === 0 ? 'COMPLETED' : 'FAILED';
    return { id: node.id!, state, host: '', reason: 'unknown to Slurm', endedAt: new Date().toISOString() };
  }

  async #recordStart(b: BatchRef, node: UnitNode, row: QueueRow): Promise<void> {
    if (node.startRecorded) return;
    await this.#o.store.recordAttemptStart(b.runId, node.name, node.attempt, {
      host: row.host || null,
      memoryMb: memoryForAttempt(node, node.attempt),
      logPath: `${logBase(b, node)}.${node.attempt}.out`,
      readyAt: node.readyAt,
      startedAt: row.startedAt ?? row.endedAt ?? new Date().toISOString(),
    });
    node.startRecorded = true;
  }

  /** A failed attempt: recorded, then retried (resubmitted, children re-pointed) or final (descendants pruned). */
  async #failed(b: BatchRef, dir: string, state: UnitState, i: number, row: QueueRow, cancelled: boolean): Promise<void> {
    const store = this.#o.store;
    const node = state.nodes[i];
    if (cancelled && row.state === 'CANCELLED') {
      if (node.startRecorded || row.host) {
        await this.#recordStart(b, node, row);
        await store.recordAttemptEnd(b.runId, node.name, node.attempt, { state: 'DELETED', errorClass: 'cancelled', errorSummary: 'removed by cancel (scancel)', endedAt: row.endedAt });
      } else await store.setJobStates(b.runId, [node.name], 'DELETED');
      node.phase = 'deleted';
      return;
    }
    const status = readStatus(dir, node);
    let exitCode = status?.exitCode ?? null;
    let signal = status?.signal ?? null;
    if (!status && row.state === 'FAILED') {
      const exit = parseExitCode(await this.slurm('scontrol', ['--oneliner', 'show', 'job', node.id!], dir).catch(() => ''));
      exitCode = exit?.exitCode ?? null;
      signal = exit?.signal ? signalName(exit.signal) : null;
    }
    const slurmSays = row.state === 'LOST' ? { reason: 'Slurm no longer knows the job and it left no status', oom: false, timedOut: false, infrastructure: true } : failureReason(row.state, false);
    const logs = failureFromLogs(b.submitPath, `${logBase(b, node)}.${node.attempt}`, exitCode, signal, slurmSays.reason);
    const decision = decideRetry({ exitCode, signal, oom: slurmSays.oom, timedOut: slurmSays.timedOut }, logs.match, node, node.attempt, node.maxAttempts);
    await this.#recordStart(b, node, row);
    await store.recordAttemptEnd(b.runId, node.name, node.attempt, {
      state: decision.retry ? 'READY' : 'FAILED',
      exitCode,
      signal,
      peakRssMb: status?.peakRssMb ?? null,
      errorClass: decision.errorClass,
      errorLine: logs.errorLine,
      errorSummary: logs.errorSummary,
      endedAt: row.endedAt,
    });
    if (decision.retry) {
      node.attempt++;
      node.startRecorded = false;
      node.readyAt = new Date().toISOString();
      try {
        await this.#sbatch(b, dir, state, i);
        writeUnitState(b.submitPath, dir, state); // the new id is known before anything else can fail
        await this.#repointChildren(dir, state, i);
        await store.setJobStates(b.runId, [node.name], 'PENDING', ['READY']);
        return;
      } catch (err) {
        if (!(err instanceof BadInputError)) throw err;
        // The next attempt cannot run here (e.g. its escalated memory is more than any node has): the job fails.
        node.attempt--;
        await store.recordAttemptEnd(b.runId, node.name, node.attempt, { state: 'FAILED', exitCode, signal, peakRssMb: status?.peakRssMb ?? null, errorClass: decision.errorClass, errorLine: logs.errorLine, errorSummary: `${logs.errorSummary}; not retried: ${err.problem}`, endedAt: row.endedAt });
      }
    }
    node.phase = 'failed';
    const below = descendants(state, i).filter((d) => !FINISHED_PHASES.has(state.nodes[d].phase));
    const ids = below.map((d) => state.nodes[d].id).filter((id): id is string => !!id);
    await this.#scancel(ids, dir);
    for (const d of below) state.nodes[d].phase = 'pruned';
    if (below.length > 0) await store.setJobStates(b.runId, below.map((d) => state.nodes[d].name), 'PRUNED');
  }

  /** The waiting children of a retried node depend on its new id (their old dependency can never be satisfied). */
  async #repointChildren(dir: string, state: UnitState, i: number): Promise<void> {
    for (const c of state.nodes[i].children) {
      const child = state.nodes[c];
      if (child.phase !== 'queued' || !child.id) continue;
      const ids = child.parents.map((p) => state.nodes[p]).filter((p) => p.phase !== 'succeeded' && p.id).map((p) => p.id!);
      await this.slurm('scontrol', ['update', `JobId=${child.id}`, `Dependency=afterok:${ids.join(':')}`], dir);
    }
  }

  async #scancel(ids: string[], cwd: string): Promise<void> {
    for (let k = 0; k < ids.length; k += IDS_PER_CALL) {
      try {
        await this.slurm('scancel', ids.slice(k, k + IDS_PER_CALL), cwd);
      } catch (err) {
        // Already gone is fine.
        if (!/Invalid job id|already completing or completed|Job has already finished/i.test(String(err))) throw err;
      }
    }
  }

  /** scancel of the unit's unfinished jobs; the following polls record them DELETED. */
  async cancel(b: BatchRef, wmsId: string): Promise<void> {
    if (wmsId === 'none') return;
    const dir = this.dir(b);
    writeFileUnder(b.submitPath, path.join(dir, CANCELLED_FILE), new Date().toISOString());
    const state = readUnitState(dir);
    await this.#scancel(state.nodes.filter((n) => !FINISHED_PHASES.has(n.phase) && n.id).map((n) => n.id!), dir);
  }

  /** A new submission of what did not succeed (the store was reset for the restart). */
  async restart(b: BatchRef): Promise<string> {
    await this.prepare(b);
    return this.submit(b);
  }

  ping(): Promise<PingResult> {
    return pingController(this.#o.commandPrefix, this.#o.commandEnvironment);
  }
}

/** The unit's directory name: batch_<n>, or the job's file-safe name for a job unit. */
function unitName(b: BatchRef): string {
  return b.job ? fileSafeName(b.job) : `batch_${b.batch}`;
}

/** <submitPath>/jobs/<label>/<name>: attempt logs are <base>.<attempt>.out/.err, as on every workload system. */
function logBase(b: BatchRef, node: UnitNode): string {
  return path.join(b.submitPath, 'jobs', node.label, node.name);
}

function readStatus(dir: string, node: UnitNode): AttemptStatus | undefined {
  const file = statusFile(dir, node, node.attempt);
  return existsSync(file) ? parseAttemptStatus(readFileSync(file, 'utf8')) : undefined;
}
