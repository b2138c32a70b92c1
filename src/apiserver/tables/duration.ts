/** Ages and durations exactly as apimachinery's duration.HumanDuration prints them. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
// metav1.Time's zero value (0001-01-01T00:00:00Z) means "unset".
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** duration.HumanDuration: 5s, 119s, 2m10s, 12m, 3h, 4h30m, 30h, 4d, 4d5h, 45d, 2y3d, 9y. */
export function humanDuration(ms: number): string {
  const t = Math.trunc; // Go's integer conversions truncate toward zero
  const seconds = t(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = t(ms / MINUTE);
  if (minutes < 10) {
    const s = t(ms / SECOND) % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = t(ms / HOUR);
  if (hours < 8) {
    const m = t(ms / MINUTE) % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${t(hours / 24)}d` : `${t(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${t(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = t(hours / 24) % 365;
    return dy === 0 ? `${t(hours / 24 / 365)}y` : `${t(hours / 24 / 365)}y${dy}d`;
  }
  return `${t(hours / 24 / 365)}y`;
}

/** Milliseconds of an RFC 3339 timestamp, or undefined when unset or Go's zero time. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) || ms <= GO_ZERO_TIME ? undefined : ms;
}

/** translateTimestampSince: the age of a timestamp, `<unknown>` when unset. */
export function since(ts: unknown, now: number): string {
  const ms = parseTime(ts);
  return ms === undefined ? '<unknown>' : humanDuration(now - ms);
}
