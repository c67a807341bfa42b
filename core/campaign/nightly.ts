// Nightly campaigns: the observing night a scheduled time belongs to, and the campaign a template becomes for it.
// Pure. A night is named by its local date at the start of the night; with Rubin's convention (dayObs in UTC-12h)
// the night of dayObs D covers [D 12:00 UTC, D+1 12:00 UTC).
import type { CampaignSpec } from './spec.js';

export interface NightWindow {
  /** YYYY-MM-DD */
  night: string;
  /** YYYYMMDD */
  dayObs: string;
  /** ISO times, start inclusive, end exclusive. */
  start: string;
  end: string;
}

/** The night that ended most recently before `scheduled` (a nightly job runs in the morning after the night). */
export function nightWindow(scheduled: Date, offsetHours = 12): NightWindow {
  const shifted = new Date(scheduled.getTime() - offsetHours * 3600_000 - 24 * 3600_000);
  const night = shifted.toISOString().slice(0, 10);
  const start = new Date(`${night}T00:00:00.000Z`).getTime() + offsetHours * 3600_000;
  return { night, dayObs: night.replace(/-/g, ''), start: new Date(start).toISOString(), end: new Date(start + 24 * 3600_000).toISOString() };
}

function fill(s: string, w: NightWindow): string {
  return s.replace(/\{night\}/g, w.night).replace(/\{dayObs\}/g, w.dayObs).replace(/\{nightStart\}/g, w.start).replace(/\{nightEnd\}/g, w.end);
}

/** The campaign for one night: named <template>_<dayObs>; {night}, {dayObs}, {nightStart}, {nightEnd} filled in data queries. */
export function nightlyCampaign(template: CampaignSpec, w: NightWindow): CampaignSpec {
  return {
    ...template,
    name: `${template.name}_${w.dayObs}`,
    output: template.output ? fill(template.output, w) : undefined,
    steps: template.steps.map((s) => ({ ...s, dataQuery: s.dataQuery === undefined ? undefined : fill(s.dataQuery, w) })),
  };
}

/** Whether the template says the night has data (synthetic campaigns list their nights; undefined = not known). */
export function nightHasData(template: CampaignSpec, w: NightWindow): boolean | undefined {
  const list = template.nightly?.dataNights;
  return list ? list.includes(w.night) : undefined;
}
