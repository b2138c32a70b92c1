/** Plain JSON values and the few helpers every patch flavour needs. */
import { BadRequestError } from '../errors.js';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject { [key: string]: Json }

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep copy; inputs are never mutated, so every algorithm works on a copy. Values are
 * plain JSON data, so a recursive copy does (several times cheaper than structuredClone).
 */
export function clone<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) setOwn(out, k, clone((v as Record<string, unknown>)[k]));
  return out as T;
}

/** `o[k] = x`, except that a "__proto__" key (JSON may hold one) stays a plain field. */
export function setOwn(o: Record<string, unknown>, k: string, x: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
  else o[k] = x;
}

/** Structural equality; object key order does not matter, list order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every(k => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** 'map' | 'list' | 'scalar' | 'null': the shapes the merge algorithms dispatch on. */
export function shapeOf(v: unknown): 'map' | 'list' | 'scalar' | 'null' {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  return 'scalar';
}

/** Bodies may arrive as text or bytes (from HTTP) or already parsed. */
export function parseBody(body: unknown): unknown {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new BadRequestError(`error decoding patch: ${(e as Error).message}`);
    }
  }
  return body;
}

/** Go's %v rendering is not worth copying; error messages show values as JSON. */
export function show(v: unknown): string {
  return JSON.stringify(v);
}
