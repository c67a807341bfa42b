// `tbps server start|stop|status`: the embedded Temporal dev server, the local workers and the dashboard.
import type { Command } from 'commander';
import { connectClient } from '../../temporal/connection.js';
import { runningServer, startDevServer, stopDevServer } from '../../temporal/devServer.js';
import { dataDir, storeLocation } from '../../paths/index.js';
import { checkStore, chooseStore, shownStore } from '../services/serverStore.js';
import { orchestratorQueue, siteQueue } from '../../core/run/queues.js';
import { runAction, UsageError } from '../exit.js';
import { waitForPollers } from '../pollers.js';
import { dashboardStatus, startDashboard, startWorker, stopDashboard, stopWorker, workerStatus } from '../background.js';
import { DEFAULT_DASHBOARD_PORT } from './dashboard.js';
import { portOption } from '../numberOptions.js';
import { describeVerb } from '../commandIndex.js';

const prefix = () => process.env.TBPS_TASK_QUEUE ?? 'tbps';

export function registerServer(program: Command): void {
  const server = program.command('server').description(describeVerb('server'));

  server
    .command('start')
    .description('start the Temporal dev server (SQLite persistence, Web UI), the orchestrator + local executor workers and the dashboard')
    .option('--port <port>', 'frontend gRPC port', '7233')
    .option('--ui-port <port>', 'Web UI port (default: port + 1000)')
    .option('--no-workers', 'start only the Temporal server (and the dashboard)')
    .option('--site <site>', 'compute site served by the executor worker', 'local')
    .option('--dashboard-port <port>', 'port of the dashboard on 127.0.0.1 (read-only unless TBPS_DASHBOARD_TOKEN is set)', String(DEFAULT_DASHBOARD_PORT))
    .option('--no-dashboard', 'do not start the dashboard')
    .option('--db <location>', "the store of the workers, the dashboard and later CLI commands of this data directory: a SQLite file or postgres://user:password@host:port/database ('default': the SQLite file in the data directory); kept for the next start")
    .action((o) =>
      runAction(async () => {
        const port = portOption(o.port, '--port');
        const uiPort = o.uiPort === undefined ? undefined : portOption(o.uiPort, '--ui-port');
        const dashboardPort = Number(o.dashboardPort);
        if (o.dashboard && !(Number.isInteger(dashboardPort) && dashboardPort > 0 && dashboardPort < 65536)) {
          throw new UsageError(`--dashboard-port: expected a port number, got '${o.dashboardPort}'`);
        }
        // The store first: one that cannot be opened stops everything before anything starts.
        const store = chooseStore(o.db);
        await checkStore(store, o.db === undefined ? 'store' : '--db');
        store.save();
        const info = await startDevServer({ port, uiPort });
        console.log(`Temporal dev server ${info.alreadyRunning ? 'already running' : 'started'} (pid ${info.pid})`);
        console.log(`  frontend : ${info.address}`);
        if (info.uiUrl) console.log(`  Web UI   : ${info.uiUrl}`);
        console.log(`  database : ${info.dbFile ?? '(in memory)'}`);
        console.log(`  log      : ${info.logFile}`);
        console.log(`store: ${shownStore(store.location)}`);
        const env = { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? info.address, TBPS_DB: store.location };
        // The dashboard comes up while the workers start; a dashboard that cannot start (port taken) is reported,
        // not fatal: the server and workers are what runs need.
        const dashboard = async () => {
          if (!o.dashboard) return;
          try {
            const d = await startDashboard({ host: '127.0.0.1', port: dashboardPort, env });
            console.log(`dashboard ${d.alreadyRunning ? 'already running' : 'started'} (pid ${d.pid}, log ${d.logFile})`);
            console.log(`  dashboard: ${d.url}${process.env.TBPS_DASHBOARD_TOKEN ? '  (open it once with ?token=<TBPS_DASHBOARD_TOKEN> to act)' : '  (read-only)'}`);
          } catch (err) {
            console.log(`dashboard not started: ${(err as Error).message}`);
          }
        };
        if (!o.workers) return dashboard();
        const orch = startWorker('orchestrator', undefined, env);
        const exec = startWorker('executor', o.site, env);
        console.log(`orchestrator worker ${orch.alreadyRunning ? 'already running' : 'started'} (pid ${orch.pid}, log ${orch.logFile})`);
        console.log(`executor worker [${o.site}] ${exec.alreadyRunning ? 'already running' : 'started'} (pid ${exec.pid}, log ${exec.logFile})`);
        await dashboard();
        process.env.TEMPORAL_ADDRESS ??= info.address;
        const { client, connection } = await connectClient();
        try {
          const ok =
            (await waitForPollers(client, orchestratorQueue(prefix()), 'workflow', 90_000)) &&
            (await waitForPollers(client, siteQueue(prefix(), o.site), 'activity', 30_000));
          if (!ok) throw new Error(`workers did not start polling within 90 s; see ${orch.logFile} and ${exec.logFile}`);
        } finally {
          await connection.close();
        }
        console.log('workers are polling; ready for `tbps submit`');
      }),
    );

  server
    .command('stop')
    .description('stop the dashboard, the local workers and the Temporal dev server')
    .option('--port <port>', 'frontend gRPC port', '7233')
    .option('--site <site>', 'compute site of the executor worker', 'local')
    .action((o) =>
      runAction(async () => {
        const port = portOption(o.port, '--port');
        console.log(`dashboard: ${(await stopDashboard()) ? 'stopped' : 'not running'}`);
        console.log(`executor worker: ${(await stopWorker('executor', o.site)) ? 'stopped' : 'not running'}`);
        console.log(`orchestrator worker: ${(await stopWorker('orchestrator')) ? 'stopped' : 'not running'}`);
        console.log(`Temporal dev server: ${(await stopDevServer({ port })) ? 'stopped' : 'not running'}`);
      }),
    );

  server
    .command('status')
    .description('show what is running and where')
    .option('--port <port>', 'frontend gRPC port', '7233')
    .option('--site <site>', 'compute site of the executor worker', 'local')
    .action((o) =>
      runAction(async () => {
        const s = runningServer({ port: portOption(o.port, '--port') });
        console.log(`data directory      : ${dataDir()}`);
        console.log(`store               : ${shownStore(storeLocation())}`);
        console.log(`Temporal dev server : ${s ? `running (pid ${s.pid}) at ${s.address}${s.uiUrl ? `, Web UI ${s.uiUrl}` : ''}` : 'not running'}`);
        const orch = workerStatus('orchestrator');
        const exec = workerStatus('executor', o.site);
        console.log(`orchestrator worker : ${orch ? `running (pid ${orch.pid}), log ${orch.logFile}` : 'not running'}`);
        console.log(`executor [${o.site}]${' '.repeat(Math.max(0, 9 - o.site.length))}: ${exec ? `running (pid ${exec.pid}), log ${exec.logFile}` : 'not running'}`);
        const dash = dashboardStatus();
        console.log(`dashboard           : ${dash ? `running (pid ${dash.pid}) at ${dash.url}, log ${dash.logFile}` : 'not running'}`);
        return s ? 0 : 3;
      }),
    );
}
