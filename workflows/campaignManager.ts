// CampaignManager: the long-lived state of campaignWorkflow and everything that changes it, in one class (the shape
// of Temporal's message-passing samples): the operator's messages (pause/resume signals; edit, accept, reject,
// retry and skip updates with their validators; the `status` query) and the step loop that starts one child
// runWorkflow per group, at most `concurrency` in flight. workflows/campaign.ts only wires it to Temporal.
//
// History stays bounded: the state is compact (state.ts), a group's config travels by path (the prepareGroupRun
// activity saves it and returns its configRef), and the workflow continues-as-new at a step boundary when the
// history is long and, in executions that have the mid-step patch, also inside a step: once the history is long it
// starts no new group, waits only for groups still being started (an activity or a child start in flight), and
// hands its state to the next execution. Group runs keep running across the boundary: they are started with
// ParentClosePolicy.ABANDON and each signals its summary to the campaign's workflow id when it ends (groupRunEnded),
// which reaches whichever execution is current; the campaign's cancel asks for their cancel itself.
import { PRIORITY_DEFAULT } from '../core/run/slotPolicy.js';
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as campaignActivities from '../activities/campaign.js';
import {
  MAX_ACTIONS_KEPT,
  applyStepPatch,
  continuedState,
  failedGroups,
  groupRunId,
  shortMessage,
  splitStep,
  stepForGroup,
  stepPolicy,
  type ActionRecord,
  type CampaignInput,
  type CampaignPhase,
  type CampaignSpec,
  type CampaignState,
  type CampaignStatus,
  type EditAction,
  type GroupAction,
  type GroupDef,
  type GroupState,
  type GroupStatus,
  type OperatorAction,
  type StepState,
} from '../core/campaign/index.js';
import { orchestratorQueue, runWorkflowId } from '../core/run/queues.js';
import { BpsCampaign, BpsOperator, BpsPayload, BpsRun, BpsRunState, BpsSite, BpsStep } from './searchKeys.js';
import type { RunInput, RunSummary } from '../core/run/types.js';
import { runWorkflow } from './run.js';

const campaignActs = proxyActivities<typeof campaignActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: ['BadInputError'] },
});

const TERMINAL: GroupStatus[] = ['SUCCEEDED', 'FAILED', 'DELETED', 'skipped'];

/** How a run of the step loop ended: the campaign's final status, or the input of the next execution. */
export type CampaignOutcome = { status: CampaignStatus; continueWith?: undefined } | { continueWith: CampaignInput; status?: undefined };

export interface CampaignManagerOptions {
  /** Continue-as-new inside a step too (executions started with the mid-step patch). */
  continueMidStep: boolean;
  /**
   * Start group runs with the campaign's priority as Temporal task priority (executions started with the
   * campaign-task-priority patch); their batches and job activities inherit it.
   */
  taskPriority?: boolean;
}

function bad(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'BadInputError');
}

function now(): string {
  return new Date().toISOString();
}

function errorMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && (e as { cause?: unknown }).cause) e = (e as { cause?: unknown }).cause;
  return e instanceof Error ? e.message : String(err);
}

export class CampaignManager {
  readonly spec: CampaignSpec;
  readonly state: CampaignState;
  private readonly input: CampaignInput;
  private readonly continueMidStep: boolean;
  /** Bumped on every change the step loop waits for. */
  private tick = 0;
  /** Groups started in this execution (a new execution continues-as-new only after it did some work). */
  private launchedHere = 0;
  /**
   * The history is long: no new group starts; once no group is being started the workflow continues-as-new (runs
   * that are running go on, their ends arrive as groupRunEnded signals).
   */
  private handingOver = false;
  /** See CampaignManagerOptions.taskPriority. */
  private readonly taskPriority: boolean;
  /**
   * Groups this execution is starting or awaiting, each with the token of its launch: a launch applies its outcome
   * only while it is the group's current one (a groupRunEnded signal ends it, a retry replaces it).
   */
  private readonly launches = new Map<GroupState, symbol>();
  /** Groups of started steps by run id (groupRunEnded names the run). */
  private groupsByRun = new Map<string, GroupState>();
  /** A step ran to its end in this execution (continue-as-new at a step boundary only after that). */
  private ranHere = false;
  /** Phase and step last written to the search attributes. */
  private lastPublished = '';
  /** The groups of each started step by id (a started step can no longer be edited, so its split is fixed). */
  private readonly splits = new Map<number, Map<string, GroupDef>>();

