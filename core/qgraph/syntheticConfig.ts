// Reads the `syntheticGraph` config section (tests, demos, benchmarks): either `quanta: N` (the generator
// picks a DRP shape of about N quanta) or the explicit shape (visits, detectors, tracts, ...).
import { z } from 'zod';
import { BadInputError } from '../errors.js';
import { syntheticOptionsForQuanta, type SyntheticOptions } from './synthetic.js';

const shape = z
  .object({
    quanta: z.number().int().positive().optional(),
    visits: z.number().int().positive().optional(),
    detectors: z.number().int().positive().optional(),
    tracts: z.number().int().nonnegative().optional(),
    patchesPerTract: z.number().int().nonnegative().optional(),
    bands: z.number().int().nonnegative().optional(),
    visitsPerPatch: z.number().int().nonnegative().optional(),
    seed: z.number().int().optional(),
  })
  .strict();

/**
 * `file` names the file that set the section, or, as a function of a dotted key (e.g. 'syntheticGraph.quanta'),
 * the file that set that key (an including file may set one value of a section an included file created).
 */
export function syntheticOptionsFromConfig(section: unknown, file?: string | ((key: string) => string | undefined)): SyntheticOptions {
  const fileOf = (key: string) => (typeof file === 'function' ? (file(key) ?? file('syntheticGraph')) : file);
  const r = shape.safeParse(section);
  if (!r.success) {
    const i = r.error.issues[0];
    const key = ['syntheticGraph', ...i.path].join('.');
    throw new BadInputError(`${i.message} (expected e.g. {quanta: 2000} or {visits: 4, detectors: 8, tracts: 1, patchesPerTract: 4, bands: 2, visitsPerPatch: 2})`, {
      file: fileOf(key),
      key,
    });
  }
  const s = r.data;
  if (s.quanta !== undefined) return { ...syntheticOptionsForQuanta(s.quanta, s.seed ?? 1) };
  if (s.visits === undefined || s.detectors === undefined)
    throw new BadInputError('give either quanta: N or at least visits and detectors', { file: fileOf('syntheticGraph'), key: 'syntheticGraph' });
  return {
    visits: s.visits,
    detectors: s.detectors,
    tracts: s.tracts ?? 0,
    patchesPerTract: s.patchesPerTract ?? 0,
    bands: s.bands ?? 0,
    visitsPerPatch: s.visitsPerPatch ?? 0,
    seed: s.seed ?? 1,
  };
}
