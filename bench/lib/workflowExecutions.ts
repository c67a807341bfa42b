// Every execution of one workflow id (a continue-as-new chain), oldest first, with what its history holds: length in
// events, size in bytes (the server's count; the encoded history when the server gives none), how it ended, and the
// child workflows, updates and signals it took. Used by bench/campaign.ts for the longest history of a campaign and
// by the campaign tests to see which execution handled which operator action.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;

export interface ExecutionHistory {
  runId: string;
  startTime: Date;
  events: number;
  bytes: number;
  /** Type of the last event, e.g. EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW (absent while it runs). */
  closedBy?: string;
  /** Workflow ids of the children it started. */
  children: string[];
  /** Workflow ids of the children whose end it recorded (a child that outlived it is not among them). */
  childrenEnded: string[];
  /** Names of the updates it accepted. */
  updates: string[];
  /** Names of the signals it received. */
  signals: string[];
  /** The execution it continued as (continue-as-new). */
  next?: string;
}

const EventType = temporal.api.enums.v1.EventType;

export async function workflowExecutions(client: Client, workflowId: string): Promise<ExecutionHistory[]> {
  const out: ExecutionHistory[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId.replaceAll("'", "\\'")}'` })) {
    const handle = client.workflow.getHandle(workflowId, wf.runId);
    const [description, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
    const events = history.events ?? [];
    const last = events[events.length - 1];
    const closed = description.status.name !== 'RUNNING';
    out.push({
      runId: wf.runId,
      startTime: description.startTime,
      events: events.length,
      bytes: description.historySize ?? temporal.api.history.v1.History.encode(history).finish().length,
      closedBy: closed && last?.eventType != null ? EventType[last.eventType] : undefined,
      children: events.flatMap((e) => (e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ? [e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId] : [])),
      childrenEnded: events.flatMap((e) => {
        const ended =
          e.childWorkflowExecutionCompletedEventAttributes ??
          e.childWorkflowExecutionFailedEventAttributes ??
          e.childWorkflowExecutionCanceledEventAttributes ??
          e.childWorkflowExecutionTerminatedEventAttributes ??
          e.childWorkflowExecutionTimedOutEventAttributes;
        return ended?.workflowExecution?.workflowId ? [ended.workflowExecution.workflowId] : [];
      }),
      updates: events.flatMap((e) => (e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ? [e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest.input.name] : [])),
      signals: events.flatMap((e) => (e.workflowExecutionSignaledEventAttributes?.signalName ? [e.workflowExecutionSignaledEventAttributes.signalName] : [])),
      next: last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined,
    });
  }
  // In chain order (each continue-as-new names its successor); start times break ties of separate chains.
  out.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  const byRun = new Map(out.map((e) => [e.runId, e]));
  const successors = new Set(out.flatMap((e) => (e.next ? [e.next] : [])));
  const chain: ExecutionHistory[] = [];
  for (const first of out.filter((e) => !successors.has(e.runId))) {
    for (let e: ExecutionHistory | undefined = first; e && !chain.includes(e); e = e.next ? byRun.get(e.next) : undefined) chain.push(e);
  }
  return chain.length === out.length ? chain : out;
}
