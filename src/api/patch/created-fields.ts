/**
 * The FieldsV1 a create gives its manager, in one walk over the new object. It is what
 * compare(undefined, obj) → trackable → toFieldsV1 yields (managed-fields.ts), without
 * building and copying field sets: every create pays for this, so it is kept cheap.
 */
import { isObject, type Json, type JsonObject } from './json.js';
import { alwaysPresent, childField, elemField, rootField, type Field } from './schema.js';
import { granularList, itemElement, itemElements } from './ssa-walk.js';

/** metadata fields that are never tracked (stripmeta.go). */
const STRIPPED_META = new Set(['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']);

/**
 * FieldsV1 of everything `obj` sets, or undefined when that is nothing. `ignored` names
 * top-level fields the endpoint does not own (status on a kind with a status subresource).
 */
export function createdFieldsV1(obj: JsonObject, kind: string, ignored: (field: string) => boolean): JsonObject | undefined {
  const root = rootField(kind);
  const out: JsonObject = {};
  for (const k of Object.keys(obj).sort()) {
    if (ignored(k)) continue;
    let enc: JsonObject | null;
    if (k === 'metadata' && isObject(obj.metadata)) {
      enc = strip(encodeMap(obj.metadata, childField(root, 'metadata'), false, STRIPPED_META));
    } else {
      enc = encode(obj[k], childField(root, k), false);
      if (k === 'metadata' || k === 'apiVersion' || k === 'kind') enc = strip(enc);
    }
    if (enc) out[fKey(k)] = enc;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A node's FieldsV1 encoding (`{}` leaf member, `".": {}` beside children), null when absent. */
function encode(v: Json | undefined, f: Field | undefined, item: boolean): JsonObject | null {
  if (v === undefined) return null;
  if (isObject(v) && !f?.atomic) return encodeMap(v, f, item);
  if (Array.isArray(v) && granularList(f)) return encodeList(v, f);
  return {};
}

/** A granular list: one child per distinct item element, in sorted order. */
function encodeList(v: Json[], f: Field | undefined): JsonObject | null {
  const ef = elemField(f);
  if (v.length === 1) {
    // The common one-item list (a pod's containers): no map, no sort.
    const enc = encode(v[0], ef, true);
    return node(!alwaysPresent(f), enc ? [[itemElement(v[0], f, 0), enc]] : []);
  }
  const items = new Map<string, JsonObject>();
  itemElements(v, f, []).forEach((pe, i) => {
    const enc = encode(v[i], ef, true);
    if (!enc) return;
    const prev = items.get(pe);
    items.set(pe, prev ? union(prev, enc) : enc);
  });
  return node(!alwaysPresent(f), [...items.keys()].sort().map(pe => [pe, items.get(pe)!]));
}

/**
 * `stripped`: children that lose their own membership (metadata's server-owned fields).
 * Builds the node in place: `".": {}` first when a member, then children in sorted order.
 */
function encodeMap(v: JsonObject, f: Field | undefined, item: boolean, stripped?: Set<string>): JsonObject | null {
  const keys = Object.keys(v);
  if (keys.length > 1) keys.sort();
  const member = item || !alwaysPresent(f);
  let out: JsonObject | null = null;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    let enc = encode(v[k], childField(f, k), false);
    if (enc && stripped?.has(k)) enc = strip(enc);
    if (!enc) continue;
    if (!out) out = member ? { '.': {} } : {};
    out[fKey(k)] = enc;
  }
  return out ?? (member ? {} : null);
}

/**
 * `f:<key>` as an internalized string, remembered: a fresh concatenation used as a property
 * name is hashed and looked up in V8's string table on every create. Bounded, since map
 * keys (labels, annotations) are the clients'.
 */
const fKeys = new Map<string, string>();
function fKey(k: string): string {
  let s = fKeys.get(k);
  if (s === undefined) {
    if (fKeys.size >= 4096) fKeys.clear();
    fKeys.set(k, s = 'f:' + k);
  }
  return s;
}

function node(member: boolean, kids: Array<[string, JsonObject]>): JsonObject | null {
  if (kids.length === 0) return member ? {} : null;
  const out: JsonObject = member ? { '.': {} } : {};
  for (const [pe, enc] of kids) out[pe] = enc;
  return out;
}

/** The node without its own membership (children stay). */
function strip(enc: JsonObject | null): JsonObject | null {
  if (!enc) return null;
  const keys = Object.keys(enc).filter(k => k !== '.');
  if (keys.length === 0) return null;
  const out: JsonObject = {};
  for (const k of keys) out[k] = enc[k];
  return out;
}

const isMember = (enc: JsonObject) => Object.keys(enc).length === 0 || '.' in enc;

/** Two encodings of the same path merged (a list holding one key twice). */
function union(a: JsonObject, b: JsonObject): JsonObject {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(k => k !== '.').sort();
  return node(isMember(a) || isMember(b), keys.map(k => {
    const x = a[k] as JsonObject | undefined, y = b[k] as JsonObject | undefined;
    return [k, x && y ? union(x, y) : (x ?? y)!];
  }))!;
}
