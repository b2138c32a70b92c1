/**
 * Turns store values into API objects. Objects are stored without resourceVersion;
 * it is the store's modRevision, filled in on read. A decoded object is cached per
 * KeyValue so that a watch event fanned out to many watchers is parsed once; cached
 * objects are shared and must be treated as immutable (copy before changing).
 */
import type { KeyValue } from '../../store/types.js';
import type { KubeObject } from '../../api/object.js';

const cache = new WeakMap<KeyValue, KubeObject>();

export function decode(kv: KeyValue): KubeObject {
  let obj = cache.get(kv);
  if (!obj) {
    obj = JSON.parse(kv.value.toString('utf8')) as KubeObject;
    obj.metadata = obj.metadata ?? {};
    obj.metadata.resourceVersion = String(kv.modRevision);
    cache.set(kv, obj);
  }
  return obj;
}

/** Serialises an object for storage (without its resourceVersion). */
export function encode(obj: KubeObject): Buffer {
  const rv = obj.metadata?.resourceVersion;
  if (rv !== undefined) delete obj.metadata!.resourceVersion;
  const buf = Buffer.from(JSON.stringify(obj));
  if (rv !== undefined) obj.metadata!.resourceVersion = rv;
  return buf;
}

export function withRevision(obj: KubeObject, rev: number): KubeObject {
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(rev);
  return obj;
}

export function clone<T>(o: T): T {
  return structuredClone(o);
}

const wire = new WeakMap<object, string>();

/** JSON text of a (shared, immutable) decoded object, computed once per object. */
export function wireJson(obj: object): string {
  let s = wire.get(obj);
  if (s === undefined) { s = JSON.stringify(obj); wire.set(obj, s); }
  return s;
}
