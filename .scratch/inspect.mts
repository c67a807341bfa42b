import { Client, Connection } from '@temporalio/client';
import { workflowExecutions } from '../bench/lib/workflowExecutions.js';
const address = process.argv[2];
const connection = await Connection.connect({ address });
const client = new Client({ connection });
const h = client.workflow.getHandle('campaign/bench_campaign');
const d = await h.describe();
console.log('run', d.runId, d.status.name, 'len', d.historyLength, 'size', d.historySize);
const s: any = await h.query('status');
const c: Record<string, number> = {};
for (const g of s.steps[0].groups) c[g.status] = (c[g.status] ?? 0) + 1;
console.log(s.phase, s.paused, JSON.stringify(c), s.steps[0].groups.filter((g: any) => g.status==='running'||g.status==='starting').map((g: any)=>g.id).join(','));
const ex = await workflowExecutions(client, 'campaign/bench_campaign');
console.log(ex.map((e) => `${e.events}/${e.bytes}/${e.closedBy ?? 'open'}`).join(' '));
let n = 0; for await (const wf of client.workflow.list({ query: `WorkflowType = 'runWorkflow' AND ExecutionStatus = 'Running'` })) { n++; if (n < 5) console.log(wf.workflowId, wf.historyLength); }
console.log('running runs', n);
await connection.close();
