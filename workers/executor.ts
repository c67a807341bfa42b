// The executor worker of one compute site (`local` WMS): runs jobs as child processes on this host, within the
// CPU and memory slots of wms/local/resources. Start more of them (on more hosts) for more capacity.
import os from 'node:os';
import { Worker } from '@temporalio/worker';
import * as execute from '../activities/execute.js';
import { closeStore } from '../activities/storeHandle.js';
import { siteQueue } from '../core/run/queues.js';
import { defaultCapacity } from '../wms/local/resources.js';
import { connectWorker, shutdownOnSignals } from './connect.js';
import { installTemporalRuntime, log } from './log.js';

const site = process.env.TBPS_SITE ?? process.argv[2] ?? 'local';
installTemporalRuntime();
const { connection, namespace, prefix } = await connectWorker();
const capacity = defaultCapacity();
const slots = Number(process.env.TBPS_EXECUTOR_SLOTS ?? Math.max(4, capacity.cpus * 4));
const worker = await Worker.create({
  connection,
  namespace,
  taskQueue: siteQueue(prefix, site),
  activities: execute,
  maxConcurrentActivityTaskExecutions: slots,
  identity: `executor@${os.hostname()}:${process.pid}/${site}`,
});
shutdownOnSignals(() => worker.shutdown());
log.info({ taskQueue: siteQueue(prefix, site), capacity, slots }, 'executor worker started');
await worker.run();
await closeStore();
await connection.close();
log.info('executor worker stopped');
