// BpsConfig: a merged, frozen, JSON-serialisable BPS config tree plus the BPS lookup rules (search order,
// `{var}`/`${ENV}` expansion, typed getters, per-job attributes). Pure: no node: imports, so workflow code may use
// it (rebuilt with BpsConfig.fromTree from the workflow input). Loading from files is in load.ts.

import { BadInputError } from '../errors.js';
import { jobAttributes, type AttributeReader } from './attributes.js';
import { expandArgv } from './command.js';
import { expandString, type ExpandState, type VarSource } from './expand.js';
import { buildScopes, COMPUTED_SECTION, contextKey, lookup, type Hit, type Resolved } from './lookup.js';
import { cloneTree, deepFreeze, fileLayer, getPath, isMapping, mergeLayer, sourceOf, splitKey, type Mapping } from './merge.js';
import type { ExpandOptions, JobAttributes, LookupContext } from './types.js';
import { boolSchema, numberListSchema, numberSchema, parseWith, showValue, stringListSchema } from './values.js';

export type Env = Record<string, string | undefined>;

/** Source name recorded for values computed at load time (bps_defined). */
export const COMPUTED_SOURCE = 'computed (bps_defined)';

function processEnv(): Env {
  const p = (globalThis as { process?: { env?: Env } }).process;
  return p?.env ?? {};
}

function needsExpansion(v: unknown): v is string {
  return typeof v === 'string' && (v.includes('{') || v.includes('${'));
}

export class BpsConfig implements AttributeReader {
  /** The merged tree. Frozen when built by loadBpsConfig/fromTree: do not mutate. */
  readonly tree: Record<string, unknown>;
  private readonly sources: Record<string, string>;
  private readonly env: Env;
  private readonly scopeCache = new Map<string, Resolved>();

  /** @internal Use loadBpsConfig or BpsConfig.fromTree. The tree is used as is (not copied). */
  constructor(tree: Mapping, sources: Record<string, string> = {}, env?: Env) {
    this.tree = tree;
    this.sources = sources;
    this.env = env ?? processEnv();
  }

  /**
   * Rebuilds a config from `toJSON()` output (e.g. on the worker side). The tree is copied and frozen.
   * `${ENV}` then comes from `env` (default: this process's environment).
   */
  static fromTree(tree: Record<string, unknown>, sources: Record<string, string> = {}, env?: Env): BpsConfig {
    if (!isMapping(tree)) throw new BadInputError('BpsConfig.fromTree: expected the config tree (a mapping)');
    return new BpsConfig(deepFreeze(cloneTree(tree)), { ...sources }, env);
  }

  toJSON(): { tree: Record<string, unknown>; sources: Record<string, string> } {
    return { tree: this.tree, sources: this.sources };
  }

  /** The user's submit YAML as named in messages (as given to loadBpsConfig), if loaded from a file. */
  get configFile(): string | undefined {
    const shown = this.sources[`${COMPUTED_SECTION}.configFile`];
    if (shown !== undefined) return shown;
    const v = getPath(this.tree, [COMPUTED_SECTION, 'configFile']);
    return typeof v === 'string' ? v : undefined;
  }

  /** File that set a dotted tree path (or the nearest enclosing section), for messages. */
  fileOf(path: string): string | undefined {
    return sourceOf(this.sources, splitKey(path));
  }

  private resolved(ctx?: LookupContext): Resolved {
    const k = contextKey(ctx);
    let r = this.scopeCache.get(k);
    if (!r) {
      r = buildScopes(this.tree, ctx);
      this.scopeCache.set(k, r);
    }
    return r;
  }

  /** Where a key is found by search order: raw value, full tree path and section name. */
  locate(key: string, ctx?: LookupContext): Hit | undefined {
    return lookup(this.tree, this.resolved(ctx).scopes, key);
  }

  /** The compute site for a context: ctx.site, else `computeSite` by search order. */
  resolveSite(ctx?: LookupContext): string | undefined {
    return this.resolved(ctx).site;
  }

  has(key: string, ctx?: LookupContext): boolean {
    return this.locate(key, ctx) !== undefined;
  }

  /** Raw value by search order (not expanded); undefined when not set. */
  get(key: string, ctx?: LookupContext): unknown {
    return this.locate(key, ctx)?.value;
  }

  /** A section of the tree by dotted path from the root (e.g. 'cluster', 'finalJob'); do not mutate it. */
  section(key: string): Record<string, unknown> | undefined {
    const v = getPath(this.tree, splitKey(key));
    return isMapping(v) ? v : undefined;
  }

  private missing(key: string, expect: string): BadInputError {
    return new BadInputError(`is not set; add ${key} (${expect}) to the submit YAML or the command line`, {
      file: this.configFile,
      key,
    });
  }

  private state(template: string, ctx: LookupContext | undefined, extra: Record<string, string | number> | undefined, opts: ExpandOptions, path?: string): ExpandState {
    const src: VarSource = {
      lookup: (k) => this.locate(k, ctx),
      env: (n) => this.env[n],
      fileOf: (p) => this.fileOf(p),
      configFile: this.configFile,
    };
    return {
      src,
      extra,
      mode: opts.undefinedVars ?? 'error',
      stack: opts.key !== undefined ? [opts.key] : [],
      keyed: opts.key !== undefined,
      originPath: path,
      template,
    };
  }

