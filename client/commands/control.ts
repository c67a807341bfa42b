// `tbps cancel`, `tbps restart`, `tbps ping`: act on a run through Temporal.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { runWorkflow } from '../../workflows/run.js';
import { WorkflowNotFoundError } from '@temporalio/client';
import { orchestratorQueue, runWorkflowId, siteQueue } from '../../core/run/queues.js';
import { BpsRun, BpsRunState } from '../../workflows/searchKeys.js';
import type { RunInput } from '../../core/run/types.js';
import { SAVED_CONFIG } from '../../core/submit/files.js';
import { savedConfigRef } from '../../core/submit/savedConfig.js';
import { connectClient } from '../../temporal/connection.js';
import { openServices } from '../services/index.js';
import { runAction, UsageError } from '../exit.js';
import { pollerCount } from '../pollers.js';
import { waitAndReport } from '../progress.js';
import { taskQueuePrefix } from './submit.js';
import { describeVerb } from '../commandIndex.js';


export function registerControl(program: Command): void {
  program
    .command('cancel')
    .description(describeVerb('cancel'))
    .requiredOption('--id <run>', 'run id (uniqProcName)')
    .option('--wait', 'wait until the run has stopped and print its report')
    .action((o) =>
      runAction(async () => {
        const { client, connection } = await connectClient();
        try {
          const handle = client.workflow.getHandle(runWorkflowId(o.id));
          try {
            const d = await handle.describe();
            if (d.status.name !== 'RUNNING') throw new UsageError(`run '${o.id}' is not running (${d.status.name.toLowerCase()})`);
            await handle.cancel();
          } catch (err) {
            if (err instanceof WorkflowNotFoundError) throw new UsageError(`no run '${o.id}' on the Temporal server`);
            throw err;
          }
          console.log(`cancel requested for run ${o.id}`);
          return o.wait ? await waitAndReport(client, o.id) : 0;
        } finally {
          await connection.close();
        }
      }),
    );

  program
    .command('restart')
    .description(describeVerb('restart'))
    .requiredOption('--id <run>', 'run id (uniqProcName)')
    .option('--wait', 'wait for the restarted run and print its report')
    .action((o) =>
      runAction(async () => {
        const services = await openServices();
        const run = await services.store.getRun(o.id).finally(() => services.close());
        if (!run) throw new UsageError(`no run '${o.id}' in the store; 'tbps report' lists the runs`);
        const saved = path.join(run.submitPath ?? '', SAVED_CONFIG);
        if (!run.submitPath || !existsSync(saved)) throw new UsageError(`run '${o.id}' has no saved config at ${saved}: it never got past prepare`);
        // The restarted run names its saved config by path and hash; the config itself stays on disk.
        const configRef = savedConfigRef(run.submitPath, `run '${o.id}'`);
        const { client, connection } = await connectClient();
        try {
          const handle = client.workflow.getHandle(runWorkflowId(o.id));
          const d = await handle.describe().catch(() => undefined);
          if (d?.status.name === 'RUNNING') throw new UsageError(`run '${o.id}' is still running; cancel it first or wait`);
          const prefix = taskQueuePrefix();
          const input: RunInput = { runId: o.id, submitPath: run.submitPath, configRef, taskQueuePrefix: prefix, restart: true };
          await client.workflow.start(runWorkflow, {
            taskQueue: orchestratorQueue(prefix),
            workflowId: runWorkflowId(o.id),
            args: [input],
            typedSearchAttributes: [
              { key: BpsRun, value: o.id },
              { key: BpsRunState, value: 'PENDING' },
            ],
          });
          console.log(`restarted run ${o.id}`);
          if (o.wait) return await waitAndReport(client, o.id);
          return 0;
        } finally {
          await connection.close();
        }
      }),
    );

  program
    .command('ping')
    .description(describeVerb('ping'))
    .option('--compute-site <site>', 'compute site whose executor queue to check', 'local')
    .action((o) =>
      runAction(async () => {
        const { client, connection, settings } = await connectClient();
        try {
          const prefix = taskQueuePrefix();
          const orch = await pollerCount(client, orchestratorQueue(prefix), 'workflow');
          const exec = await pollerCount(client, siteQueue(prefix, o.computeSite), 'activity');
          console.log(`Temporal server ${settings.address} (namespace ${settings.namespace}): ok`);
          console.log(`orchestrator pollers on '${orchestratorQueue(prefix)}': ${orch}`);
          console.log(`executor pollers on '${siteQueue(prefix, o.computeSite)}': ${exec}`);
          return orch > 0 && exec > 0 ? 0 : 1;
        } finally {
          await connection.close();
        }
      }),
    );
}
