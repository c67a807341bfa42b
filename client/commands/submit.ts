// `tbps submit config.yaml`: checks the config (nothing starts on bad input), starts runWorkflow on Temporal,
// prints where to watch it; with --wait shows progress and ends with the report. `tbps submit <submit dir>` starts
// the run `tbps prepare` made there, from its saved config; the run then uses the prepared files as they are.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { runWorkflow } from '../../workflows/run.js';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { orchestratorQueue, runWorkflowId, siteQueue } from '../../core/run/queues.js';
import { BpsOperator, BpsPayload, BpsRun, BpsRunState, BpsSite } from '../../workflows/searchKeys.js';
import type { RunInput } from '../../core/run/types.js';
import { connectClient } from '../../temporal/connection.js';
import { runAction, UsageError } from '../exit.js';
import { addConfigOptions, configOptionsFrom } from '../configOptions.js';
import { loadSubmitConfig, preflightGraph } from '../../core/submit/config.js';
import { saveRunConfig } from '../../core/submit/savedConfig.js';
import { preflightLsstGraph } from '../../lsst/givenGraph.js';
import { markPreparedRunSubmitted, preparedSubmission } from '../../core/submit/preparedRun.js';
import { pollerCount } from '../pollers.js';
import { waitAndReport } from '../progress.js';
import { webUiUrl } from '../links.js';
import { describeVerb } from '../commandIndex.js';

export function taskQueuePrefix(): string {
  return process.env.TBPS_TASK_QUEUE ?? 'tbps';
}

export function registerSubmit(program: Command): void {
  const cmd = program
    .command('submit')
    .description(describeVerb('submit'))
    .argument('<config>', 'BPS submit YAML, or the submit directory of a run made with `tbps prepare`')
    .option('--wait', 'wait for the run to finish, showing progress, then print its report')
    .addHelpText(
      'after',
      `\nExamples:\n  tbps submit config/examples/synthetic.yaml --wait\n  tbps submit my_submit.yaml --compute-site local\n  tbps prepare my_submit.yaml && tbps submit submit/u/me/run1   (submit the prepared run as it is)\n\nExit codes: 0 submitted (or, with --wait, SUCCEEDED); 1 run did not succeed; 2 bad input or server unreachable.`,
    );
  addConfigOptions(cmd);
  cmd.action((file: string, o) =>
    runAction(async () => {
      // A directory: the run `tbps prepare` made there, submitted as prepared (its graph, jobs and WMS files as they are).
      const prepared = isDirectory(file) ? preparedSubmission(file) : undefined;
      if (prepared) refuseConfigOptions(o);
      const config = prepared?.config ?? loadSubmitConfig(file, configOptionsFrom(o));
      if (!prepared) {
        await preflightGraph(config);
        await preflightLsstGraph(config); // a given pipe_base graph: the stack is there and the file is a readable graph
      }
      const runId = config.getString('uniqProcName');
      const submitPath = prepared?.submitPath ?? path.resolve(config.getString('submitPath'));
      const site = config.getString('computeSite');
      const prefix = taskQueuePrefix();
      const { client, connection, settings } = await connectClient();
      try {
        // The config travels by path and hash: it is saved in the submit directory before the run starts (never
        // over the saved config of a run still running), and the write is undone if the start fails. A prepared
        // run starts from the config saved by prepare.
        if (prepared && (await workflowExists(client, runId))) throw alreadySubmitted(runId);
        if (await isRunning(client, runId)) throw alreadyRunning(runId);
        const saved = prepared ? { ref: prepared.configRef, undo: () => {} } : saveRunConfig(submitPath, config.toJSON());
        const input: RunInput = { runId, submitPath, configRef: saved.ref, taskQueuePrefix: prefix };
        const str = (k: string) => String(config.get(k) ?? '');
        try {
          await client.workflow.start(runWorkflow, {
            taskQueue: orchestratorQueue(prefix),
            workflowId: runWorkflowId(runId),
            args: [input],
            typedSearchAttributes: [
              { key: BpsRun, value: runId },
              { key: BpsRunState, value: 'PENDING' },
              { key: BpsOperator, value: str('operator') },
              { key: BpsPayload, value: str('payloadName') },
              { key: BpsSite, value: site },
            ],
          });
        } catch (err) {
          saved.undo(); // a run that started meanwhile keeps the saved config it was started with
          if (err instanceof WorkflowExecutionAlreadyStartedError) throw alreadyRunning(runId);
          throw err;
        }
        if (prepared) markPreparedRunSubmitted(submitPath, prepared.record);
        console.log(`Submitted run ${runId}${prepared ? ' (as prepared)' : ''}`);
        console.log(`  submit directory : ${submitPath}`);
        console.log(`  Temporal         : ${webUiUrl(settings, runWorkflowId(runId))}`);
        console.log(`  report           : npx tbps report --id ${runId}`);
        if ((await pollerCount(client, orchestratorQueue(prefix), 'workflow')) === 0)
          console.log(`  warning: no orchestrator worker polls '${orchestratorQueue(prefix)}'; start one with 'npx tbps server start'`);
        if ((await pollerCount(client, siteQueue(prefix, site), 'activity')) === 0)
          console.log(`  warning: no executor worker serves compute site '${site}' (task queue '${siteQueue(prefix, site)}')`);
        if (!o.wait) return 0;
        return await waitAndReport(client, runId);
      } finally {
        await connection.close();
      }
    }),
  );
}

function isDirectory(file: string): boolean {
  return existsSync(file) && statSync(file).isDirectory();
}

/** A prepared run is submitted with the config it was prepared with: options that would change it are refused. */
function refuseConfigOptions(o: Record<string, unknown>): void {
  const given = Object.entries(configOptionsFrom(o)).filter(([, v]) => v !== undefined).map(([k]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  if (given.length > 0)
    throw new UsageError(`${given.join(', ')}: a prepared run is submitted with the config it was prepared with; prepare it again with these options instead`);
}

function alreadySubmitted(runId: string): UsageError {
  return new UsageError(`run '${runId}' was submitted before; use 'tbps report --id ${runId}' or 'tbps restart --id ${runId}', or prepare a new run`);
}

async function workflowExists(client: Client, runId: string): Promise<boolean> {
  return (await client.workflow.getHandle(runWorkflowId(runId)).describe().catch(() => undefined)) !== undefined;
}

function alreadyRunning(runId: string): UsageError {
  return new UsageError(`run '${runId}' is already running; use 'tbps report --id ${runId}', or change outputRun`);
}

async function isRunning(client: Client, runId: string): Promise<boolean> {
  const d = await client.workflow.getHandle(runWorkflowId(runId)).describe().catch(() => undefined);
  return d?.status.name === 'RUNNING';
}