  constructor(input: CampaignInput, options: CampaignManagerOptions) {
    this.input = input;
    this.continueMidStep = options.continueMidStep;
    this.taskPriority = options.taskPriority ?? false;
    this.spec = { ...input.spec, steps: [...input.spec.steps] };
    this.state = input.state ?? {
      phase: 'running',
      paused: false,
      current: 0,
      steps: this.spec.steps.map((s) => ({ name: s.name, status: 'pending', groups: [] })),
      actions: [],
      startedAt: now(),
    };
  }

  // ---- the `status` query

  status(): CampaignStatus {
    return { ...this.state, name: this.spec.name, operator: this.input.operator, spec: this.spec };
  }

  // ---- signals

  pause(a: OperatorAction): void {
    if (this.state.paused) return;
    this.state.paused = true;
    this.state.pauseReason = a.reason ?? `paused by ${a.operator}`;
    this.record({ action: 'pause', operator: a.operator, detail: a.reason });
  }

  resume(a: OperatorAction): void {
    if (!this.state.paused) return;
    this.state.paused = false;
    this.state.pauseReason = undefined;
    this.record({ action: 'resume', operator: a.operator, detail: a.reason });
  }

  /**
   * A group's run ended (groupRunEnded, sent by the run; executions with the mid-step patch): the group ends with
   * its summary, whichever execution started it. An end already known (the child's own completion) is ignored.
   */
  groupRunEnded(summary: RunSummary): void {
    if (!this.continueMidStep) return;
    const g = this.groupOfRun(summary.runId);
    if (!g || (g.status !== 'running' && g.status !== 'starting')) return;
    this.launches.delete(g);
    this.endGroup(g, summary);
  }

  // ---- updates (each with its validator: a refused update changes nothing and is not in the history)

  validateEdit(a: EditAction): void {
    const i = this.stepIndex(a.step);
    if (this.started(this.state.steps[i])) bad(`step '${a.step}' has already started (${this.state.steps[i].status}); only steps not yet started can be edited`);
    try {
      applyStepPatch(this.spec.steps[i], a.patch, `edit of step '${a.step}'`);
    } catch (err) {
      bad(err instanceof Error ? err.message : String(err));
    }
  }

  editStep(a: EditAction): ActionRecord {
    const i = this.stepIndex(a.step);
    this.spec.steps[i] = applyStepPatch(this.spec.steps[i], a.patch, `edit of step '${a.step}'`);
    this.state.steps[i].edited = true;
    return this.record({ action: 'edit', operator: a.operator, step: a.step, detail: JSON.stringify(a.patch) });
  }

  validateDecision(a: GroupAction): void {
    const ss = this.state.steps[this.stepIndex(a.step)];
    if (a.groups && a.groups.length > 0) {
      for (const g of this.pickGroups(ss, a.groups)) if (!TERMINAL.includes(g.status)) bad(`group '${g.id}' of step '${ss.name}' has not finished (${g.status})`);
    } else if (!this.finishedStep(ss) || this.inFlightOf(ss) > 0) bad(`step '${ss.name}' has not finished (${ss.status}); accept or reject a finished step or group`);
  }

  accept(a: GroupAction): ActionRecord {
    return this.decide('accepted', a);
  }

  reject(a: GroupAction): ActionRecord {
    return this.decide('rejected', a);
  }

  validateRetry(a: GroupAction): void {
    const ss = this.state.steps[this.stepIndex(a.step)];
    if (!this.started(ss)) bad(`step '${a.step}' has not started; nothing to retry`);
    const gs = a.groups && a.groups.length > 0 ? this.pickGroups(ss, a.groups) : ss.groups.filter(retryable);
    if (gs.length === 0) bad(`step '${a.step}' has no failed groups to retry`);
    for (const g of gs) if (!retryable(g)) bad(`group '${g.id}' of step '${a.step}' is ${g.status}, not failed; only failed (or rejected) groups are retried`);
  }

