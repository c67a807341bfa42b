// Pilots (`tbps pilot submit|list|cancel`, the dashboard later): executor workers started as batch jobs of an
// external workload system, recorded in the store. Submit checks everything first (count, walltime, WMS, site,
// the Temporal server) and starts nothing on bad input; a WMS refusing one of N pilots cancels the ones it had
// started and removes their rows. List reads the store and refreshes unfinished pilots from the WMS (one query
// for their own ids); cancel removes pilots in the WMS (their executors hand running jobs back to Temporal).
//
// A site a pilot may serve is one some run in the store uses (its computeSite) or one a BPS config names
// (`computeSite`, or a key of its `site:` section) given with `--config`.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadBpsConfig } from '../../core/config/load.js';
import { checkName } from '../../core/config/names.js';
import { BadInputError } from '../../core/errors.js';
import { FINAL_PILOT_STATES, MIN_PILOT_WALLTIME_SECONDS } from '../../core/pilots/request.js';
import type { PilotRecord } from '../../store/index.js';
import { dataDir, repoRoot, storeLocation } from '../../paths/index.js';
import { WMS_PLUGINS, wmsPlugin, type ExternalWmsPlugin } from '../../wms/index.js';
import type { ServiceContext } from './context.js';

export interface PilotSubmitInput {
  wms: string;
  site: string;
  count: number;
  walltimeSeconds: number;
  cpus: number;
  memoryMb: number;
  /** A BPS config whose computeSite (or site: section) makes the site known before any run used it. */
  configFile?: string;
}

export interface PilotView extends PilotRecord {
  /** Seconds of walltime left (running pilots), else null. */
  walltimeLeftSeconds: number | null;
}

type PilotPlugin = ExternalWmsPlugin & Required<Pick<ExternalWmsPlugin, 'submitPilot' | 'cancelPilot' | 'listPilots'>>;

/** The plugin of a WMS that can start pilots; `local`, an unknown name or one without pilots is bad input. */
export function checkPilotWms(name: string): void {
  pilotPlugin(name);
}

function pilotPlugin(name: string): PilotPlugin {
  const plugin = wmsPlugin(name, { key: '--wms' });
  const able = Object.values(WMS_PLUGINS).filter((p) => p.mode === 'external' && p.submitPilot).map((p) => p.name);
  if (plugin.mode !== 'external' || !plugin.submitPilot || !plugin.cancelPilot || !plugin.listPilots)
    throw new BadInputError(`workload system '${plugin.name}' cannot start pilots; expected one of: ${able.join(', ')}`, { key: '--wms' });
  return plugin as PilotPlugin;
}

/** Sites named by a BPS config: its computeSite and the keys of its site: section. */
function configSites(file: string): string[] {
  const config = loadBpsConfig(file);
  const out = Object.keys(config.section('site') ?? {});
  const site = config.resolveSite();
  if (site) out.push(site);
  return out;
}

/** The site, checked: a run in the store or the given config uses it. */
async function checkPilotSite(ctx: ServiceContext, site: string, configFile?: string): Promise<void> {
  checkName(site, '--site');
  const known = new Set((await ctx.store.listSites()).map((s) => s.site));
  if (configFile) for (const s of configSites(configFile)) known.add(s);
  if (!known.has(site))
    throw new BadInputError(
      `no run or config uses compute site '${site}'; known: ${[...known].sort().join(', ') || 'none yet'} (name it with --config <bps.yaml> whose computeSite is ${site}, or submit a run there first)`,
      { key: '--site' },
    );
}

