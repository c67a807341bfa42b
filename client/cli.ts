// The `tbps` command line: BPS verbs (submit, report, status, cancel, restart, ping, acquire, cluster,
// transform, prepare) plus `server` for the embedded Temporal dev server and workers.
import { Command } from 'commander';
import { registerCampaign } from './commands/campaign.js';
import { registerControl } from './commands/control.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerLogs } from './commands/logs.js';
import { registerReport } from './commands/report.js';
import { registerSchedule } from './commands/schedule.js';
import { registerServer } from './commands/server.js';
import { registerStages } from './commands/stages.js';
import { registerStats } from './commands/stats.js';
import { registerSubmit } from './commands/submit.js';
import { installUsageErrors } from './usageErrors.js';

const program = new Command();
program
  .name('tbps')
  .description('Batch Production Service on Temporal: submit and follow LSST-style processing runs')
  .version('0.1.0')
  .addHelpText(
    'after',
    `\nQuick start:\n  npx tbps server start                      # Temporal dev server + local workers\n  npx tbps submit config/examples/synthetic.yaml --wait\n  npx tbps report\n\nEnvironment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (Temporal), TBPS_HOME (data dir), TBPS_DB (store), TBPS_TASK_QUEUE.`,
  );

registerServer(program);
registerSubmit(program);
registerStages(program);
registerReport(program);
registerStats(program);
registerLogs(program);
registerControl(program);
registerCampaign(program);
registerSchedule(program);
registerDashboard(program);
installUsageErrors(program);

await program.parseAsync(process.argv);
