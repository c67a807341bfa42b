// The top-level verbs of `tbps`: name, arguments, one-line description and the module that registers them. The CLI
// loads only the module of the verb it was given (help and suggestions need just this table), so `tbps --help` and a
// typo answer without loading the Temporal client, the store or the dashboard. Keep this module free of imports.
import type { Command } from 'commander';

type Register = (program: Command) => void;

const MODULES = {
  server: () => import('./commands/server.js').then((m) => m.registerServer),
  submit: () => import('./commands/submit.js').then((m) => m.registerSubmit),
  stages: () => import('./commands/stages.js').then((m) => m.registerStages),
  report: () => import('./commands/report.js').then((m) => m.registerReport),
  stats: () => import('./commands/stats.js').then((m) => m.registerStats),
  logs: () => import('./commands/logs.js').then((m) => m.registerLogs),
  control: () => import('./commands/control.js').then((m) => m.registerControl),
  campaign: () => import('./commands/campaign.js').then((m) => m.registerCampaign),
  schedule: () => import('./commands/schedule.js').then((m) => m.registerSchedule),
  dashboard: () => import('./commands/dashboard.js').then((m) => m.registerDashboard),
  pilot: () => import('./commands/pilot.js').then((m) => m.registerPilot),
  site: () => import('./commands/site.js').then((m) => m.registerSite),
} satisfies Record<string, () => Promise<Register>>;

export type CommandModule = keyof typeof MODULES;

export interface VerbEntry {
  name: string;
  /** Argument shown in the top-level help, e.g. '<config>' (verbs, not command groups). */
  args?: string;
  description: string;
  module: CommandModule;
}

/** Every top-level verb, in the order of the help. */
export const VERBS: readonly VerbEntry[] = [
  { name: 'server', module: 'server', description: 'run the embedded Temporal dev server, local workers and the dashboard' },
  { name: 'submit', args: '<config>', module: 'submit', description: 'submit a run: quantum graph -> clusters -> generic workflow -> execution -> merge, on Temporal (or the run prepared in a submit directory)' },
  { name: 'acquire', args: '<config>', module: 'stages', description: 'get the quantum graph (qgraphFile or syntheticGraph) into the submit directory' },
  { name: 'cluster', args: '<config>', module: 'stages', description: 'acquire, then cluster the quanta into jobs and print the clusters per label' },
  { name: 'transform', args: '<config>', module: 'stages', description: 'acquire + cluster, then write the generic workflow (jobs, batches) to the submit directory' },
  { name: 'prepare', args: '<config>', module: 'stages', description: 'everything up to the WMS-ready files (HTCondor: every DAG and submit file) and the saved config; does not submit (then: tbps submit <submit dir>)' },
  { name: 'report', module: 'report', description: 'list runs, or show one run per label (BPS states, EXPECTED, TOTAL) with its failed jobs' },
  { name: 'status', module: 'report', description: 'print the state of a run; the exit code is the state number (UNKNOWN=0 ... SUCCEEDED=8, FAILED=9, PRUNED=10)' },
  { name: 'stats', module: 'stats', description: 'per-label statistics of a run or a campaign: jobs, failed, wall time max/mean/total (s), retries, peak memory (MiB), queue wait' },
  { name: 'logs', module: 'logs', description: "show the logs of a run's jobs: per attempt a header, the root-cause line, then the log" },
  { name: 'cancel', module: 'control', description: 'cancel a run: running jobs are stopped, finalJob still runs when whenRun is ALWAYS' },
  { name: 'restart', module: 'control', description: 're-run what did not succeed in a finished run (failed and pruned jobs), then finalJob again' },
  { name: 'ping', module: 'control', description: 'check that the Temporal server, its workers, the store and the configured workload systems answer' },
  { name: 'campaign', module: 'campaign', description: 'campaigns: ordered steps, each split into groups that run as BPS runs' },
  { name: 'schedule', module: 'schedule', description: 'nightly campaigns on Temporal Schedules (nightlyWorkflow)' },
  { name: 'pilot', module: 'pilot', description: 'pilots: executor workers of a compute site started as batch jobs, on Slurm so far (submit, list, cancel)' },
  { name: 'site', module: 'site', description: 'compute sites: running jobs per campaign against the site and campaign maxRunningJobs' },
  { name: 'dashboard', module: 'dashboard', description: 'serve the live web dashboard: campaigns, runs, jobs, logs and errors, updated as they change' },
];

/** The one-line description of a verb (the registering modules use it, so help and stubs agree). */
export function describeVerb(name: string): string {
  const entry = VERBS.find((v) => v.name === name);
  if (!entry) throw new Error(`no verb '${name}' in client/commandIndex.ts`);
  return entry.description;
}

/** Registers the module that defines `verb` (all its verbs); returns the verbs it registered. */
export async function registerVerbModule(program: Command, verb: string): Promise<Set<string>> {
  const entry = VERBS.find((v) => v.name === verb);
  if (!entry) return new Set();
  (await MODULES[entry.module]())(program);
  return new Set(VERBS.filter((v) => v.module === entry.module).map((v) => v.name));
}

/** Registers every module (for tools that walk the whole command tree). */
export async function registerAllVerbs(program: Command): Promise<void> {
  for (const load of Object.values(MODULES)) (await load())(program);
}

/**
 * Light stand-ins for the verbs not loaded: they give the top-level help its list and the usage errors their
 * suggestions. A stand-in that is run (it should not be: its verb's module is loaded first) says so.
 */
export function registerVerbStubs(program: Command, except: Set<string>): void {
  for (const verb of VERBS) {
    if (except.has(verb.name)) continue;
    const stub = program.command(verb.name).description(verb.description).allowUnknownOption().allowExcessArguments();
    if (verb.args) stub.argument(verb.args);
  }
}