function newPilotId(): string {
  return `p${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** What a pilot needs to see: the Temporal server and namespace, the store and data dir, the LSST venv. */
function pilotEnvironment(settings: { address: string; namespace: string }, input: PilotSubmitInput, pilotId: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && /^TEMPORAL_/.test(k)) env[k] = v;
  for (const k of ['PATH', 'HOME', 'LANG', 'TBPS_LOG_LEVEL', 'TBPS_FROM_SOURCE'] as const) if (process.env[k]) env[k] = process.env[k]!;
  return {
    ...env,
    TEMPORAL_ADDRESS: settings.address,
    TEMPORAL_NAMESPACE: settings.namespace,
    TBPS_TASK_QUEUE: process.env.TBPS_TASK_QUEUE ?? 'tbps',
    TBPS_HOME: dataDir(),
    TBPS_DB: storeLocation(),
    TBPS_VENV: path.resolve(process.env.TBPS_VENV ?? path.join(repoRoot, '.venv')),
    TBPS_SITE: input.site,
    TBPS_EXECUTOR_CPUS: String(input.cpus),
    TBPS_EXECUTOR_SLOTS: String(input.cpus),
    TBPS_EXECUTOR_MEMORY_MB: String(input.memoryMb),
    TBPS_PILOT_ID: pilotId,
    TBPS_PILOT_WALLTIME_SECONDS: String(input.walltimeSeconds),
  };
}

/** Starts `count` pilots; returns their records. Bad input (or a WMS refusing) starts nothing. */
export async function submitPilots(ctx: ServiceContext, input: PilotSubmitInput): Promise<PilotRecord[]> {
  const plugin = pilotPlugin(input.wms);
  if (!Number.isInteger(input.count) || input.count < 1) throw new BadInputError(`expected a whole number >= 1 of pilots, got ${input.count}`, { key: '--count' });
  if (!(input.walltimeSeconds >= MIN_PILOT_WALLTIME_SECONDS)) throw new BadInputError(`expected a walltime of at least ${MIN_PILOT_WALLTIME_SECONDS}s`, { key: '--walltime' });
  await checkPilotSite(ctx, input.site, input.configFile);
  const { settings } = await ctx.temporal(); // unreachable: nothing started
  const submittedAt = new Date().toISOString();
  const started: PilotRecord[] = [];
  const records: PilotRecord[] = [];
  try {
    for (let i = 0; i < input.count; i++) {
      const pilotId = newPilotId();
      const workDir = path.join(dataDir(), 'pilots', pilotId);
      mkdirSync(workDir, { recursive: true, mode: 0o700 });
      const record: PilotRecord = { pilotId, wms: plugin.name, wmsId: '', site: input.site, state: 'PENDING', cpus: input.cpus, memoryMb: input.memoryMb, walltimeSeconds: input.walltimeSeconds, submittedAt, startedAt: null, endedAt: null, host: null, jobsRun: 0, message: '' };
      await ctx.store.insertPilot(record);
      records.push(record);
      record.wmsId = await plugin.submitPilot({
        pilotId,
        site: input.site,
        walltimeSeconds: input.walltimeSeconds,
        cpus: input.cpus,
        memoryMb: input.memoryMb,
        workDir,
        argv: [process.execPath, path.join(repoRoot, 'bin', 'tbps-worker.js'), 'executor', input.site],
        environment: pilotEnvironment(settings, input, pilotId),
        env: process.env,
      });
      await ctx.store.updatePilot(pilotId, { wmsId: record.wmsId });
      started.push(record);
    }
  } catch (err) {
    // None of this request's pilots may stay: cancel what started, forget every row.
    if (started.length > 0) await plugin.cancelPilot(started.map((p) => p.wmsId), process.env).catch(() => undefined);
    await ctx.store.deletePilots(records.map((p) => p.pilotId));
    const what = (err instanceof Error ? err.message : String(err)).split('\n').find((l) => l.trim()) ?? String(err);
    throw new BadInputError(`${plugin.name} did not start pilot ${records.length} of ${input.count} (nothing started): ${what}`, { key: '--wms' });
  }
  return started;
}

/** How a pilot the WMS no longer knows, or says ended, reads in the store. */
async function refresh(ctx: ServiceContext, pilots: PilotRecord[], warnings: string[]): Promise<void> {
  const open = pilots.filter((p) => !FINAL_PILOT_STATES.has(p.state) && p.wmsId);
  for (const wms of new Set(open.map((p) => p.wms))) {
    const mine = open.filter((p) => p.wms === wms);
    let seen;
    try {
      seen = await pilotPlugin(wms).listPilots(mine.map((p) => p.wmsId), process.env);
    } catch (err) {
      warnings.push(`could not ask ${wms} about its pilots (showing the stored states): ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
      continue;
    }
    for (const p of mine) {
      const w = seen.get(p.wmsId);
      let state = p.state;
      if (!w) state = 'LOST';
      else if (w.state !== 'RUNNING' && w.state !== 'PENDING') state = w.state;
      else if (w.state === 'RUNNING' && p.state === 'PENDING') state = 'RUNNING';
      if (state === p.state) continue;
      const endedAt = FINAL_PILOT_STATES.has(state) && !p.endedAt ? new Date().toISOString() : undefined;
      const message = !w ? `${wms} no longer knows job ${p.wmsId} and the pilot did not record its end` : w.detail;
      if (await ctx.store.updatePilot(p.pilotId, { state, endedAt, host: w?.host, message }, [...FINAL_PILOT_STATES])) Object.assign(p, { state, message, ...(endedAt ? { endedAt } : {}), ...(w?.host && !p.host ? { host: w.host } : {}) });
    }
  }
}

