import { Client, Connection } from '@temporalio/client';
const connection = await Connection.connect({ address: process.argv[2] });
const client = new Client({ connection });
for (const id of process.argv.slice(3)) {
  const h = client.workflow.getHandle(id);
  const d = await h.describe();
  console.log(id, d.status.name, d.historyLength, JSON.stringify(d.raw.pendingActivities?.map((a: any) => [a.activityType?.name, a.state, a.attempt, a.lastFailure?.message])), JSON.stringify(d.raw.pendingChildren?.map((c: any) => c.workflowId)));
  const hist = await h.fetchHistory();
  const ev = hist.events ?? [];
  console.log(ev.slice(-6).map((e: any) => `${e.eventId}:${e.eventType}:${e.eventTime?.seconds}`).join('\n'));
}
await connection.close();