  retry(a: GroupAction): ActionRecord {
    const ss = this.state.steps[this.stepIndex(a.step)];
    const gs = a.groups && a.groups.length > 0 ? this.pickGroups(ss, a.groups) : ss.groups.filter(retryable);
    for (const g of gs) {
      g.retry = true;
      g.status = 'pending';
      g.decision = undefined;
    }
    ss.failureHandled = false;
    if (ss.decision === 'rejected') ss.decision = undefined;
    this.resumeAfterAutoPause();
    return this.record({ action: 'retry', operator: a.operator, step: a.step, groups: gs.map((g) => g.id), detail: a.note });
  }

  validateSkip(a: GroupAction): void {
    const ss = this.state.steps[this.stepIndex(a.step)];
    if (!a.groups || a.groups.length === 0) bad('name the group(s) to skip');
    if (!this.started(ss)) bad(`step '${a.step}' has not started; its groups are not known yet (edit its split instead)`);
    for (const g of this.pickGroups(ss, a.groups))
      if (g.status === 'starting' || g.status === 'running' || g.status === 'SUCCEEDED') bad(`group '${g.id}' of step '${a.step}' is ${g.status}; only pending or failed groups can be skipped`);
  }

  skip(a: GroupAction): ActionRecord {
    const ss = this.state.steps[this.stepIndex(a.step)];
    for (const g of this.pickGroups(ss, a.groups)) {
      g.status = 'skipped';
      g.retry = undefined;
    }
    return this.record({ action: 'skip', operator: a.operator, step: a.step, groups: a.groups, detail: a.note });
  }

  // ---- the step loop

  /** Runs the steps from the current one; ends with the final status, or with the next execution's input. */
  async run(): Promise<CampaignOutcome> {
    upsertSearchAttributes([
      { key: BpsCampaign, value: this.spec.name },
      { key: BpsOperator, value: this.input.operator },
    ]);
    try {
      const continueWith = await CancellationScope.cancellable(() => this.runSteps());
      if (continueWith) return { continueWith };
      this.state.phase = this.state.steps.some((ss) => failedGroups(ss).length > 0) ? 'FAILED' : 'SUCCEEDED';
    } catch (err) {
      if (!isCancellation(err)) throw err;
      await CancellationScope.nonCancellable(async () => {
        // Runs started by an earlier execution are not children of this one: their cancel is asked for here
        // (this execution's own children are cancelled with the scope). Each reports its end when cancelled.
        if (this.continueMidStep) await Promise.all(this.inheritedRuns().map((runId) => getExternalWorkflowHandle(runWorkflowId(runId)).cancel().catch(() => undefined)));
        await condition(() => this.inFlight() === 0);
      });
      this.state.phase = 'CANCELLED';
      this.record({ action: 'cancel', operator: 'tbps', detail: 'campaign cancelled' });
    }
    this.state.endedAt = now();
    this.lastPublished = '';
    this.publishPhase();
    return { status: this.status() };
  }

  private async runSteps(): Promise<CampaignInput | undefined> {
    const st = this.state;
    for (; st.current < this.spec.steps.length; st.current++) {
      if (this.ranHere && st.steps[st.current].status === 'pending' && this.inFlight() === 0 && this.historyLong()) return this.nextInput();
      if ((await this.runStep(st.current)) === 'continue') return this.nextInput();
      this.ranHere = true;
    }
    // Retries of earlier steps may still run.
    for (;;) {
      if (this.readyToHandOver()) return this.nextInput();
      this.pump();
      if (this.inFlight() === 0 && !this.hasPending()) return undefined;
      await this.waitChange();
    }
  }