  /** @internal Expands a value found at `path` for `key` (errors name the key). */
  expandValue(value: string, ctx: LookupContext | undefined, key: string, path: string): string {
    return expandString(value, this.state(value, ctx, undefined, { key }, path));
  }

  /** Expanded string value ({var}, ${ENV}); numbers and booleans as text. Throws if unset and no default. */
  getString(key: string, ctx?: LookupContext, dflt?: string): string {
    const hit = this.locate(key, ctx);
    if (!hit) {
      if (dflt !== undefined) return dflt;
      throw this.missing(key, 'a string');
    }
    const v = hit.value;
    if (typeof v === 'string') return this.expandValue(v, ctx, key, hit.path);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new BadInputError(`expected a string, got ${showValue(v)}`, { file: this.fileOf(hit.path), key: hit.path });
  }

  private typed<T>(key: string, ctx: LookupContext | undefined, dflt: T | undefined, parse: (v: unknown) => T | undefined, expect: string): T {
    const hit = this.locate(key, ctx);
    if (!hit) {
      if (dflt !== undefined) return dflt;
      throw this.missing(key, expect);
    }
    const value = needsExpansion(hit.value) ? this.expandValue(hit.value, ctx, key, hit.path) : hit.value;
    const r = parse(value);
    if (r === undefined) {
      const from = value !== hit.value ? ` (from ${showValue(hit.value)})` : '';
      throw new BadInputError(`expected ${expect}, got ${showValue(value)}${from}`, { file: this.fileOf(hit.path), key: hit.path });
    }
    return r;
  }

  getNumber(key: string, ctx?: LookupContext, dflt?: number): number {
    return this.typed(key, ctx, dflt, (v) => parseWith(numberSchema, v), 'a number');
  }

  getBool(key: string, ctx?: LookupContext, dflt?: boolean): boolean {
    return this.typed(key, ctx, dflt, (v) => parseWith(boolSchema, v), 'true or false');
  }

  /** [1, 2], "1,2" or a single number. */
  getNumberList(key: string, ctx?: LookupContext, dflt?: number[]): number[] {
    return this.typed(key, ctx, dflt, (v) => parseWith(numberListSchema, v), 'a list of numbers (e.g. [1, 2] or "1,2")');
  }

  /** [a, b] or "a, b" (e.g. cluster.<name>.pipetasks); items are not expanded. */
  getStringList(key: string, ctx?: LookupContext, dflt?: string[]): string[] {
    return this.typed(key, ctx, dflt, (v) => parseWith(stringListSchema, v), 'a list of names (e.g. [isr, calibrate] or "isr, calibrate")');
  }

  /**
   * Expands `{var}` (extra first, then search order; recursive) and `${ENV}`. An undefined variable, an unset
   * environment variable or a cycle is a BadInputError.
   */
  expand(template: string, ctx?: LookupContext, extra?: Record<string, string | number>): string {
    return this.expandWith(template, ctx, extra, {});
  }

  /** Like expand, but `{var}`s defined nowhere stay as written (job-time placeholders such as {qgraphNodeId}). */
  expandPartial(template: string, ctx?: LookupContext, extra?: Record<string, string | number>): string {
    return this.expandWith(template, ctx, extra, { undefinedVars: 'keep' });
  }

  expandWith(template: string, ctx: LookupContext | undefined, extra: Record<string, string | number> | undefined, opts: ExpandOptions): string {
    return expandString(template, this.state(template, ctx, extra, opts, undefined));
  }

  /**
   * Expands a command template into an argument vector (quotes group words; see command.ts).
   * With { undefinedVars: 'keep' } job-time placeholders survive inside their words.
   */
  expandArgv(template: string, ctx?: LookupContext, extra?: Record<string, string | number>, opts: ExpandOptions = {}): string[] {
    return expandArgv(template, this.state(template, ctx, extra, opts, undefined));
  }

  /** Looks up a command template by key (e.g. 'runQuantumCommand') and expands it into argv. */
  getArgv(key: string, ctx?: LookupContext, extra?: Record<string, string | number>, opts: Omit<ExpandOptions, 'key'> = {}): string[] {
    const hit = this.locate(key, ctx);
    if (!hit) throw this.missing(key, 'a command template');
    if (typeof hit.value !== 'string') {
      throw new BadInputError(`expected a command template (a string), got ${showValue(hit.value)}`, {
        file: this.fileOf(hit.path),
        key: hit.path,
      });
    }
    return expandArgv(hit.value, this.state(hit.value, ctx, extra, { ...opts, key }, hit.path));
  }

  /** All per-job values for a label/cluster/site (validated; see JobAttributes). */
  jobAttributes(ctx: LookupContext = {}): JobAttributes {
    return jobAttributes(this, ctx);
  }

  /** A new config with extra computed values in bps_defined (e.g. paths known only after prepare). */
  withDefined(values: Record<string, unknown>, source = COMPUTED_SOURCE): BpsConfig {
    const layer = { tree: cloneTree(this.tree), sources: { ...this.sources } };
    mergeLayer(layer, fileLayer(cloneTree(values), source), [COMPUTED_SECTION]);
    return new BpsConfig(deepFreeze(layer.tree), layer.sources, this.env);
  }
}
