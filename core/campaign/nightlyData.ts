// The night's data from a butler repository, as a nightly campaign uses it (pure): which exposures of the night are
// new (not yet covered by the campaign's output collections), and the night's campaign with those exposures split
// into groups. The butler answer comes from lsst/night_exposures.py (lsst/nightExposures.ts runs it).
import { BadInputError } from '../errors.js';
import type { CampaignSpec, SplitSpec } from './spec.js';

/** What lsst/night_exposures.py prints. */
export interface NightExposures {
  dayObs: number;
  exposures: Array<{ exposure: number; visits: number[] }>;
  covered: number[];
  outputRuns: string[];
}

/** The night's exposures not yet covered by the campaign's outputs, in id order. */
export function newExposures(answer: NightExposures): Array<{ exposure: number; visits: number[] }> {
  const covered = new Set(answer.covered);
  return answer.exposures.filter((e) => !covered.has(e.exposure)).sort((a, b) => a.exposure - b.exposure);
}

/** The values of the grouping dimension (exposure ids, or the visits they belong to) of some exposures, sorted, unique. */
export function groupValues(exposures: Array<{ exposure: number; visits: number[] }>, groupBy: 'exposure' | 'visit'): number[] {
  const values = new Set<number>();
  for (const e of exposures) {
    if (groupBy === 'exposure') values.add(e.exposure);
    else for (const v of e.visits) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * The night's campaign with the new data: every step without a split of its own is split by `nightly.groupBy` over
 * `values`, `nightly.groupSize` per group (default all in one group). Steps with their own split (e.g. per tract)
 * keep it.
 */
export function withNightData(spec: CampaignSpec, values: number[]): CampaignSpec {
  if (values.length === 0) throw new BadInputError('a night campaign needs at least one exposure', { key: 'nightly' });
  const groupBy = spec.nightly?.groupBy ?? 'exposure';
  const split: SplitSpec = { dimension: groupBy, values, groupSize: spec.nightly?.groupSize ?? values.length };
  return { ...spec, steps: spec.steps.map((step) => (step.split ? step : { ...step, split })) };
}

/** YYYYMMDD (or YYYY-MM-DD) of a real calendar date as YYYY-MM-DD; undefined when it is not one. */
export function dayObsDate(text: string): string | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === iso ? iso : undefined;
}

/** The night (YYYY-MM-DD) named by a day_obs option; bad input naming `key` when it is not a date. */
export function parseDayObs(text: string, key: string): string {
  const night = dayObsDate(text);
  if (!night) throw new BadInputError(`'${text}' is not a date; expected a day_obs YYYYMMDD such as 20131102 (or YYYY-MM-DD)`, { key });
  return night;
}
