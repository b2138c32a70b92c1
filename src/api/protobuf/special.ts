/**
 * apimachinery types whose JSON form is not their protobuf message: Time, MicroTime,
 * Duration, Quantity, IntOrString, FieldsV1. Each takes the message body and returns the
 * JSON value, or undefined when Go would leave the field out (or print null).
 * RawExtension is in decode.ts because it may hold a nested protobuf object.
 */
import { Reader, WireError, WireType } from './wire.js';

export type SpecialDecoder = (body: Uint8Array, pointer: boolean) => unknown;

/** Reads a small message as field number -> last raw value (varint or bytes). */
function fields(body: Uint8Array): Map<number, bigint | Uint8Array> {
  const r = new Reader(body);
  const out = new Map<number, bigint | Uint8Array>();
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (wireType === WireType.Varint) out.set(field, r.varint());
    else if (wireType === WireType.Bytes) out.set(field, r.bytes());
    else r.skip(wireType);
  }
  return out;
}

function int(v: bigint | Uint8Array | undefined, bits: 32 | 64, what: string): number {
  if (v === undefined) return 0;
  if (typeof v !== 'bigint') throw new WireError(`${what}: expected a varint`, 0);
  return Number(BigInt.asIntN(bits, v));
}

const utf8 = new TextDecoder();
function str(v: bigint | Uint8Array | undefined, what: string): string {
  if (v === undefined) return '';
  if (typeof v === 'bigint') throw new WireError(`${what}: expected a string`, 0);
  return utf8.decode(v);
}

/** metav1.Time / MicroTime {1 seconds, 2 nanos} -> RFC 3339 in UTC; the zero time is left out. */
function timestamp(body: Uint8Array, fractionDigits: 0 | 6): string | undefined {
  const f = fields(body);
  const seconds = int(f.get(1), 64, 'Time.seconds');
  const nanos = int(f.get(2), 32, 'Time.nanos');
  if (seconds === 0 && nanos === 0) return undefined;
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 0 || d.getUTCFullYear() > 9999) {
    throw new WireError(`Time out of range: ${seconds}s`, 0);
  }
  const base = d.toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  if (fractionDigits === 0) return base + 'Z'; // Go's RFC3339 layout truncates the fraction
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** metav1.Duration {1 nanoseconds} -> Go's time.Duration.String(), e.g. "1h0m0s". */
function duration(body: Uint8Array): string {
  const ns = BigInt.asIntN(64, (fields(body).get(1) as bigint | undefined) ?? 0n);
  return goDuration(ns);
}

export function goDuration(d: bigint): string {
  if (d === 0n) return '0s';
  const sign = d < 0n ? '-' : '';
  let u = d < 0n ? -d : d;
  if (u < 1_000_000_000n) {
    // Sub-second: one unit with a decimal fraction, like Go.
    const [unit, scale] = u < 1000n ? ['ns', 1n] : u < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n];
    return sign + fraction(u, scale) + unit;
  }
  const h = u / 3_600_000_000_000n; u %= 3_600_000_000_000n;
  const m = u / 60_000_000_000n; u %= 60_000_000_000n;
  const s = fraction(u, 1_000_000_000n) + 's';
  if (h > 0n) return `${sign}${h}h${m}m${s}`;
  if (m > 0n) return `${sign}${m}m${s}`;
  return sign + s;
}

function fraction(v: bigint, scale: bigint): string {
  const whole = v / scale;
  const rest = v % scale;
  if (rest === 0n) return String(whole);
  const digits = String(scale).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** resource.Quantity {1 string}: the canonical string the client already wrote. */
function quantity(body: Uint8Array, pointer: boolean): string | undefined {
  const s = str(fields(body).get(1), 'Quantity.string');
  if (s === '') return pointer ? '0' : undefined; // Go's zero Quantity prints "0"
  return s;
}

/** intstr.IntOrString {1 type (0 int, 1 string), 2 intVal, 3 strVal}. */
function intOrString(body: Uint8Array, pointer: boolean): number | string | undefined {
  const f = fields(body);
  const type = int(f.get(1), 64, 'IntOrString.type');
  const value = type === 1 ? str(f.get(3), 'IntOrString.strVal') : int(f.get(2), 32, 'IntOrString.intVal');
  if (type !== 0 && type !== 1) throw new WireError(`IntOrString.type ${type} is neither 0 (int) nor 1 (string)`, 0);
  // An unset value-type IntOrString is all zero; leave it out so defaulting sees "absent".
  if (!pointer && (value === 0 || value === '')) return undefined;
  return value;
}

/** metav1.FieldsV1 {1 Raw}: raw JSON of a managedFields set. */
function fieldsV1(body: Uint8Array): unknown {
  const raw = fields(body).get(1);
  if (raw === undefined || typeof raw === 'bigint' || raw.length === 0) return undefined;
  return parseJson(raw, 'FieldsV1');
}

export function parseJson(raw: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(utf8.decode(raw));
  } catch {
    throw new WireError(`${what} does not hold valid JSON`, 0);
  }
}

export const SPECIALS: ReadonlyMap<string, SpecialDecoder> = new Map<string, SpecialDecoder>([
  ['meta.v1.Time', b => timestamp(b, 0)],
  ['meta.v1.MicroTime', b => timestamp(b, 6)],
  ['meta.v1.Duration', b => duration(b)],
  ['meta.v1.FieldsV1', b => fieldsV1(b)],
  ['resource.Quantity', quantity],
  ['intstr.IntOrString', intOrString],
]);