  private async runStep(si: number): Promise<'done' | 'continue'> {
    const step = this.spec.steps[si];
    const ss = this.state.steps[si];
    if (ss.status === 'pending') {
      ss.status = 'running';
      ss.startedAt = now();
      ss.groups = [...this.groupsOf(si).values()].map((d) => ({ id: d.id, status: 'pending', executions: 0 }));
      this.changed();
    }
    for (;;) {
      if (this.readyToHandOver()) return 'continue';
      this.pump();
      this.publishPhase();
      if (this.finishedStep(ss) && !this.hasPending()) {
        const failed = failedGroups(ss);
        const policy = stepPolicy(this.spec, this.spec.steps[si]).failure;
        if (failed.length > policy.maxFailedGroups && policy.onFailure === 'pause' && !ss.failureHandled) {
          ss.failureHandled = true;
          this.state.paused = true;
          this.state.pauseReason = `auto-pause: step '${step.name}' ended with ${failed.length} failed group(s) (${failed.map((g) => g.id).join(', ')}); allowed ${policy.maxFailedGroups}`;
          this.record({ action: 'auto-pause', operator: 'tbps', step: step.name, groups: failed.map((g) => g.id), detail: this.state.pauseReason });
        }
        if (this.state.paused) {
          await this.waitChange();
          continue;
        }
        if (this.spec.steps[si].gate && ss.decision !== 'accepted') {
          if (ss.status !== 'awaiting-accept') {
            ss.status = 'awaiting-accept';
            this.changed();
          }
          await this.waitChange();
          continue;
        }
        ss.status = ss.decision === 'accepted' ? 'accepted' : ss.decision === 'rejected' ? 'rejected' : 'done';
        ss.endedAt = now();
        this.changed();
        return 'done';
      }
      if (ss.status === 'awaiting-accept') ss.status = 'running';
      await this.waitChange();
    }
  }

  /** Starts what may start: retried groups of any started step, then pending groups of the current step. */
  private pump(): void {
    if (this.state.paused || this.handingOver) return;
    const last = Math.min(this.state.current, this.spec.steps.length - 1);
    const limit = stepPolicy(this.spec, this.spec.steps[last]).concurrency;
    const ready: Array<[number, GroupState]> = [];
    this.state.steps.forEach((ss, si) => {
      if (si > last || !this.started(ss)) return;
      for (const g of ss.groups) if (g.status === 'pending' && (g.retry || si === this.state.current)) ready.push([si, g]);
    });
    let inFlight = this.inFlight();
    for (const [si, g] of ready) {
      if (inFlight >= limit) break;
      inFlight++;
      this.launchedHere++;
      g.status = 'starting';
      void this.launch(si, g);
    }
  }

  /**
   * One group: its run input (a new run, or a restart of its failed run), then its child runWorkflow to the end (or
   * until the run's groupRunEnded signal, or until this execution hands over to the next).
   */
  private async launch(si: number, g: GroupState): Promise<void> {
    const step = this.spec.steps[si];
    const runId = g.runId ?? groupRunId(this.spec.name, step.name, g.id);
    const token = Symbol(runId);
    this.launches.set(g, token);
    // Executions without the mid-step patch own every outcome, as they always did.
    const current = () => !this.continueMidStep || this.launches.get(g) === token;
    try {
      let runInput: RunInput;
      let payload = '';
      let site = '';
      // A group that ran before (its config is saved in its submit directory) restarts; one that never got that
      // far is prepared again.
      if (g.retry && (g.submitPath !== undefined || g.executions > 0)) {
        runInput = await campaignActs.restartGroupRun({ runId, submitPath: g.submitPath, taskQueuePrefix: this.input.taskQueuePrefix });
      } else {
        const group = this.groupsOf(si).get(g.id) ?? { id: g.id, values: [] };
        const { spec } = this;
        const prepared = await campaignActs.prepareGroupRun({
          campaign: {
            name: spec.name,
            baseConfig: spec.baseConfig,
            inCollection: spec.inCollection,
            output: spec.output,
            project: spec.project,
            // Activity input only (no new command): the group's run carries the campaign's priority and limit.
            ...(spec.priority !== undefined ? { priority: spec.priority } : {}),
            ...(spec.maxRunningJobs !== undefined ? { maxRunningJobs: spec.maxRunningJobs } : {}),
          },
          step: stepForGroup(step, group),
          previousStep: si > 0 ? spec.steps[si - 1].name : undefined,
          group,
          cwd: this.input.cwd,
          taskQueuePrefix: this.input.taskQueuePrefix,
          operator: this.input.operator,
        });
        runInput = prepared.input;
        payload = prepared.payloadName;
        site = prepared.computeSite;
      }
      g.executions++;
      g.retry = undefined;
      g.message = undefined;
      // A group counts as running once its run has started (continue-as-new waits for starts in flight).
      if (!this.continueMidStep) {
        g.status = 'running';
        this.changed();
      }
      const child = await startChild(runWorkflow, {
        workflowId: runWorkflowId(runId),
        taskQueue: orchestratorQueue(this.input.taskQueuePrefix),
        args: [this.continueMidStep ? { ...runInput, campaignWorkflowId: workflowInfo().workflowId } : runInput],
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        // Mid-step continue-as-new closes this execution while runs go on: they must outlive it.
        parentClosePolicy: this.continueMidStep ? ParentClosePolicy.ABANDON : ParentClosePolicy.REQUEST_CANCEL,
        // Temporal task priority (1 highest ... 5): on a server with priority matching, executors take this campaign's
        // job activities in priority order; the store's per-site scheduler holds the order and the limits either way.
        ...(this.taskPriority ? { priority: { priorityKey: this.spec.priority ?? PRIORITY_DEFAULT } } : {}),
        typedSearchAttributes: [
          { key: BpsRun, value: runId },
          { key: BpsRunState, value: 'PENDING' },
          { key: BpsOperator, value: this.input.operator },
          { key: BpsCampaign, value: this.spec.name },
          { key: BpsStep, value: step.name },
          ...(payload ? [{ key: BpsPayload, value: payload }] : []),
          ...(site ? [{ key: BpsSite, value: site }] : []),
        ],
      });
      if (this.continueMidStep && current()) {
        g.status = 'running';
        this.changed();
      }
      const summary: RunSummary = await child.result();
      if (current()) this.endGroup(g, summary);
    } catch (err) {
      if (current()) {
        g.status = isCancellation(err) ? 'DELETED' : 'FAILED';
        g.message = shortMessage(errorMessage(err));
      }
    } finally {
      if (this.launches.get(g) === token) this.launches.delete(g);
      this.changed();
    }
  }

