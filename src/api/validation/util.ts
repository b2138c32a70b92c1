/**
 * Small helpers shared by the validators: Go-like value rendering for field errors,
 * the error kinds errors.ts lacks (NotFound, TooLong, TooMany), and loose accessors
 * for untyped JSON (objects arrive straight from the wire, so nothing is trusted).
 */
import { FieldError, forbidden, notSupported, required, duplicate } from '../errors.js';

export { forbidden, notSupported, required, duplicate };
export type Errs = FieldError[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

/** A bad value with a ready-made Go rendering (for structs printed with `%#v`). */
export class GoRepr {
  constructor(readonly repr: string, readonly value: unknown) {}
  toJSON(): unknown { return this.value; }
}

/** How `%#v` prints a metav1.LabelSelector (immutable-selector errors show it). */
export function labelSelectorRepr(sel: unknown): GoRepr {
  const s = isObj(sel) ? sel : {};
  const ml = isObj(s.matchLabels) ? goValue(s.matchLabels) : 'map[string]string(nil)';
  const exprs = Array.isArray(s.matchExpressions) && s.matchExpressions.length
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions.map((r: Obj) =>
      `v1.LabelSelectorRequirement{Key:${JSON.stringify(str(r.key))}, Operator:${JSON.stringify(str(r.operator))}, Values:${Array.isArray(r.values) ? goValue(r.values) : '[]string(nil)'}}`).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoRepr(`v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${exprs}}`, sel);
}

/** Renders a bad value the way field.Error does (`%q` for strings, `%#v` for maps). */
export function goValue(v: unknown): string {
  if (v instanceof GoRepr) return v.repr;
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) {
    if (v.every(x => typeof x === 'string')) return `[]string{${v.map(x => JSON.stringify(x)).join(', ')}}`;
    return JSON.stringify(v);
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Obj);
    if (entries.every(([, x]) => typeof x === 'string')) {
      // fmt sorts map keys when printing
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `map[string]string{${entries.map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`).join(', ')}}`;
    }
    return JSON.stringify(v);
  }
  return String(v);
}

/** A FieldError whose message renders values like Go and which can carry the extra types. */
class KFieldError extends FieldError {
  #kind: 'NotFound' | 'TooLong' | 'TooMany' | '';
  constructor(type: FieldError['type'], field: string, value: unknown, detail: string, kind: 'NotFound' | 'TooLong' | 'TooMany' | '' = '') {
    super(type, field, value, detail);
    this.#kind = kind;
  }
  override detailMessage(): string {
    if (this.#kind === 'NotFound') return `Not found: ${goValue(this.value)}`;
    if (this.type === 'FieldValueInvalid') return `Invalid value: ${goValue(this.value)}${this.detail ? ': ' + this.detail : ''}`;
    return super.detailMessage();
  }
}

/** field.Invalid */
export const badValue = (field: string, value: unknown, detail: string): FieldError =>
  new KFieldError('FieldValueInvalid', field, value, detail);
/** field.NotFound (reason FieldValueNotFound) */
export function notFound(field: string, value: unknown): FieldError {
  const e = new KFieldError('FieldValueInvalid', field, value, '', 'NotFound');
  Object.defineProperty(e, 'type', { value: 'FieldValueNotFound' });
  return e;
}
/** field.TooLong */
export const tooLong = (field: string, max: number): FieldError =>
  new KFieldError('FieldValueTooLong', field, '', `may not be more than ${max} bytes`, 'TooLong');
/** field.TooMany */
export const tooMany = (field: string, actual: number, max: number): FieldError =>
  new KFieldError('FieldValueTooMany', field, actual, `${actual}: must have at most ${max} items`, 'TooMany');
/** field.Required with a detail message */
export const requiredMsg = (field: string, detail: string): FieldError => required(field, detail);

export const IMMUTABLE = 'field is immutable';
export const NEGATIVE = 'must be greater than or equal to 0';

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const arr = <T = Obj>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
export const strMap = (v: unknown): Record<string, string> => (isObj(v) ? (v as Record<string, string>) : {});

export function nonNegative(value: unknown, field: string): Errs {
  return typeof value === 'number' && value < 0 ? [badValue(field, value, NEGATIVE)] : [];
}

export function inclusiveRange(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** apiequality.Semantic.DeepEqual for JSON values (missing and undefined are the same). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

export function immutable(newVal: unknown, oldVal: unknown, field: string): Errs {
  return deepEqual(newVal, oldVal) ? [] : [badValue(field, newVal ?? null, IMMUTABLE)];
}

/** Checks `value` is one of `valid`: Required when empty, NotSupported otherwise. */
export function oneOf(value: unknown, valid: string[], field: string, allowEmpty = false): Errs {
  const v = str(value);
  if (v === '') return allowEmpty ? [] : [required(field)];
  return valid.includes(v) ? [] : [notSupported(field, v, valid)];
}

/**
 * A deep copy as a JSON round trip makes it (undefined fields dropped, undefined in
 * arrays → null, non-finite numbers → null), by recursion: several times cheaper.
 */
export function clone<T>(v: T): T {
  return v === undefined ? v : jsonCopy(v) as T;
}

function jsonCopy(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'object' || v === null) return v;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return JSON.parse(JSON.stringify(v));
  if (Array.isArray(v)) return v.map(x => (x === undefined || typeof x === 'function' || typeof x === 'symbol' ? null : jsonCopy(x)));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    // A "__proto__" key (JSON may hold one) stays a plain field, as JSON.parse makes it.
    if (k === '__proto__') Object.defineProperty(out, k, { value: jsonCopy(x), enumerable: true, writable: true, configurable: true });
    else out[k] = jsonCopy(x);
  }
  return out;
}
