// BPS search order: which sections of the merged tree are searched, in which order, for a lookup context.
// Order: bps_cmdline (CLI) > ctx.section > payload > cluster.<cluster> > pipetask.<label> > site.<site>
// > cloud.<computeCloud> > bps_defined (computed) > root. First hit wins; null counts as "not set here".
// A dotted key is looked up as a path inside each section; a key starting with '.' is looked up from the root only.

import { getPath, isMapping, splitKey, type Mapping } from './merge.js';
import type { LookupContext } from './types.js';

export const CLI_SECTION = 'bps_cmdline';
export const COMPUTED_SECTION = 'bps_defined';
/** The sections of the search order, as in BPS (cluster/pipetask/site/cloud are entered by name). */
export const SEARCH_SECTIONS = [CLI_SECTION, 'payload', 'cluster', 'pipetask', 'site', 'cloud', COMPUTED_SECTION] as const;

export interface Scope {
  /** Human name, e.g. 'pipetask.isr' or 'root'. */
  name: string;
  /** Path of the section from the root ([] for the root). */
  path: string[];
  node: Mapping;
}

export interface Hit {
  value: unknown;
  /** Full dotted path of the value in the tree, e.g. 'pipetask.isr.requestMemory'. */
  path: string;
  scope: string;
}

function scopeAt(tree: Mapping, path: string[]): Scope | undefined {
  const node = path.length === 0 ? tree : getPath(tree, path);
  return isMapping(node) ? { name: path.length === 0 ? 'root' : path.join('.'), path, node } : undefined;
}

export function searchScopes(scopes: readonly Scope[], parts: readonly string[]): Hit | undefined {
  for (const s of scopes) {
    const v = getPath(s.node, parts);
    if (v !== undefined && v !== null) {
      return { value: v, path: [...s.path, ...parts].join('.'), scope: s.name };
    }
  }
  return undefined;
}

function nameOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

export interface Resolved {
  scopes: Scope[];
  /** ctx.site, else `computeSite` found in the sections before `site`. */
  site?: string;
  /** `computeCloud` found in the sections before `cloud`. */
  cloud?: string;
}

/**
 * Builds the ordered scopes for a context. The site is ctx.site, else `computeSite` found in the sections
 * before `site` (so `pipetask.<label>.computeSite` moves that label's jobs); the cloud is `computeCloud` found
 * in the sections before `cloud`. These two names are taken raw (not `{var}`-expanded).
 */
export function buildScopes(tree: Mapping, ctx: LookupContext = {}): Resolved {
  const cli = scopeAt(tree, [CLI_SECTION]);
  const extra = ctx.section ? scopeAt(tree, splitKey(ctx.section)) : undefined;
  const payload = scopeAt(tree, ['payload']);
  const cluster = ctx.cluster !== undefined ? scopeAt(tree, ['cluster', ctx.cluster]) : undefined;
  const pipetask = ctx.label !== undefined ? scopeAt(tree, ['pipetask', ctx.label]) : undefined;
  const computed = scopeAt(tree, [COMPUTED_SECTION]);
  const root = scopeAt(tree, [])!;
  const before = [cli, extra, payload, cluster, pipetask].filter((s): s is Scope => s !== undefined);
  const after = [computed, root].filter((s): s is Scope => s !== undefined);

  const siteName = ctx.site ?? nameOf(searchScopes([...before, ...after], ['computeSite'])?.value);
  const site = siteName !== undefined ? scopeAt(tree, ['site', siteName]) : undefined;
  const withSite = site ? [...before, site] : before;
  const cloudName = nameOf(searchScopes([...withSite, ...after], ['computeCloud'])?.value);
  const cloud = cloudName !== undefined ? scopeAt(tree, ['cloud', cloudName]) : undefined;
  return { scopes: [...withSite, ...(cloud ? [cloud] : []), ...after], site: siteName, cloud: cloudName };
}

export function contextKey(ctx: LookupContext | undefined): string {
  if (!ctx) return '';
  return `${ctx.label ?? ''}\u0000${ctx.cluster ?? ''}\u0000${ctx.site ?? ''}\u0000${ctx.section ?? ''}`;
}

/** Looks a key up: '.a.b' from the root only, otherwise through the scopes. */
export function lookup(tree: Mapping, scopes: readonly Scope[], key: string): Hit | undefined {
  if (key.startsWith('.')) {
    const parts = splitKey(key);
    const v = getPath(tree, parts);
    return v === undefined || v === null ? undefined : { value: v, path: parts.join('.'), scope: 'root' };
  }
  return searchScopes(scopes, splitKey(key));
}
