// The orchestrator worker: hosts the workflows (run, job batch) and the control activities (graph generation,
// transform, bookkeeping) on the orchestrator task queue.
import { Worker } from '@temporalio/worker';
import * as campaign from '../activities/campaign.js';
import * as control from '../activities/control.js';
import * as wms from '../activities/wms.js';
import { closeStore } from '../activities/storeHandle.js';
import { orchestratorQueue } from '../core/run/queues.js';
import { workflowsPath } from './bundle.js';
import { connectWorker, shutdownOnSignals } from './connect.js';
import { installTemporalRuntime, log } from './log.js';

installTemporalRuntime();
const { connection, namespace, prefix } = await connectWorker();
const bundlePath = process.env.TBPS_WORKFLOW_BUNDLE;
const worker = await Worker.create({
  connection,
  namespace,
  taskQueue: orchestratorQueue(prefix),
  ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath }),
  activities: { ...control, ...campaign, ...wms },
  maxConcurrentActivityTaskExecutions: 8,
  maxCachedWorkflows: 500,
});
shutdownOnSignals(() => worker.shutdown());
log.info({ taskQueue: orchestratorQueue(prefix), namespace }, 'orchestrator worker started');
await worker.run();
await closeStore();
await connection.close();
log.info('orchestrator worker stopped');
