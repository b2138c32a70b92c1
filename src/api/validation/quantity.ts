/**
 * Resource quantities ("100m", "1Gi", "1e3", "0.5") as k8s.io/apimachinery/pkg/api/resource
 * parses them. Values are exact decimals (a bigint over a power of ten), so "100m" and
 * "0.1" compare equal and 1Ei does not lose precision. Formatting follows Quantity.String():
 * the canonical form kube-apiserver stores ("0.5" becomes "500m", "1536Mi" stays).
 *
 * Shared with the scheduler and kubelet: use `parseQuantity(s).milliValue()` for CPU and
 * `.value()` for bytes, or `cmp` to compare.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** Wire-level message for an unparsable quantity. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export class QuantityError extends Error {
  readonly code = 'KL_QUANTITY_FORMAT';
  constructor(readonly input: string) { super(QUANTITY_FORMAT_ERROR); }
}

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIX).map(([k, v]) => [v, k]));
const BINARY_NAMES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** 10^0 … 10^40, the exponents quantities use every day (a bigint power each time showed in profiles). */
const POW10: bigint[] = Array.from({ length: 41 }, (_, i) => 10n ** BigInt(i));
const pow10 = (n: number): bigint => (n <= 40 ? POW10[n] : 10n ** BigInt(n));
const ceilDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && (a > 0n) === (b > 0n) ? q + 1n : q;
};

export class Quantity {
  /** value = n / 10^scale, scale >= 0 */
  constructor(readonly n: bigint, readonly scale: number, readonly format: QuantityFormat = 'DecimalSI') {}

  static fromMilli(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(milli), 3, format);
  }

  #aligned(o: Quantity): [bigint, bigint, number] {
    const s = Math.max(this.scale, o.scale);
    return [this.n * pow10(s - this.scale), o.n * pow10(s - o.scale), s];
  }

  cmp(o: Quantity): -1 | 0 | 1 {
    const [a, b] = this.#aligned(o);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  add(o: Quantity): Quantity {
    const [a, b, s] = this.#aligned(o);
    return new Quantity(a + b, s, this.format);
  }
  sub(o: Quantity): Quantity {
    const [a, b, s] = this.#aligned(o);
    return new Quantity(a - b, s, this.format);
  }
  isZero(): boolean { return this.n === 0n; }
  sign(): -1 | 0 | 1 { return this.n < 0n ? -1 : this.n > 0n ? 1 : 0; }
  isInteger(): boolean { return this.n % pow10(this.scale) === 0n; }

  /** Value scaled to 10^-scale, rounded up (away from zero), like Quantity.ScaledValue. */
  scaled(scale: number): bigint {
    if (scale >= this.scale) return this.n * pow10(scale - this.scale);
    const d = pow10(this.scale - scale);
    return this.n < 0n ? -ceilDiv(-this.n, d) : ceilDiv(this.n, d);
  }
  /** Integer value rounded up (bytes, counts). */
  value(): number { return Number(this.scaled(0)); }
  /** Thousandths rounded up (CPU). */
  milliValue(): number { return Number(this.scaled(3)); }
  /** Approximate float value. */
  toNumber(): number { return Number(this.n) / 10 ** this.scale; }

  /** Rounds up to 10^-scale precision (RoundUp(-3) is what ResourceList defaulting does). */
  roundUp(scale: number): Quantity {
    if (scale >= this.scale) return this;
    return new Quantity(this.scaled(scale), scale, this.format);
  }

  /** Canonical string, as Quantity.String() / CanonicalizeBytes. */
  toString(): string {
    if (this.n === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      const abs = this.n < 0n ? -this.n : this.n;
      // between -1024 and 1024, or not an integer: shown as DecimalSI to avoid rounding
      if (abs < 1024n * pow10(this.scale) || !this.isInteger()) format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      let m = this.n / pow10(this.scale);
      let exp = 0;
      while (exp < 6 && m % 1024n === 0n) { m /= 1024n; exp++; }
      return m.toString() + BINARY_NAMES[exp];
    }
    // move factors of ten into the exponent, then make it a multiple of three
    let m = this.n;
    let exp = -this.scale;
    while (m % 10n === 0n) { m /= 10n; exp++; }
    while (exp % 3 !== 0) { m *= 10n; exp--; }
    if (format === 'DecimalSI') {
      const suffix = DECIMAL_BY_EXP.get(exp);
      if (suffix !== undefined) return m.toString() + suffix;
    }
    return m.toString() + (exp === 0 ? '' : `e${exp}`);
  }
  toJSON(): string { return this.toString(); }
}

const NUMBER_RE = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;

/**
 * Quantities parsed lately, by their text: Quantity is immutable, and the same few values
 * ("100m", "500Mi") are parsed by every pod's defaulting, validation and scheduling. Bounded,
 * since the texts are the clients'.
 */
const parsed = new Map<string, Quantity>();
const canonical = new Map<string, string>();
const MEMO = 2048;

function remember<V>(m: Map<string, V>, k: string, v: V): V {
  if (m.size >= MEMO) m.clear();
  m.set(k, v);
  return v;
}

/** Parses a quantity; throws QuantityError on bad syntax. Accepts JSON numbers too. */
export function parseQuantity(input: string | number): Quantity {
  const s = typeof input === 'number' ? numberToString(input) : input;
  const q = parsed.get(s);
  if (q !== undefined) return q;
  return remember(parsed, s, parseText(s, input));
}

function parseText(s: string, input: string | number): Quantity {
  const m = NUMBER_RE.exec(s);
  if (!s || !m) throw new QuantityError(String(input));
  const [, sign, whole, frac = '', suffix] = m;
  if (whole === '' && frac === '') throw new QuantityError(s);
  let n = BigInt((whole || '0') + frac);
  let scale = frac.length;
  let format: QuantityFormat;
  let exp10 = 0;
  if (suffix in BINARY_SUFFIX) {
    format = 'BinarySI';
    n *= 1024n ** BigInt(BINARY_SUFFIX[suffix]);
  } else if (suffix in DECIMAL_SUFFIX) {
    format = 'DecimalSI';
    exp10 = DECIMAL_SUFFIX[suffix];
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    format = 'DecimalExponent';
    exp10 = Number(suffix.slice(1));
    if (!Number.isFinite(exp10) || Math.abs(exp10) > 1000) throw new QuantityError(s);
  } else {
    throw new QuantityError(s);
  }
  if (exp10 > 0) n *= pow10(exp10);
  else scale -= exp10;
  if (sign === '-') n = -n;
  // precision finer than nano is rounded up at parse time
  let q = new Quantity(n, scale, format);
  if (scale > 9) q = q.roundUp(9);
  return q;
}

/** Like parseQuantity, but returns undefined instead of throwing. */
export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') return undefined;
  try { return parseQuantity(input); } catch { return undefined; }
}

/** Canonical form of a quantity after ResourceList defaulting (rounded up to milli). */
export function canonicalQuantity(input: string | number): string {
  const s = typeof input === 'number' ? numberToString(input) : input;
  return canonical.get(s) ?? remember(canonical, s, parseQuantity(s).roundUp(3).toString());
}

function numberToString(v: number): string {
  if (!Number.isFinite(v)) return 'NaN';
  // JS prints 1e21 as "1e+21"; the exponent sign is allowed by the grammar
  return String(v);
}