/** Pilots (of a site), oldest first, unfinished ones refreshed from their WMS unless `refresh` is false. */
export async function listPilots(ctx: ServiceContext, opts: { site?: string; refresh?: boolean } = {}): Promise<{ pilots: PilotView[]; warnings: string[] }> {
  const pilots = await ctx.store.listPilots(opts.site);
  const warnings: string[] = [];
  if (opts.refresh !== false) await refresh(ctx, pilots, warnings);
  const now = Date.now();
  return {
    pilots: pilots.map((p) => ({
      ...p,
      walltimeLeftSeconds: p.startedAt && !FINAL_PILOT_STATES.has(p.state) ? Math.max(0, Math.round((Date.parse(p.startedAt) + p.walltimeSeconds * 1000 - now) / 1000)) : null,
    })),
    warnings,
  };
}

export type PilotSelector = { ids: string[] } | { site: string } | { all: true };

/** Cancels the selected unfinished pilots in their WMS and marks them CANCELLED; returns them. */
export async function cancelPilots(ctx: ServiceContext, selector: PilotSelector): Promise<PilotRecord[]> {
  const pilots = await ctx.store.listPilots('site' in selector ? selector.site : undefined);
  let chosen: PilotRecord[];
  if ('ids' in selector) {
    const byId = new Map(pilots.map((p) => [p.pilotId, p]));
    const unknown = selector.ids.filter((id) => !byId.has(id));
    if (unknown.length > 0) throw new BadInputError(`no pilot ${unknown.join(', ')}; see tbps pilot list`, { key: 'ID' });
    chosen = selector.ids.map((id) => byId.get(id)!);
    const over = chosen.filter((p) => FINAL_PILOT_STATES.has(p.state));
    if (over.length === chosen.length) throw new BadInputError(`pilot ${over.map((p) => `${p.pilotId} is ${p.state}`).join(', ')}: nothing to cancel`, { key: 'ID' });
  } else chosen = pilots;
  chosen = chosen.filter((p) => !FINAL_PILOT_STATES.has(p.state));
  // CANCELLED is written before the WMS is asked: a pilot that ends at once on the signal then keeps that state (it
  // writes ENDED only over an unfinished one); if the WMS refuses, the pilots get their state back.
  const before = new Map(chosen.map((p) => [p.pilotId, { state: p.state, message: p.message }]));
  for (const p of chosen) {
    await ctx.store.updatePilot(p.pilotId, { state: 'CANCELLED', message: 'cancelled by tbps pilot cancel' }, [...FINAL_PILOT_STATES]);
    p.state = 'CANCELLED';
  }
  for (const wms of new Set(chosen.map((p) => p.wms))) {
    const mine = chosen.filter((p) => p.wms === wms && p.wmsId);
    if (mine.length === 0) continue;
    try {
      await pilotPlugin(wms).cancelPilot(mine.map((p) => p.wmsId), process.env);
    } catch (err) {
      for (const p of chosen.filter((c) => c.wms === wms)) await ctx.store.updatePilot(p.pilotId, before.get(p.pilotId)!);
      throw err;
    }
  }
  return chosen;
}
