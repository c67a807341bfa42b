// Checks of the `tbps schedule` options before the Temporal server is called: cron expressions (Temporal's dialect:
// 5-7 fields, names, @daily..., @every, CRON_TZ=), durations (catch-up window, jitter), night offsets and backfill
// times. A bad value is a BadInputError naming the option and what a good value looks like (exit 2).
import { BadInputError } from '../core/errors.js';

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const SECOND: CronField = { name: 'second', min: 0, max: 59 };
const MINUTE: CronField = { name: 'minute', min: 0, max: 59 };
const HOUR: CronField = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: CronField = { name: 'day of month', min: 1, max: 31 };
const MONTH: CronField = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'],
};
const DAY_OF_WEEK: CronField = { name: 'day of week', min: 0, max: 7, names: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] };
const YEAR: CronField = { name: 'year', min: 1970, max: 2999 };

const LAYOUTS: Record<number, CronField[]> = {
  5: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK],
  6: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
  7: [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
};

const SHORTHANDS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

const CRON_EXAMPLE = "e.g. '0 14 * * *' (minute hour day-of-month month day-of-week, UTC), '@daily' or '@every 12h'";

/** Throws unless `expr` is a cron expression the Temporal server accepts. */
export function checkCron(expr: string, option = '--cron'): void {
  const bad = (why: string) => new BadInputError(`'${expr}' is not a cron expression: ${why}; ${CRON_EXAMPLE}`, { key: option });
  let rest = expr.replace(/#.*$/, '').trim();
  const zone = /^(?:CRON_TZ|TZ)=(\S*)\s*/.exec(rest);
  if (zone) {
    if (!isTimeZone(zone[1])) throw bad(`unknown time zone '${zone[1]}' (use an IANA name such as 'America/Santiago')`);
    rest = rest.slice(zone[0].length);
  }
  if (rest.startsWith('@every')) {
    const m = /^@every\s+(\S+?)(?:\/(\S+))?$/.exec(rest);
    if (!m || !/^\d+[smhd]$/.test(m[1]) || (m[2] !== undefined && !/^\d+[smhd]$/.test(m[2]))) throw bad("'@every' takes an interval such as 12h (and optionally /phase, e.g. 1d/14h)");
    if (parseDurationMs(m[1]) === 0) throw bad('the interval of @every must be more than 0');
    return;
  }
  if (rest.startsWith('@')) {
    if (!SHORTHANDS.includes(rest.toLowerCase())) throw bad(`unknown shorthand '${rest}' (known: ${SHORTHANDS.join(', ')}, @every)`);
    return;
  }
  const fields = rest.split(/\s+/).filter(Boolean);
  const layout = LAYOUTS[fields.length];
  if (!layout) throw bad(`it has ${fields.length} field${fields.length === 1 ? '' : 's'}, not 5, 6 or 7`);
  fields.forEach((text, i) => {
    const why = fieldProblem(text, layout[i]);
    if (why) throw bad(`${layout[i].name} ${why}`);
  });
}

/** Why one cron field is wrong, or undefined when it is right. Items: *, x, x-z, with an optional /step; lists with ','. */
function fieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    const m = /^([^/-]+)(?:-([^/]+))?(?:\/(.+))?$/.exec(item);
    if (!m) return `'${item}' is not *, a value, a range x-z or a step x/y`;
    const [, first, last, step] = m;
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0)) return `'${item}' has step '${step}'; a step is a whole number above 0`;
    if (first === '*') {
      if (last !== undefined) return `'${item}' is a range starting at '*'`;
      continue;
    }
    const from = value(first, field);
    if (from === undefined) return `'${first}' is not a value in ${field.min}-${field.max}${field.names ? ' or a name' : ''}`;
    if (last !== undefined) {
      const to = value(last, field);
      if (to === undefined) return `'${last}' is not a value in ${field.min}-${field.max}${field.names ? ' or a name' : ''}`;
      if (to < from) return `'${item}' is a range that runs backwards`;
    }
  }
  return undefined;
}

function value(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const lower = text.toLowerCase();
  const index = lower.length >= 3 ? (field.names?.findIndex((full) => full.startsWith(lower)) ?? -1) : -1;
  if (index < 0) return undefined;
  return field === MONTH ? index + 1 : index;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name !== '';
  } catch {
    return false;
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined;
}

/** A duration option (number and unit: 90s, 30m, 12h, 1d) in milliseconds, at least `minMs`. */
export function durationOption(text: string, option: string, minMs = 0): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new BadInputError(`'${text}' is not a duration; give a number and a unit s, m, h or d, e.g. 90s, 30m, 12h, 1d`, { key: option });
  if (ms < minMs) throw new BadInputError(`'${text}' is shorter than the least Temporal allows, ${minMs / 1000}s`, { key: option });
  return ms;
}

/** Hours the night boundary is shifted from 00:00 UTC: a number in [-24, 24]. */
export function offsetHoursOption(text: string, option = '--offset-hours'): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < -24 || n > 24)
    throw new BadInputError(`'${text}' is not a number of hours in -24..24 (Rubin's dayObs boundary: 12)`, { key: option });
  return n;
}

/** An ISO 8601 date (UTC midnight) or date and time with a zone, e.g. 2026-11-01 or 2026-11-01T12:00:00Z. */
export function timeOption(text: string, option: string): Date {
  const example = 'e.g. 2026-11-01 or 2026-11-01T12:00:00Z';
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(text.trim());
  if (!m) {
    const noZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text.trim());
    throw new BadInputError(
      noZone ? `'${text}' has no time zone; add Z for UTC (or an offset such as -03:00), ${example}` : `'${text}' is not an ISO 8601 date or time, ${example}`,
      { key: option },
    );
  }
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = m;
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)));
  if (calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day) || calendar.getUTCHours() !== Number(hour) || calendar.getUTCMinutes() !== Number(minute) || calendar.getUTCSeconds() !== Number(second))
    throw new BadInputError(`'${text}' is not a date on the calendar (${example})`, { key: option });
  return new Date(text.trim());
}