  private endGroup(g: GroupState, summary: RunSummary): void {
    g.status = summary.state === 'SUCCEEDED' ? 'SUCCEEDED' : summary.state === 'DELETED' ? 'DELETED' : 'FAILED';
    g.message = g.status === 'SUCCEEDED' ? undefined : shortMessage(summary.message);
    this.changed();
  }

  // ---- continue-as-new

  /** Temporal suggests continue-as-new, or the history has more events than the campaign's lowered threshold. */
  private historyLong(): boolean {
    const info = workflowInfo();
    const limit = this.input.continueAsNewAfterEvents;
    return info.continueAsNewSuggested || (limit !== undefined && info.historyLength > limit);
  }

  /**
   * Time to continue-as-new inside a step: the history is long and this execution started groups (a lowered
   * threshold below a fresh execution's length would otherwise hand over forever); when Temporal itself suggests
   * it (long waits at a pause or gate with many messages), also without.
   */
  private continueDue(): boolean {
    if (!this.continueMidStep) return false;
    return this.launchedHere > 0 ? this.historyLong() : workflowInfo().continueAsNewSuggested;
  }

  /** Stops starting groups when it is time; true once no group is being started (runs that run go on). */
  private readyToHandOver(): boolean {
    if (!this.handingOver && this.continueDue()) this.handingOver = true;
    return this.handingOver && this.count('starting') === 0;
  }

  private nextInput(): CampaignInput {
    return { ...this.input, spec: this.spec, state: continuedState(this.state, MAX_ACTIONS_KEPT) };
  }

  // ---- helpers

  private changed(): void {
    this.tick++;
  }

  private record(a: Omit<ActionRecord, 'at'>): ActionRecord {
    const r: ActionRecord = { ...a, at: now() };
    this.state.actions.push(r);
    this.changed();
    return r;
  }

  private async waitChange(): Promise<void> {
    const seen = this.tick;
    this.publishPhase();
    // With the mid-step patch the loop also wakes when it is time to hand over, so no new group starts after that.
    await condition(() => this.tick !== seen || (!this.handingOver && this.continueDue()));
  }

  /** The campaign's phase from its state, and the search attributes BpsRunState/BpsStep when they change. */
  private publishPhase(): void {
    const ss = this.state.steps[this.state.current];
    let phase: CampaignPhase = this.state.phase;
    if (phase === 'running' || phase === 'paused' || phase === 'awaiting-accept')
      phase = this.state.paused ? 'paused' : ss?.status === 'awaiting-accept' ? 'awaiting-accept' : 'running';
    this.state.phase = phase;
    const key = `${phase}|${ss?.name ?? ''}`;
    if (key !== this.lastPublished) {
      this.lastPublished = key;
      upsertSearchAttributes([
        { key: BpsRunState, value: phase.toUpperCase().replace('-', '_') },
        { key: BpsStep, value: ss?.name ?? this.spec.steps[this.spec.steps.length - 1].name },
      ]);
    }
  }

