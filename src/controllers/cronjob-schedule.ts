/**
 * Cron schedules as the CronJob controller reads them (robfig/cron's ParseStandard):
 * five fields — minute, hour, day of month, month (1-12 or JAN-DEC), day of week (0-6 or
 * SUN-SAT) — with `*`, `?`, lists, ranges and steps; the descriptors @yearly/@annually,
 * @monthly, @weekly, @daily/@midnight, @hourly and `@every <duration>`; evaluated in an
 * IANA time zone through Intl. If both day fields are restricted, either may match.
 */

export interface Schedule {
  /** The first activation strictly after `ms` (epoch ms), or undefined if none within years. */
  next(ms: number): number | undefined;
}

export class ScheduleError extends Error {}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field { set: Set<number>; star: boolean }

function parseField(expr: string, min: number, max: number, names: string[] = [], nameBase = 0): Field {
  const set = new Set<number>();
  let star = false;
  const value = (s: string): number => {
    const i = names.indexOf(s.toUpperCase());
    if (i >= 0) return i + nameBase;
    if (!/^\d+$/.test(s)) throw new ScheduleError(`failed to parse int from ${s}`);
    return Number(s);
  };
  for (const part of expr.split(',')) {
    const [range, stepStr, extra] = part.split('/');
    if (extra !== undefined) throw new ScheduleError(`too many slashes: ${part}`);
    let lo: number, hi: number;
    const step = stepStr === undefined ? 1 : value(stepStr);
    if (range === '*' || range === '?') {
      [lo, hi] = [min, max];
      if (stepStr === undefined) star = true;
    } else {
      const [a, b, more] = range.split('-');
      if (more !== undefined) throw new ScheduleError(`too many hyphens: ${range}`);
      lo = value(a);
      hi = b !== undefined ? value(b) : stepStr !== undefined ? max : lo;
    }
    if (lo < min) throw new ScheduleError(`beginning of range (${lo}) below minimum (${min}): ${part}`);
    if (hi > max) throw new ScheduleError(`end of range (${hi}) above maximum (${max}): ${part}`);
    if (lo > hi) throw new ScheduleError(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    if (step <= 0) throw new ScheduleError(`step of range should be a positive number: ${part}`);
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, star };
}

/** Go duration ("1h30m", "90s") to ms. */
function parseDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (!/^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(s)) throw new ScheduleError(`failed to parse duration ${s}`);
  let ms = 0;
  for (const m of s.matchAll(re)) ms += Number(m[1]) * unit[m[2]];
  return ms;
}

/** Parses a schedule for a time zone (default UTC). Throws ScheduleError or RangeError (bad zone). */
export function parseSchedule(spec: string, timeZone = 'UTC'): Schedule {
  let s = spec.trim();
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(s);
  if (tz) { timeZone = tz[1]; s = tz[2]; }
  const parts = localParts(timeZone); // validates the zone
  if (s.startsWith('@every ')) {
    const d = Math.max(1000, Math.round(parseDuration(s.slice(7).trim()) / 1000) * 1000);
    return { next: ms => Math.floor(ms / 1000) * 1000 + d };
  }
  if (s.startsWith('@')) {
    if (!DESCRIPTORS[s]) throw new ScheduleError(`unrecognized descriptor: ${s}`);
    s = DESCRIPTORS[s];
  }
  const f = s.split(/\s+/);
  if (f.length !== 5) throw new ScheduleError(`expected exactly 5 fields, found ${f.length}: ${spec}`);
  const minute = parseField(f[0], 0, 59), hour = parseField(f[1], 0, 23), dom = parseField(f[2], 1, 31);
  const month = parseField(f[3], 1, 12, MONTHS, 1), dow = parseField(f[4], 0, 6, DAYS, 0);
  const dayMatches = (p: Local) => {
    const a = dom.set.has(p.day), b = dow.set.has(p.weekday);
    return dom.star || dow.star ? a && b : a || b;
  };
  return {
    next(after: number): number | undefined {
      let t = Math.floor(after / 60_000) * 60_000 + 60_000;
      const limit = after + 5 * 366 * 86_400_000;
      while (t <= limit) {
        const p = parts(t);
        if (!month.set.has(p.month) || !dayMatches(p)) { t = nextLocalDay(t, p, parts); continue; }
        if (!hour.set.has(p.hour)) { t += (60 - p.minute) * 60_000; continue; }
        if (!minute.set.has(p.minute)) { t += 60_000; continue; }
        return t;
      }
      return undefined;
    },
  };
}

interface Local { year: number; month: number; day: number; hour: number; minute: number; weekday: number }

/** Wall-clock fields of an instant in `timeZone` (formatter cached per zone). */
export function localParts(timeZone: string): (ms: number) => Local {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short',
  });
  return ms => {
    const o: Record<string, string> = {};
    for (const p of fmt.formatToParts(ms)) o[p.type] = p.value;
    return { year: +o.year, month: +o.month, day: +o.day, hour: +o.hour % 24, minute: +o.minute, weekday: DAYS.indexOf(o.weekday.toUpperCase()) };
  };
}

/** The first instant of the next local day (a DST day may be shorter or longer than 24 h). */
function nextLocalDay(t: number, p: Local, parts: (ms: number) => Local): number {
  const key = (x: Local) => x.year * 10_000 + x.month * 100 + x.day;
  const today = key(p);
  const step = 15 * 60_000;
  let c = t + (1440 - (p.hour * 60 + p.minute)) * 60_000;
  if (key(parts(c)) > today) {
    while (c - step > t && key(parts(c - step)) > today) c -= step;
  } else {
    while (key(parts(c)) <= today) c += step;
  }
  return c;
}

/** RFC 3339 with the zone's offset at that instant, e.g. 2024-03-01T09:00:00+09:00. */
export function formatInZone(ms: number, timeZone: string): string {
  const p = localParts(timeZone)(ms);
  const localMs = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, new Date(ms).getUTCSeconds());
  const off = Math.round((localMs - Math.floor(ms / 1000) * 1000) / 60_000);
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
  return new Date(localMs).toISOString().replace(/\.\d+Z$/, '') + zone;
}
