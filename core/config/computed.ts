// Values BPS computes at submit time into the `bps_defined` section: timestamp (UTC, YYYYMMDDTHHMMSSZ),
// operator (unless the config sets one), configFile, uniqProcName (outputRun with '/' -> '_', unless set) and
// submitPath (expanded), then checks the names that become paths (names.ts). Pure: the caller supplies the clock, the operator fallback and the environment.

import { BpsConfig, COMPUTED_SOURCE, type Env } from './config.js';
import { COMPUTED_SECTION } from './lookup.js';
import { fileLayer, mergeLayer, type Layer } from './merge.js';
import { checkName, NAME_KEYS } from './names.js';

/** BPS collection timestamp: UTC, e.g. 20240102T030405Z. */
export function formatTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`
  );
}

export interface ComputeInputs {
  now: Date;
  /** Used when the config does not set `operator`. */
  operator: string;
  /** Absolute path of the submit YAML; `configDisplay` is how messages name it (as the user wrote it). */
  configFile?: string;
  configDisplay?: string;
  env: Env;
}

function define(layer: Layer, values: Record<string, unknown>): void {
  mergeLayer(layer, fileLayer(values, COMPUTED_SOURCE), [COMPUTED_SECTION]);
}

/** Adds the computed values to the layer (mutates it), in dependency order. */
export function addComputed(layer: Layer, inp: ComputeInputs): void {
  define(layer, { timestamp: formatTimestamp(inp.now) });
  const view = () => new BpsConfig(layer.tree, layer.sources, inp.env);
  if (!view().has('operator')) define(layer, { operator: inp.operator });
  if (inp.configFile !== undefined) {
    // The source recorded for configFile is the file itself, as the user named it (used in messages).
    mergeLayer(layer, fileLayer({ configFile: inp.configFile }, inp.configDisplay ?? inp.configFile), [COMPUTED_SECTION]);
  }
  let cfg = view();
  if (!cfg.has('uniqProcName') && cfg.has('outputRun')) {
    define(layer, { uniqProcName: cfg.getString('outputRun').replace(/\//g, '_') });
    cfg = view();
  }
  if (cfg.has('submitPath')) define(layer, { submitPath: cfg.getString('submitPath') });
  cfg = view();
  for (const { key, collection } of NAME_KEYS) if (cfg.has(key)) checkName(cfg.getString(key), key, { collection, file: cfg.fileOf(key) });
}
