// Asks Temporal whether workers are polling a task queue, so the CLI can say "no worker is running" instead
// of letting a submitted run wait silently.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;

export async function pollerCount(client: Client, taskQueue: string, kind: 'workflow' | 'activity'): Promise<number> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType:
      kind === 'workflow'
        ? temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
        : temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return res.pollers?.length ?? 0;
}

export async function waitForPollers(client: Client, taskQueue: string, kind: 'workflow' | 'activity', timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await pollerCount(client, taskQueue, kind)) > 0) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}
