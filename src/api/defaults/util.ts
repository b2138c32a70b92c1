/** Helpers for the defaulters: loose JSON access and quantity canonicalisation. */
import { canonicalQuantity, tryParseQuantity } from '../validation/quantity.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
/** The value when it is an object, else a new empty one (assign it back to keep it). */
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});

/** Sets `o[k]` when it is missing, null or the empty string (Go's zero value for these fields). */
export function setIfUnset(o: Obj, k: string, v: unknown): void {
  if (o[k] === undefined || o[k] === null || o[k] === '') o[k] = v;
}

/** ResourceList values are rounded up to milli precision and stored canonically ("0.5" → "500m"). */
export function canonicalList(list: Obj): void {
  for (const [k, v] of Object.entries(list)) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    try { list[k] = canonicalQuantity(v); } catch { /* left for validation to report */ }
  }
}

/** A single Quantity field, stored canonically. */
export function canonicalQuantityField(o: Obj, k: string): void {
  const q = tryParseQuantity(o[k]);
  if (q) o[k] = q.toString();
}
