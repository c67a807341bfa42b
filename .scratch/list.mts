import { Client, Connection } from '@temporalio/client';
const connection = await Connection.connect({ address: process.argv[2] });
const client = new Client({ connection });
for await (const wf of client.workflow.list({ query: `WorkflowType = 'campaignWorkflow'` })) {
  let extra = '';
  if (wf.status.name === 'RUNNING') { const s: any = await client.workflow.getHandle(wf.workflowId).query('status').catch((e) => ({ err: String(e) })); extra = JSON.stringify(s.steps?.map((x: any) => [x.name, x.status, x.groups.map((g: any) => `${g.id}:${g.status}`)]) ?? s) + ' paused=' + s.paused; }
  console.log(wf.workflowId, wf.runId.slice(0, 8), wf.status.name, wf.historyLength, extra);
}
await connection.close();
