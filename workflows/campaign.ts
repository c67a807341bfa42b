// campaignWorkflow (id campaign/<name>): runs the steps of a campaign in order; each step is split into groups and
// each group is a child runWorkflow (id run/<campaign>_<step>_g<k>), at most `concurrency` in flight. Signals
// pause/resume (paused: running groups finish, nothing new starts); updates (validated, acknowledged, recorded with
// operator and time) edit a step not yet started, accept/reject a finished step or group, retry the failed groups
// of a step (restart: only failed jobs), skip a group; query `status`. Auto-pauses when a step ends with more failed
// groups than its policy allows; a gated step waits for accept. Continues-as-new at step boundaries when suggested.
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ContinueAsNew,
  ParentClosePolicy,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as campaignActivities from '../activities/campaign.js';
import {
  applyStepPatch,
  failedGroups,
  groupRunId,
  splitStep,
  stepPolicy,
  type ActionRecord,
  type CampaignInput,
  type CampaignPhase,
  type CampaignSpec,
  type CampaignState,
  type CampaignStatus,
  type EditAction,
  type GroupAction,
  type GroupState,
  type GroupStatus,
  type OperatorAction,
  type StepState,
} from '../core/campaign/index.js';
import { orchestratorQueue, runWorkflowId } from '../core/run/queues.js';
import { BpsCampaign, BpsOperator, BpsPayload, BpsRun, BpsRunState, BpsSite, BpsStep } from '../core/run/searchKeys.js';
import type { RunInput, RunSummary } from '../core/run/types.js';
import {
  acceptUpdate,
  campaignStatusQuery,
  editStepUpdate,
  pauseSignal,
  rejectUpdate,
  resumeSignal,
  retryUpdate,
  skipUpdate,
} from './campaignDefinitions.js';
import { runWorkflow } from './run.js';

export * from './campaignDefinitions.js';

const acts = proxyActivities<typeof campaignActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: ['BadInputError'] },
});


const TERMINAL: GroupStatus[] = ['SUCCEEDED', 'FAILED', 'DELETED', 'skipped'];
const MAX_ACTIONS_KEPT = 500;

function bad(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'BadInputError');
}

