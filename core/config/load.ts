// Loading a BPS config from files: YAML parsing with file+line errors, `includeConfigs` at any level (paths
// relative to the including file, `${ENV}` allowed, merged in order, the including mapping on top), then the layers
// defaults (with the stack location from the environment, stackLocation.ts) < WMS plugin defaults < user YAML < CLI
// overrides (also kept in `bps_cmdline`) < computed (bps_defined).

import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadInputError } from '../errors.js';
import { addComputed } from './computed.js';
import { BpsConfig, type Env } from './config.js';
import { CLI_SECTION } from './lookup.js';
import { deepFreeze, fileLayer, isMapping, mergeLayer, nestDottedKeys, type Layer, type Mapping } from './merge.js';
import type { LoadOptions } from './types.js';
import { checkStrict } from './strict.js';
import { validateTree } from './validate.js';
import { showValue } from './values.js';
import { STACK_LOCATION_SOURCE, stackLocationLayer } from './stackLocation.js';
import { readConfigTree } from './yamlFile.js';

export { readYamlMapping } from './yamlFile.js';

/** The built-in lowest layer. */
export const BPS_DEFAULTS_FILE = fileURLToPath(new URL('../../config/bps_defaults.yaml', import.meta.url));

/** Source name recorded for CLI overrides. */
export const CLI_SOURCE = 'command line';

const INCLUDE_KEY = 'includeConfigs';
/** Deepest chain of includeConfigs (the submit YAML counts as level 1). */
export const MAX_INCLUDE_DEPTH = 16;

interface LoadCtx {
  cwd: string;
  env: Env;
}

function expandPathEnv(p: string, env: Env, file: string, key: string): string {
  let out = p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v === undefined) {
      throw new BadInputError(`environment variable \${${name}} in include path "${p}" is not set; export ${name} or change the path`, {
        file,
        key,
      });
    }
    return v;
  });
  if (out === '~' || out.startsWith('~/')) {
    const home = env.HOME;
    if (home) out = home + out.slice(1);
  }
  return out;
}

function includeList(v: unknown, file: string, key: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x.trim() === '')) {
    throw new BadInputError(`expected a file name or a list of file names (e.g. includeConfigs: [site.yaml]), got ${showValue(v)}`, {
      file,
      key,
    });
  }
  return list as string[];
}

/** One file with its includes resolved: a layer whose sources name the file each value came from. */
function loadFileLayer(display: string, lc: LoadCtx, stack: string[], allowEmpty: boolean): Layer {
  const abs = resolve(lc.cwd, display);
  if (stack.includes(abs)) {
    throw new BadInputError(`includeConfigs cycle: ${[...stack, abs].join(' -> ')}; remove one of these includes`, { file: display });
  }
  const tree = readConfigTree(display, abs);
  if (tree === null) {
    if (allowEmpty) return { tree: {}, sources: {} };
    throw new BadInputError('the file is empty; expected a mapping of BPS settings (e.g. pipelineYaml, payload: {payloadName, butlerConfig, ...})', {
      file: display,
    });
  }
  return resolveIncludes(tree, display, lc, [], [...stack, abs]);
}

/** Whether includeConfigs appears in any mapping of the tree (the common case, no, skips the per-key merge). */
function hasIncludes(node: Mapping): boolean {
  if (Object.prototype.hasOwnProperty.call(node, INCLUDE_KEY)) return true;
  for (const k of Object.keys(node)) {
    const v = node[k];
    if (isMapping(v) && hasIncludes(v)) return true;
  }
  return false;
}

