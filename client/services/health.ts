// Health checks of what a run needs besides Temporal (`tbps ping`): the store (SQLite file or PostgreSQL server) and
// the workload systems configured in the environment (each plugin's forPing: HTCondor's schedd, Slurm's controller).
import { isPostgresUrl, openStore, redactUrl } from '../../store/index.js';
import { BadInputError } from '../../core/errors.js';
import { WMS_NAMES } from '../../core/submit/wmsNames.js';
import { WMS_PLUGINS, wmsForServiceClass } from '../../wms/index.js';
import type { ExternalWmsPlugin } from '../../wms/types.js';

/** One line of `tbps ping`. */
export interface HealthLine {
  what: string;
  ok: boolean;
  detail: string;
}

/** Opens the store (migrating it if needed) and reads from it. */
export async function storeHealth(location: string): Promise<HealthLine> {
  const what = isPostgresUrl(location) ? `store PostgreSQL ${redactUrl(location)}` : `store SQLite ${location}`;
  try {
    const store = await openStore(location);
    try {
      const runs = await store.listRuns({ limit: 1 });
      return { what, ok: true, detail: runs.length ? `answers (newest run ${runs[0].runId})` : 'answers (no runs yet)' };
    } finally {
      await store.close();
    }
  } catch (err) {
    return { what, ok: false, detail: (err as Error).message.split('\n')[0] };
  }
}

/**
 * The external workload systems to check: those named (a comma-separated list of names or BPS classes; an unknown
 * one is bad input, `local` has nothing to ping), else those the environment configures.
 */
export function systemsToPing(named: string | undefined, env: Record<string, string | undefined>): ExternalWmsPlugin[] {
  if (named !== undefined) {
    const names = named.split(',').map((n) => n.trim()).filter((n) => n.length > 0);
    if (names.length === 0) throw new BadInputError(`option --wms: expected workload system names, comma-separated (one of: ${WMS_NAMES.join(', ')})`);
    const plugins = names.map((name) => {
      const plugin = wmsForServiceClass(name);
      if (!plugin) throw new BadInputError(`option --wms: unknown workload system '${name}'; expected one of: ${WMS_NAMES.join(', ')}`);
      return plugin;
    });
    return plugins.filter((plugin): plugin is ExternalWmsPlugin => plugin.mode === 'external');
  }
  return Object.values(WMS_PLUGINS).filter((p): p is ExternalWmsPlugin => p.mode === 'external' && p.configuredIn(env));
}

export async function wmsHealth(plugin: ExternalWmsPlugin, env: Record<string, string | undefined>): Promise<HealthLine> {
  const result = await plugin.forPing(env).ping();
  return { what: `workload system ${plugin.name}`, ok: result.ok, detail: result.detail };
}

export function formatHealthLine(line: HealthLine): string {
  return `${line.what}: ${line.ok ? 'ok' : 'DOWN'}: ${line.detail}`;
}