  private groupsOf(si: number): Map<string, GroupDef> {
    let groups = this.splits.get(si);
    if (!groups) {
      groups = new Map(splitStep(this.spec.steps[si]).map((d) => [d.id, d]));
      this.splits.set(si, groups);
    }
    return groups;
  }

  private stepIndex(name: string): number {
    const i = this.spec.steps.findIndex((s) => s.name === name);
    if (i < 0) bad(`campaign '${this.spec.name}' has no step '${name}' (steps: ${this.spec.steps.map((s) => s.name).join(', ')})`);
    return i;
  }

  private pickGroups(ss: StepState, ids: string[] | undefined): GroupState[] {
    if (!ids || ids.length === 0) return ss.groups;
    return ids.map((id) => ss.groups.find((g) => g.id === id) ?? bad(`step '${ss.name}' has no group '${id}' (groups: ${groupList(ss)})`));
  }

  private started(ss: StepState): boolean {
    return ss.status !== 'pending';
  }

  private finishedStep(ss: StepState): boolean {
    return this.started(ss) && ss.groups.every((g) => TERMINAL.includes(g.status));
  }

  private inFlightOf(ss: StepState): number {
    return ss.groups.filter((g) => g.status === 'starting' || g.status === 'running').length;
  }

  /** Groups being started or running, over all steps (what the concurrency limit counts). */
  private inFlight(): number {
    return this.count('starting') + this.count('running');
  }

  private count(status: GroupStatus): number {
    let n = 0;
    for (const ss of this.state.steps) for (const g of ss.groups) if (g.status === status) n++;
    return n;
  }

  /** Run ids of groups running whose runs an earlier execution started. */
  private inheritedRuns(): string[] {
    const out: string[] = [];
    this.state.steps.forEach((ss) => {
      for (const g of ss.groups) if (g.status === 'running' && !this.launches.has(g)) out.push(g.runId ?? groupRunId(this.spec.name, ss.name, g.id));
    });
    return out;
  }

  private groupOfRun(runId: string): GroupState | undefined {
    let g = this.groupsByRun.get(runId);
    if (!g) {
      this.groupsByRun = new Map();
      for (const ss of this.state.steps) for (const x of ss.groups) this.groupsByRun.set(x.runId ?? groupRunId(this.spec.name, ss.name, x.id), x);
      g = this.groupsByRun.get(runId);
    }
    return g;
  }

  private hasPending(): boolean {
    return this.state.steps.some((ss) => ss.groups.some((g) => g.status === 'pending'));
  }

  /** The operator acted on the failures that auto-paused the campaign (retry, accept): it goes on. */
  private resumeAfterAutoPause(): void {
    if (this.state.paused && this.state.pauseReason?.startsWith('auto-pause')) {
      this.state.paused = false;
      this.state.pauseReason = undefined;
    }
  }

  private decide(decision: 'accepted' | 'rejected', a: GroupAction): ActionRecord {
    const ss = this.state.steps[this.stepIndex(a.step)];
    if (a.groups && a.groups.length > 0) for (const g of this.pickGroups(ss, a.groups)) g.decision = decision;
    else {
      ss.decision = decision;
      // Accepting a step accepts its failures (and overrides group rejections).
      if (decision === 'accepted') for (const g of ss.groups) if (g.status !== 'skipped' && (g.status !== 'SUCCEEDED' || g.decision === 'rejected')) g.decision = 'accepted';
    }
    if (decision === 'accepted' && failedGroups(ss).length === 0) this.resumeAfterAutoPause();
    return this.record({ action: decision === 'accepted' ? 'accept' : 'reject', operator: a.operator, step: a.step, groups: a.groups, detail: a.note });
  }
}

function retryable(g: GroupState): boolean {
  return g.status === 'FAILED' || g.status === 'DELETED' || g.decision === 'rejected';
}

/** The group ids of a step for a message: all of a small step, the first and last of a large one. */
function groupList(ss: StepState): string {
  if (ss.groups.length === 0) return 'none yet';
  if (ss.groups.length <= 20) return ss.groups.map((g) => g.id).join(', ');
  return `${ss.groups[0].id} ... ${ss.groups[ss.groups.length - 1].id}, ${ss.groups.length} in all`;
}