function now(): string {
  return new Date().toISOString();
}

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignStatus> {
  const spec: CampaignSpec = { ...input.spec, steps: [...input.spec.steps] };
  const st: CampaignState = input.state ?? {
    phase: 'running',
    paused: false,
    current: 0,
    steps: spec.steps.map((s) => ({ name: s.name, status: 'pending', groups: [] })),
    actions: [],
    startedAt: now(),
  };
  let tick = 0;
  let inFlight = 0;
  let lastState = '';
  const changed = () => {
    tick++;
  };
  const status = (): CampaignStatus => ({ ...st, name: spec.name, operator: input.operator, spec });
  const record = (a: Omit<ActionRecord, 'at'>): ActionRecord => {
    const r: ActionRecord = { ...a, at: now() };
    st.actions.push(r);
    changed();
    return r;
  };
  const stepIndex = (name: string): number => {
    const i = spec.steps.findIndex((s) => s.name === name);
    if (i < 0) bad(`campaign '${spec.name}' has no step '${name}' (steps: ${spec.steps.map((s) => s.name).join(', ')})`);
    return i;
  };
  const pickGroups = (ss: StepState, ids: string[] | undefined): GroupState[] => {
    if (!ids || ids.length === 0) return ss.groups;
    return ids.map((id) => ss.groups.find((g) => g.id === id) ?? bad(`step '${ss.name}' has no group '${id}' (groups: ${ss.groups.map((g) => g.id).join(', ') || 'none yet'})`));
  };
  const started = (ss: StepState) => ss.status !== 'pending';
  const finishedStep = (ss: StepState) => started(ss) && ss.groups.every((g) => TERMINAL.includes(g.status));
  const setPhase = () => {
    const ss = st.steps[st.current];
    let phase: CampaignPhase = st.phase;
    if (phase === 'running' || phase === 'paused' || phase === 'awaiting-accept')
      phase = st.paused ? 'paused' : ss?.status === 'awaiting-accept' ? 'awaiting-accept' : 'running';
    st.phase = phase;
    const key = `${phase}|${ss?.name ?? ''}`;
    if (key !== lastState) {
      lastState = key;
      upsertSearchAttributes([
        { key: BpsRunState, value: phase.toUpperCase().replace('-', '_') },
        { key: BpsStep, value: ss?.name ?? spec.steps[spec.steps.length - 1].name },
      ]);
    }
  };

  setHandler(campaignStatusQuery, status);
  setHandler(pauseSignal, (a) => {
    if (st.paused) return;
    st.paused = true;
    st.pauseReason = a.reason ?? `paused by ${a.operator}`;
    record({ action: 'pause', operator: a.operator, detail: a.reason });
  });
  setHandler(resumeSignal, (a) => {
    if (!st.paused) return;
    st.paused = false;
    st.pauseReason = undefined;
    record({ action: 'resume', operator: a.operator, detail: a.reason });
  });
  setHandler(
    editStepUpdate,
    (a) => {
      const i = stepIndex(a.step);
      spec.steps[i] = applyStepPatch(spec.steps[i], a.patch, `edit of step '${a.step}'`);
      st.steps[i].edited = true;
      return record({ action: 'edit', operator: a.operator, step: a.step, detail: JSON.stringify(a.patch) });
    },
    {
      validator: (a) => {
        const i = stepIndex(a.step);
        if (started(st.steps[i])) bad(`step '${a.step}' has already started (${st.steps[i].status}); only steps not yet started can be edited`);
        try {
          applyStepPatch(spec.steps[i], a.patch, `edit of step '${a.step}'`);
        } catch (err) {
          bad(err instanceof Error ? err.message : String(err));
        }
      },
    },
  );
  /** The operator acted on the failures that auto-paused the campaign (retry, accept): it goes on. */
  const resumeAfterAutoPause = () => {
    if (st.paused && st.pauseReason?.startsWith('auto-pause')) {
      st.paused = false;
      st.pauseReason = undefined;
    }
  };
  const decide = (decision: 'accepted' | 'rejected') => (a: GroupAction) => {
    const ss = st.steps[stepIndex(a.step)];
    if (a.groups && a.groups.length > 0) for (const g of pickGroups(ss, a.groups)) g.decision = decision;
    else {
      ss.decision = decision;
      // Accepting a step accepts its failures (and overrides group rejections).
      if (decision === 'accepted') for (const g of ss.groups) if (g.status !== 'skipped' && (g.status !== 'SUCCEEDED' || g.decision === 'rejected')) g.decision = 'accepted';
    }
    if (decision === 'accepted' && failedGroups(ss).length === 0) resumeAfterAutoPause();
    return record({ action: decision === 'accepted' ? 'accept' : 'reject', operator: a.operator, step: a.step, groups: a.groups, detail: a.note });
  };
  const decideValidator = (a: GroupAction) => {
    const ss = st.steps[stepIndex(a.step)];
    if (a.groups && a.groups.length > 0) {
      for (const g of pickGroups(ss, a.groups)) if (!TERMINAL.includes(g.status)) bad(`group '${g.id}' of step '${ss.name}' has not finished (${g.status})`);
    } else if (!finishedStep(ss) || inFlightOf(ss) > 0) bad(`step '${ss.name}' has not finished (${ss.status}); accept or reject a finished step or group`);
  };
  setHandler(acceptUpdate, decide('accepted'), { validator: decideValidator });
  setHandler(rejectUpdate, decide('rejected'), { validator: decideValidator });
  const retryable = (g: GroupState) => g.status === 'FAILED' || g.status === 'DELETED' || g.decision === 'rejected';
  setHandler(
    retryUpdate,
    (a) => {
      const ss = st.steps[stepIndex(a.step)];
      const gs = a.groups && a.groups.length > 0 ? pickGroups(ss, a.groups) : ss.groups.filter(retryable);
      for (const g of gs) {
        g.retry = true;
        g.status = 'pending';
        g.decision = undefined;
      }
      ss.failureHandled = false;
      if (ss.decision === 'rejected') ss.decision = undefined;
      resumeAfterAutoPause();
      return record({ action: 'retry', operator: a.operator, step: a.step, groups: gs.map((g) => g.id), detail: a.note });
    },
    {
      validator: (a) => {
        const ss = st.steps[stepIndex(a.step)];
        if (!started(ss)) bad(`step '${a.step}' has not started; nothing to retry`);
        const gs = a.groups && a.groups.length > 0 ? pickGroups(ss, a.groups) : ss.groups.filter(retryable);
        if (gs.length === 0) bad(`step '${a.step}' has no failed groups to retry`);
        for (const g of gs) if (!retryable(g)) bad(`group '${g.id}' of step '${a.step}' is ${g.status}, not failed; only failed (or rejected) groups are retried`);
      },
    },
  );
  setHandler(
    skipUpdate,
    (a) => {
      const ss = st.steps[stepIndex(a.step)];
      for (const g of pickGroups(ss, a.groups)) {
        g.status = 'skipped';
        g.retry = false;
      }
      return record({ action: 'skip', operator: a.operator, step: a.step, groups: a.groups, detail: a.note });
    },
    {
      validator: (a) => {
        const ss = st.steps[stepIndex(a.step)];
        if (!a.groups || a.groups.length === 0) bad('name the group(s) to skip');
        if (!started(ss)) bad(`step '${a.step}' has not started; its groups are not known yet (edit its split instead)`);
        for (const g of pickGroups(ss, a.groups))
          if (g.status === 'starting' || g.status === 'running' || g.status === 'SUCCEEDED') bad(`group '${g.id}' of step '${a.step}' is ${g.status}; only pending or failed groups can be skipped`);
      },
    },
  );

  function inFlightOf(ss: StepState): number {
    return ss.groups.filter((g) => g.status === 'starting' || g.status === 'running').length;
  }

  async function launch(si: number, g: GroupState): Promise<void> {
    const step = spec.steps[si];
    try {
      let runInput: RunInput;
      let payload = '';
      let site = '';
      if (g.retry && g.submitPath) {
        runInput = await acts.restartGroupRun({ runId: g.runId, submitPath: g.submitPath, taskQueuePrefix: input.taskQueuePrefix });
      } else {
        const gdef = splitStep(step).find((d) => d.id === g.id) ?? { id: g.id, values: [] };
        const r = await acts.prepareGroupRun({
          campaign: { name: spec.name, baseConfig: spec.baseConfig, inCollection: spec.inCollection, output: spec.output, project: spec.project },
          step,
          previousStep: si > 0 ? spec.steps[si - 1].name : undefined,
          group: gdef,
          cwd: input.cwd,
          taskQueuePrefix: input.taskQueuePrefix,
          operator: input.operator,
        });
        runInput = r.input;
        payload = r.payloadName;
        site = r.computeSite;
        g.dataQuery = r.dataQuery;
        g.submitPath = r.input.submitPath;
      }
      g.executions++;
      g.retry = false;
      g.status = 'running';
      g.message = undefined;
      changed();
      const child = await startChild(runWorkflow, {
        workflowId: runWorkflowId(g.runId),
        taskQueue: orchestratorQueue(input.taskQueuePrefix),
        args: [runInput],
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: [
          { key: BpsRun, value: g.runId },
          { key: BpsRunState, value: 'PENDING' },
          { key: BpsOperator, value: input.operator },
          { key: BpsCampaign, value: spec.name },
          { key: BpsStep, value: step.name },
          ...(payload ? [{ key: BpsPayload, value: payload }] : []),
          ...(site ? [{ key: BpsSite, value: site }] : []),
        ],
      });
      const s: RunSummary = await child.result();
      g.status = s.state === 'SUCCEEDED' ? 'SUCCEEDED' : s.state === 'DELETED' ? 'DELETED' : 'FAILED';
      g.counts = { succeeded: s.counts.SUCCEEDED ?? 0, failed: s.counts.FAILED ?? 0, pruned: s.counts.PRUNED ?? 0, jobs: s.jobs };
      g.message = s.message;
    } catch (err) {
      g.status = isCancellation(err) ? 'DELETED' : 'FAILED';
      g.message = errorMessage(err);
    } finally {
      inFlight--;
      changed();
    }
  }

  /** Starts what may start: retried groups of any started step, then pending groups of the current step. */
  function pump(): void {
    if (st.paused) return;
    const last = Math.min(st.current, spec.steps.length - 1);
    const limit = stepPolicy(spec, spec.steps[last]).concurrency;
    const ready: Array<[number, GroupState]> = [];
    st.steps.forEach((ss, si) => {
      if (si > last || !started(ss)) return;
      for (const g of ss.groups) if (g.status === 'pending' && (g.retry || si === st.current)) ready.push([si, g]);
    });
    for (const [si, g] of ready) {
      if (inFlight >= limit) break;
      inFlight++;
      g.status = 'starting';
      void launch(si, g);
    }
  }

  const hasPending = () => st.steps.some((ss) => ss.groups.some((g) => g.status === 'pending'));

  async function waitChange(extra: () => boolean = () => false): Promise<void> {
    const seen = tick;
    setPhase();
    await condition(() => tick !== seen || extra());
  }

  async function runStep(si: number): Promise<void> {
    const step = spec.steps[si];
    const ss = st.steps[si];
    if (ss.status === 'pending') {
      ss.status = 'running';
      ss.startedAt = now();
      ss.groups = splitStep(step).map((d) => ({ id: d.id, runId: groupRunId(spec.name, step.name, d.id), status: 'pending', executions: 0 }));
      changed();
    }
    for (;;) {
      pump();
      setPhase();
      if (finishedStep(ss) && !hasPending()) {
        const failed = failedGroups(ss);
        const pol = stepPolicy(spec, spec.steps[si]).failure;
        if (failed.length > pol.maxFailedGroups && pol.onFailure === 'pause' && !ss.failureHandled) {
          ss.failureHandled = true;
          st.paused = true;
          st.pauseReason = `auto-pause: step '${step.name}' ended with ${failed.length} failed group(s) (${failed.map((g) => g.id).join(', ')}); allowed ${pol.maxFailedGroups}`;
          record({ action: 'auto-pause', operator: 'tbps', step: step.name, groups: failed.map((g) => g.id), detail: st.pauseReason });
        }
        if (st.paused) {
          await waitChange();
          continue;
        }
        if (spec.steps[si].gate && ss.decision !== 'accepted') {
          if (ss.status !== 'awaiting-accept') {
            ss.status = 'awaiting-accept';
            changed();
          }
          await waitChange();
          continue;
        }
        ss.status = ss.decision === 'accepted' ? 'accepted' : ss.decision === 'rejected' ? 'rejected' : 'done';
        ss.endedAt = now();
        changed();
        return;
      }
      if (ss.status === 'awaiting-accept') ss.status = 'running';
      await waitChange();
    }
  }

  upsertSearchAttributes([
    { key: BpsCampaign, value: spec.name },
    { key: BpsOperator, value: input.operator },
  ]);
  let ranHere = false; // continue-as-new only after a step ran in this execution (no empty executions)
  try {
    await CancellationScope.cancellable(async () => {
      for (; st.current < spec.steps.length; st.current++) {
        const info = workflowInfo();
        const long = info.continueAsNewSuggested || (input.continueAsNewAfterEvents !== undefined && info.historyLength > input.continueAsNewAfterEvents);
        if (ranHere && st.steps[st.current].status === 'pending' && inFlight === 0 && long) {
          const keep = { ...st, actions: st.actions.slice(-MAX_ACTIONS_KEPT) };
          await continueAsNew<typeof campaignWorkflow>({ ...input, spec, state: keep });
        }
        await runStep(st.current);
        ranHere = true;
      }
      // Retries of earlier steps may still run.
      for (;;) {
        pump();
        if (inFlight === 0 && !hasPending()) break;
        await waitChange();
      }
    });
    st.phase = st.steps.some((ss) => failedGroups(ss).length > 0) ? 'FAILED' : 'SUCCEEDED';
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(() => condition(() => inFlight === 0));
    st.phase = 'CANCELLED';
    record({ action: 'cancel', operator: 'tbps', detail: 'campaign cancelled' });
  }
  st.endedAt = now();
  lastState = '';
  setPhase();
  return status();
}

function errorMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && (e as { cause?: unknown }).cause) e = (e as { cause?: unknown }).cause;
  return e instanceof Error ? e.message : String(err);
}
