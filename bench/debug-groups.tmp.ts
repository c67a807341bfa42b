import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { writeQuantumGraph, type QuantumRecord } from '../core/qgraph/index.js';
import { startStack } from './lib/stack.js';
const jobs = Number(process.argv[2] ?? 500);
const stack = await startStack('dbg');
try {
  stack.startWorker('orchestrator');
  stack.startWorker('executor', { TBPS_EXECUTOR_CPUS: '8', TBPS_EXECUTOR_SLOTS: '16' });
  const graph = path.join(stack.home, 'noop.qgraph.jsonl');
  const records = (function* (): Generator<QuantumRecord> { for (let i = 0; i < jobs; i++) yield { id: `noop-${i}`, label: 'noop', dataId: { n: i }, parents: [] }; })();
  await writeQuantumGraph(graph, { format: 'tbps-qgraph', version: 1, metadata: {}, tasks: [{ label: 'noop', dimensions: ['n'] }], quanta: jobs }, records);
  const { seconds } = await stack.timedNoopRun('dbg', `qgraphFile: ${graph}`);
  console.log(`seconds=${seconds}`);
  const connection = await Connection.connect({ address: stack.address });
  const client = new Client({ connection });
  for await (const wf of client.workflow.list()) {
    const h = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const sizes: string[] = [];
    let t0 = 0;
    for (const e of h.events ?? []) {
      const t = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
      if (!t0) t0 = t;
      const a = e.activityTaskScheduledEventAttributes;
      if (a) {
        let input: { jobs?: unknown[] } = {}; try { input = JSON.parse(Buffer.from(a.input!.payloads![0].data!).toString()); } catch { /* */ }
        sizes.push(`${((t - t0) / 1000).toFixed(1)}:${a.activityType?.name}${input.jobs ? `x${input.jobs.length}` : ''}`);
      }
      const c = e.activityTaskCompletedEventAttributes;
      if (c && c.result?.payloads?.[0]) {
        let r: { outcomes?: Array<{ seconds?: number }>; seconds?: number } = {}; try { r = JSON.parse(Buffer.from(c.result.payloads[0].data!).toString()); } catch { /* */ }
        if (r.outcomes) sizes.push(`done(${r.outcomes.map((o: { seconds?: number }) => (o.seconds ?? -1).toFixed(3)).slice(0, 5).join(',')})`);
        else if (r.seconds !== undefined) sizes.push(`done1(${r.seconds})`);
      }
    }
    console.log(wf.workflowId, wf.historyLength, sizes.join(' '));
  }
  await connection.close();
} finally {
  await stack.stop();
}
