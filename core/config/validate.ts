// Load-time checks of a merged BPS config tree, so bad input stops before anything starts: search sections are
// mappings, every per-job key written anywhere a job can read it has the right type (templates with {var} are
// checked when a job reads them), finalJob.whenRun is ALWAYS/SUCCESS/NEVER. Errors name the file and full key.

import { BadInputError } from '../errors.js';
import { parseErrorClasses } from '../logs/errorClasses.js';
import { ATTRIBUTE_KEYS, checkRawAttribute } from './attributes.js';
import { CLI_SECTION, COMPUTED_SECTION } from './lookup.js';
import { isMapping, sourceOf, type Layer, type Mapping } from './merge.js';
import { showValue } from './values.js';

/** Sections that must be mappings when present (null = empty section, allowed). */
const SECTIONS = [CLI_SECTION, COMPUTED_SECTION, 'payload', 'pipetask', 'cluster', 'site', 'cloud', 'finalJob', 'executionButler'];
/** Sections whose children are named sub-sections (pipetask.<label>, ...). */
const NAMED = { pipetask: 'task label', cluster: 'cluster', site: 'compute site', cloud: 'compute cloud' } as const;

const WHEN = ['ALWAYS', 'SUCCESS', 'NEVER'];
/** Error-class lists, matched in this order (core/logs/errorClasses.ts). */
export const ERROR_CLASS_KEYS = ['errorClasses', 'defaultErrorClasses'] as const;

export function validateTree(layer: Layer): void {
  const { tree, sources } = layer;
  const fileOf = (path: string[]) => sourceOf(sources, path);
  const fail = (path: string[], problem: string) => {
    throw new BadInputError(problem, { file: fileOf(path), key: path.join('.') });
  };

  for (const s of SECTIONS) {
    const v = tree[s];
    if (v !== undefined && v !== null && !isMapping(v)) fail([s], `expected a section (a mapping of settings), got ${showValue(v)}`);
  }

  const scopes: { path: string[]; node: Mapping }[] = [{ path: [], node: tree }];
  for (const s of [CLI_SECTION, 'payload', 'finalJob']) {
    if (isMapping(tree[s])) scopes.push({ path: [s], node: tree[s] as Mapping });
  }
  for (const [s, what] of Object.entries(NAMED)) {
    const sect = tree[s];
    if (!isMapping(sect)) continue;
    for (const [name, child] of Object.entries(sect)) {
      if (child === null) continue;
      if (!isMapping(child)) {
        fail([s, name], `expected the settings of ${what} '${name}' (a mapping, e.g. ${s}: {${name}: {requestMemory: 4096}}), got ${showValue(child)}`);
      }
      scopes.push({ path: [s, name], node: child as Mapping });
    }
  }

  for (const { path, node } of scopes) {
    for (const k of ATTRIBUTE_KEYS) {
      if (!Object.prototype.hasOwnProperty.call(node, k)) continue;
      try {
        checkRawAttribute(k, node[k], undefined, k);
      } catch {
        // Only a bad value pays for its file and full key (a large config has tens of thousands of good ones).
        const p = [...path, k];
        checkRawAttribute(k, node[k], fileOf(p), p.join('.'));
      }
    }
  }

  const finalJob = tree.finalJob;
  if (isMapping(finalJob)) {
    for (const k of ['whenRun', 'whenSetup']) {
      const v = finalJob[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string' || !WHEN.includes(v.toUpperCase())) {
        fail(['finalJob', k], `expected one of ${WHEN.join(', ')}, got ${showValue(v)}`);
      }
    }
  }

  for (const key of ERROR_CLASS_KEYS) parseErrorClasses(tree[key], key, fileOf([key]));
}
