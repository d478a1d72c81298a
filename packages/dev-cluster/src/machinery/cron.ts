/**
 * CronJob schedules as the CronJob controller reads them (robfig/cron's
 * standard parser): five fields — minute, hour, day of month, month, day of
 * week — with `*`, `?`, ranges, steps, lists and month/day names, or one of
 * the descriptors (@yearly, @monthly, @weekly, @daily, @hourly, @every
 * <duration>); evaluated in an IANA time zone.
 */

interface FieldBounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES: Record<string, number> = Object.fromEntries(
  [
    'jan',
    'feb',
    'mar',
    'apr',
    'may',
    'jun',
    'jul',
    'aug',
    'sep',
    'oct',
    'nov',
    'dec',
  ].map((name, i) => [name, i + 1]),
);
const DAY_NAMES: Record<string, number> = Object.fromEntries(
  ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((name, i) => [name, i]),
);

const FIELDS: FieldBounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTH_NAMES },
  { min: 0, max: 6, names: DAY_NAMES },
];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export class CronScheduleError extends Error {}

/** A parsed schedule: the next activation after a time. */
export interface CronSchedule {
  /** The first activation strictly after `after`, in `timeZone` (undefined if none within 5 years). */
  next(after: Date, timeZone?: string): Date | undefined;
}

function parseNumber(text: string, bounds: FieldBounds): number {
  const named = bounds.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text)) {
    throw new CronScheduleError(
      `failed to parse int from ${text}: strconv.Atoi: parsing "${text}": invalid syntax`,
    );
  }
  return Number(text);
}

/** One comma-separated part of a field: `*`, `a`, `a-b`, each with an optional `/step`. */
function parseRange(expr: string, bounds: FieldBounds, into: Set<number>) {
  const [rangeText, stepText, ...extra] = expr.split('/');
  if (extra.length) throw new CronScheduleError(`too many slashes: ${expr}`);
  let start: number;
  let end: number;
  if (rangeText === '*' || rangeText === '?') {
    start = bounds.min;
    end = bounds.max;
  } else {
    const [low, high, ...more] = rangeText.split('-');
    if (more.length) throw new CronScheduleError(`too many hyphens: ${expr}`);
    start = parseNumber(low, bounds);
    end = high === undefined ? start : parseNumber(high, bounds);
    // `a/step` without a range runs from a to the field's maximum.
    if (high === undefined && stepText !== undefined) end = bounds.max;
  }
  let step = 1;
  if (stepText !== undefined) {
    step = parseNumber(stepText, bounds);
    if (step <= 0)
      throw new CronScheduleError(
        `step of range should be a positive number: ${expr}`,
      );
  }
  if (start < bounds.min)
    throw new CronScheduleError(
      `beginning of range (${start}) below minimum (${bounds.min}): ${expr}`,
    );
  if (end > bounds.max)
    throw new CronScheduleError(
      `end of range (${end}) above maximum (${bounds.max}): ${expr}`,
    );
  if (start > end)
    throw new CronScheduleError(
      `beginning of range (${start}) beyond end of range (${end}): ${expr}`,
    );
  for (let value = start; value <= end; value += step) into.add(value);
}

/** `@every` durations: Go's time.ParseDuration units from seconds up. */
function parseEvery(text: string): number {
  const unit: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)];
  if (!parts.length || parts.map(p => p[0]).join('') !== text)
    throw new CronScheduleError(
      `failed to parse duration @every ${text}: time: invalid duration "${text}"`,
    );
  return parts.reduce((ms, p) => ms + Number(p[1]) * unit[p[2]], 0);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock fields of `date` in `timeZone`; throws `unknown time zone X` for a zone the system does not know. */
export function zonedFields(date: Date, timeZone = 'UTC') {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        weekday: 'short',
      });
    } catch {
      throw new CronScheduleError(`unknown time zone ${timeZone}`);
    }
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(date))
    parts[part.type] = part.value;
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: DAY_NAMES[parts.weekday.toLowerCase()],
  };
}

/** Parses a schedule as cron.ParseStandard does; throws CronScheduleError with its message. */
export function parseCronSchedule(schedule: string): CronSchedule {
  const text = schedule.trim();
  if (text.startsWith('@every ')) {
    const interval = parseEvery(text.slice(7).trim());
    if (interval < 1_000)
      throw new CronScheduleError(`@every duration must be at least 1 second`);
    return {
      next: after =>
        new Date(Math.floor(after.getTime() / 1_000) * 1_000 + interval),
    };
  }
  let expression = text;
  if (text.startsWith('@')) {
    expression = DESCRIPTORS[text.toLowerCase()];
    if (!expression)
      throw new CronScheduleError(`unrecognized descriptor: ${text}`);
  }
  const fields = expression.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    throw new CronScheduleError(
      `expected exactly 5 fields, found ${fields.length}: [${fields.join(
        ' ',
      )}]`,
    );
  }
  const sets = fields.map((field, i) => {
    const values = new Set<number>();
    for (const part of field.split(',')) parseRange(part, FIELDS[i], values);
    return values;
  });
  const [minutes, hours, days, months, weekdays] = sets;
  // robfig/cron: when either day field is a wildcard both must match, else either may.
  const dayIsStar = fields[2].startsWith('*') || fields[2].startsWith('?');
  const weekdayIsStar = fields[4].startsWith('*') || fields[4].startsWith('?');
  const dayMatches = (f: ReturnType<typeof zonedFields>) =>
    dayIsStar || weekdayIsStar
      ? days.has(f.day) && weekdays.has(f.weekday)
      : days.has(f.day) || weekdays.has(f.weekday);
  return {
    next(after, timeZone) {
      // Step through wall-clock minutes, skipping whole days and hours that
      // cannot match; re-reading the fields each step keeps DST right.
      let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
      const limit = after.getTime() + 5 * 366 * 24 * 3_600_000;
      while (t <= limit) {
        const f = zonedFields(new Date(t), timeZone);
        if (!months.has(f.month) || !dayMatches(f)) {
          t += ((23 - f.hour) * 60 + (60 - f.minute)) * 60_000;
        } else if (!hours.has(f.hour)) {
          t += (60 - f.minute) * 60_000;
        } else if (!minutes.has(f.minute)) {
          t += 60_000;
        } else {
          return new Date(t);
        }
      }
      return undefined;
    },
  };
}