function resolveIncludes(node: Mapping, display: string, lc: LoadCtx, prefix: string[], stack: string[]): Layer {
  if (!hasIncludes(node)) return fileLayer(node, display);
  const out: Layer = { tree: {}, sources: {} };
  if (Object.prototype.hasOwnProperty.call(node, INCLUDE_KEY) && node[INCLUDE_KEY] !== null) {
    const key = [...prefix, INCLUDE_KEY].join('.');
    for (const entry of includeList(node[INCLUDE_KEY], display, key)) {
      const p = expandPathEnv(entry.trim(), lc.env, display, key);
      const incDisplay = isAbsolute(p) ? p : join(dirname(display), p);
      const incAbs = resolve(lc.cwd, incDisplay);
      if (!existsSync(incAbs)) {
        throw new BadInputError(`included file "${entry}" not found (looked for ${incAbs}); paths are relative to the including file`, {
          file: display,
          key,
        });
      }
      if (!statSync(incAbs).isFile()) {
        throw new BadInputError(`included path "${entry}" is not a file (${incAbs})`, { file: display, key });
      }
      if (stack.length >= MAX_INCLUDE_DEPTH) {
        throw new BadInputError(
          `includeConfigs nested more than ${MAX_INCLUDE_DEPTH} files deep: ${[...stack, incAbs].join(' -> ')}; include these files from fewer levels`,
          { file: display, key },
        );
      }
      mergeLayer(out, loadFileLayer(incDisplay, lc, stack, true));
    }
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === INCLUDE_KEY) continue;
    if (isMapping(v)) {
      const child = resolveIncludes(v, display, lc, [...prefix, k], stack);
      if (Object.keys(child.tree).length === 0) mergeLayer(out, fileLayer({ [k]: {} }, display));
      else mergeLayer(out, child, [k]);
      // The section itself is credited to this file unless an include created it first.
      if (out.sources[k] === undefined) out.sources[k] = display;
    } else {
      mergeLayer(out, fileLayer({ [k]: v }, display));
    }
  }
  return out;
}

const printed = new Set<string>();

/** Default warning sink: stderr, each distinct line once per process (a command may load a config twice). */
function printWarningOnce(line: string): void {
  if (printed.has(line)) return;
  printed.add(line);
  process.stderr.write(`${line}\n`);
}

function defaultOperator(env: Env): string {
  if (env.USER) return env.USER;
  if (env.LOGNAME) return env.LOGNAME;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Loads just the merged file layers (defaults, WMS defaults, user YAML) without overrides or computed values. */
export function loadLayers(file: string, opts: LoadOptions = {}): Layer {
  const cwd = opts.cwd ?? process.cwd();
  const env: Env = { ...(opts.env ?? process.env), PWD: cwd };
  const lc: LoadCtx = { cwd, env };
  const all: Layer = { tree: {}, sources: {} };
  const defaults = opts.defaultsFile === undefined ? BPS_DEFAULTS_FILE : opts.defaultsFile;
  if (defaults !== false) {
    mergeLayer(all, loadFileLayer(defaults, lc, [], true));
    mergeLayer(all, stackLocationLayer(env));
  }
  for (const f of opts.defaultsFiles ?? []) mergeLayer(all, loadFileLayer(f, lc, [], true));
  mergeLayer(all, loadFileLayer(file, lc, [], false));
  return all;
}

/**
 * Loads a submit YAML with all BPS layers and computed values. Every problem is a BadInputError naming the file
 * and key. The result is frozen and JSON-serialisable (toJSON / BpsConfig.fromTree).
 */
export function loadBpsConfig(file: string, opts: LoadOptions = {}): BpsConfig {
  const cwd = opts.cwd ?? process.cwd();
  const defaults = opts.defaultsFile === undefined ? BPS_DEFAULTS_FILE : opts.defaultsFile;
  const env: Env = { ...(opts.env ?? process.env), PWD: cwd };
  const all = loadLayers(file, opts);

  const given = Object.fromEntries(Object.entries(opts.overrides ?? {}).filter(([, v]) => v !== undefined));
  if (Object.keys(given).length > 0) {
    const cli = nestDottedKeys(given, CLI_SOURCE);
    mergeLayer(all, cli);
    mergeLayer(all, cli, [CLI_SECTION]);
  }

  const defaultFiles = new Set<string>([...(defaults === false ? [] : [defaults, STACK_LOCATION_SOURCE]), ...(opts.defaultsFiles ?? [])]);
  // Warnings are given once the config has loaded: a config that fails prints its one error line alone.
  const warnings: string[] = [];
  checkStrict(all, (f) => f !== undefined && defaultFiles.has(f), (line) => warnings.push(line));
  validateTree(all);
  addComputed(all, {
    now: opts.now ?? new Date(),
    operator: opts.operator ?? defaultOperator(env),
    configFile: resolve(cwd, file),
    configDisplay: file,
    env,
  });
  const config = new BpsConfig(deepFreeze(all.tree), all.sources, env);
  for (const line of warnings) (opts.onWarning ?? printWarningOnce)(line);
  return config;
}
