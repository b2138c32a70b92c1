/**
 * `metadata.managedFields`: who owns which fields. Decoding and encoding the entries,
 * identifying managers as kube-apiserver does, and recording ordinary writes
 * (create, update, JSON/merge/strategic patch) so that later applies see their owners.
 */
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { apiVersionOf, RESOURCES } from '../resources.js';
import { clone, deepEqual, isObject, type Json, type JsonObject } from './json.js';
import { FieldSet, type Path } from './fieldset.js';
import { rootField } from './schema.js';
import { changes } from './ssa-walk.js';
import { createdFieldsV1 } from './created-fields.js';

export type { ManagedFieldsEntry };
export type ManagedFieldsOperation = 'Apply' | 'Update';

/** One decoded entry. */
export interface Manager {
  manager: string;
  operation: ManagedFieldsOperation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Options shared by the write helpers. */
export interface RecordOptions {
  /** RFC 3339 time for touched entries (default: now, to the second). */
  now?: string;
  /** Subresource written through (`status`, `scale`); part of the manager's identity. */
  subresource?: string;
}

/** Fields never tracked (stripmeta.go): identity and server-owned metadata. */
const STRIPPED: Path[] = [
  ['f:apiVersion'], ['f:kind'], ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map(f => ['f:metadata', 'f:' + f]),
];
const STRIP_SET = FieldSet.fromPaths(STRIPPED);
const STRIPPED_TOP = new Set(['f:apiVersion', 'f:kind', 'f:metadata']);
const STRIPPED_META = new Set(STRIPPED.filter(p => p.length === 2).map(p => p[1]));

/** Whether `path` is one of STRIPPED (what trackable's difference with STRIP_SET removes). */
function untracked(path: Path): boolean {
  if (path.length === 1) return STRIPPED_TOP.has(path[0]);
  return path.length === 2 && path[0] === 'f:metadata' && STRIPPED_META.has(path[1]);
}

let lastSecond = -1;
let lastStamp = '';

export function nowSeconds(): string {
  // Every write stamps its entry; the text changes once a second.
  const sec = Math.floor(Date.now() / 1000);
  if (sec !== lastSecond) { lastSecond = sec; lastStamp = new Date(sec * 1000).toISOString().replace(/\.\d+Z$/, 'Z'); }
  return lastStamp;
}

/** Managers are equal when these match; appliers are not told apart by apiVersion. */
export function managerId(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([m.manager, m.operation, m.operation === 'Apply' ? '' : m.apiVersion, m.subresource ?? '']);
}

/** `"kubectl"`, `"kube-controller-manager" with subresource "status" using apps/v1` (conflict.go). */
export function describeManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  return m.operation === 'Update' ? `${s} using ${m.apiVersion}` : s;
}

/**
 * `stored`: the entries of a stored object, whose FieldsV1 the server wrote (canonical,
 * see fieldsV1Of): a set that stays as it was is written back as that very object.
 */
export function decodeManagedFields(entries: unknown, stored = false): Manager[] {
  if (!Array.isArray(entries)) return [];
  const out: Manager[] = [];
  for (const e of entries) {
    if (!isObject(e) || typeof e.manager !== 'string') continue;
    if (e.operation !== 'Apply' && e.operation !== 'Update') continue;
    out.push({
      manager: e.manager, operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      subresource: typeof e.subresource === 'string' && e.subresource ? e.subresource : undefined,
      time: typeof e.time === 'string' ? e.time : undefined,
      set: setFromFieldsV1(e.fieldsV1, stored),
    });
  }
  return out;
}

/** Entries as kube-apiserver stores them: empty sets dropped, sorted (Apply first). */
export function encodeManagedFields(managers: Manager[]): ManagedFieldsEntry[] {
  const sec = (t?: string): number => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  return managers
    .filter(m => !m.set.isEmpty())
    .sort((p, q) => cmp(p.operation, q.operation) || sec(p.time) - sec(q.time) || cmp(p.manager, q.manager)
      || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? '', q.subresource ?? ''))
    .map(m => {
      const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
      if (m.time) e.time = m.time;
      e.fieldsType = 'FieldsV1';
      e.fieldsV1 = fieldsV1Of(m.set);
      if (m.subresource) e.subresource = m.subresource;
      return e;
    });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// Every write re-reads and re-writes every manager's field set, though most stay as they
// were (a status write leaves the creator's spec fields alone). Sets are never changed
// after decoding, and stored objects are shared and immutable, so a set keeps its FieldsV1
// (FieldSet.toFieldsV1 builds it once) and a canonical FieldsV1 object carries its set in a
// hidden property. (WeakMaps held them before: every write's new entries made each young
// GC process ephemerons, which cost more than the encoding they saved. A hidden property
// on the sets changed their shape, and every FieldSet access site became polymorphic.)
const CANONICAL = Symbol('canonical FieldsV1');
type Canonical = JsonObject & { [CANONICAL]?: FieldSet | true };

function hide(o: object, key: symbol, value: unknown): void {
  if (Object.isExtensible(o)) Object.defineProperty(o, key, { value, writable: true });
}

function setFromFieldsV1(raw: unknown, stored: boolean): FieldSet {
  if (!isObject(raw)) return FieldSet.fromFieldsV1(raw);
  const mark = (raw as Canonical)[CANONICAL];
  if (mark instanceof FieldSet) return mark;
  if (mark !== true && !stored) return FieldSet.fromFieldsV1(raw);
  const s = FieldSet.fromCanonicalFieldsV1(raw);
  hide(raw, CANONICAL, s);
  return s;
}

function fieldsV1Of(set: FieldSet): JsonObject {
  const j = set.toFieldsV1();
  if ((j as Canonical)[CANONICAL] === undefined) hide(j, CANONICAL, set);
  return j;
}

const TEXT = Symbol('FieldsV1 JSON');

/**
 * The JSON text of a FieldsV1 value. A canonical one (a stored object's, or the server's
 * own encoding of a set) is never changed and is shared by every later version of its
 * object while its manager's fields stay as they were, so its text is kept on it: each
 * write re-serialises every entry of managedFields, which was half of a pod's JSON time.
 */
export function fieldsV1Json(v: unknown): string | undefined {
  if (!isObject(v)) return JSON.stringify(v);
  const o = v as Canonical & { [TEXT]?: string };
  let text = o[TEXT];
  if (text === undefined) {
    text = fieldsText(o) ?? JSON.stringify(v);
    // fieldsText's result is a rope of a piece per key: flattened once here (a character
    // read does it in place), not by every later write that copies it into its own text.
    text.charCodeAt(0);
    if (o[CANONICAL] !== undefined) hide(o, TEXT, text);
  }
  return text;
}

/**
 * JSON.stringify of a FieldsV1 tree (objects of objects), or undefined when it holds anything
 * else. Its keys (`k:{"name":"c"}`) need escaping, which takes V8's stringify off its fast
 * path: with each key's JSON text remembered this takes about half the time.
 */
function fieldsText(o: JsonObject): string | undefined {
  let text = '{';
  let first = true;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (!isObject(v)) return undefined;
    const inner = fieldsText(v);
    if (inner === undefined) return undefined;
    if (first) first = false; else text += ',';
    text += quotedKey(k) + inner;
  }
  return text + '}';
}

/** `"key":` as JSON, remembered (bounded: keys hold the clients' names and values). */
const quotedKeys = new Map<string, string>();
function quotedKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    if (quotedKeys.size >= 8192) quotedKeys.clear();
    quotedKeys.set(k, q = JSON.stringify(k) + ':');
  }
  return q;
}

/** Records that `fieldsV1` is written exactly as toFieldsV1 would write its set. */
export function markCanonical(fieldsV1: JsonObject): JsonObject {
  if (!(fieldsV1 as Canonical)[CANONICAL]) hide(fieldsV1, CANONICAL, true);
  return fieldsV1;
}

/**
 * Top-level fields a write through this endpoint does not own (the registry resets
 * them): `status` on the main resource of kinds with a status subresource, everything
 * but `metadata` and `status` on the status subresource.
 */
export function ignoredTopLevel(apiVersion: string, kind: string, subresource?: string): (field: string) => boolean {
  if (subresource === 'status') return f => f !== 'metadata' && f !== 'status';
  if (subresource) return () => false;
  return hasStatusSubresource(apiVersion, kind) ? f => f === 'status' : () => false;
}

const statusKinds = new Map<string, boolean>();

function hasStatusSubresource(apiVersion: string, kind: string): boolean {
  const key = `${apiVersion}/${kind}`;
  let v = statusKinds.get(key);
  if (v === undefined) {
    const ri = RESOURCES.find(r => r.kind === kind && apiVersionOf(r) === apiVersion);
    statusKinds.set(key, v = ri?.subresources?.includes('status') ?? false);
  }
  return v;
}

/** Removes untracked and ignored paths from a set. */
export function trackable(set: FieldSet, ignored: (field: string) => boolean): FieldSet {
  let out = set.difference(STRIP_SET);
  for (const top of out.elements()) if (ignored(top.slice(2))) out = out.without([top]);
  return out;
}

/** The object without managedFields (what apply and compare look at). */
export function body(obj: JsonObject | undefined): JsonObject {
  const o = clone(obj ?? {});
  if (isObject(o.metadata)) delete o.metadata.managedFields;
  return o;
}

/**
 * A read-only view of the object without managedFields (and, given `ignored`, without
 * the top-level fields the endpoint does not own): shares everything else.
 */
function view(obj: JsonObject, ignored?: (field: string) => boolean): JsonObject {
  let out = obj;
  if (ignored) {
    out = {};
    for (const k of Object.keys(obj)) if (!ignored(k)) out[k] = obj[k];
  }
  if (!isObject(out.metadata) || !('managedFields' in out.metadata)) return out;
  const { managedFields: _, ...meta } = out.metadata;
  return { ...out, metadata: meta };
}

/** Writes entries into a copy's metadata (removing the field when there are none). */
export function withManagedFields(obj: JsonObject, managers: Manager[]): JsonObject {
  const entries = encodeManagedFields(managers);
  const meta: JsonObject = isObject(obj.metadata) ? obj.metadata : (obj.metadata = {});
  if (entries.length > 0) meta.managedFields = entries as unknown as Json;
  else delete meta.managedFields;
  return obj;
}

/** Whether decodeManagedFields would find any entry. */
function hasEntries(entries: unknown): boolean {
  return Array.isArray(entries) && entries.some(e => isObject(e) && typeof e.manager === 'string' && (e.operation === 'Apply' || e.operation === 'Update'));
}

function managersOf(obj: JsonObject | undefined): unknown {
  return isObject(obj?.metadata) ? obj.metadata.managedFields : undefined;
}

/**
 * Records an ordinary write by `manager` and returns a copy of `newObj` with updated
 * managedFields: the manager takes ownership of every field it added or changed (from
 * any other owner: updates are always forced) and every owner loses the fields it
 * removed. `oldObj` undefined is a create. A request that sets managedFields itself
 * (non-empty, different from the stored ones) replaces them. Operation `Apply` returns
 * an unchanged copy: serverSideApply records its own ownership.
 */
export function recordUpdate(oldObj: object | undefined, newObj: object, manager: string, apiVersion: string,
  operation: ManagedFieldsOperation = 'Update', options: RecordOptions | string = {}): object {
  if (operation === 'Apply') return clone(newObj);
  // A copy of the entries too: they may share FieldsV1 objects with oldObj's.
  const entries = clone(managedFieldsAfterUpdate(oldObj, newObj, manager, apiVersion, operation, options));
  const out = clone(newObj) as JsonObject;
  const meta: JsonObject = isObject(out.metadata) ? out.metadata : (out.metadata = {});
  if (entries.length > 0) meta.managedFields = entries as unknown as Json;
  else delete meta.managedFields;
  return out;
}

/** The managedFields entries recordUpdate would give `newObj`, without copying it. */
export function managedFieldsAfterUpdate(oldObj: object | undefined, newObj: object, manager: string, apiVersion: string,
  operation: ManagedFieldsOperation = 'Update', options: RecordOptions | string = {}): ManagedFieldsEntry[] {
  const opts: RecordOptions = typeof options === 'string' ? { subresource: options } : options;
  const subresource = opts.subresource || undefined;
  const before = oldObj as JsonObject | undefined, after = newObj as JsonObject;
  if (operation === 'Apply') { const mf = managersOf(after); return Array.isArray(mf) ? mf as ManagedFieldsEntry[] : []; }
  const kind = typeof after.kind === 'string' ? after.kind : String(before?.kind ?? '');
  // Entries sent with the write (non-empty, different from the stored ones) replace them.
  const requested = hasEntries(managersOf(after));
  const replaced = requested && !deepEqual(managersOf(after), managersOf(before));
  const managers = decodeManagedFields(replaced ? managersOf(after) : managersOf(before), !replaced);
  const ignored = ignoredTopLevel(apiVersion, kind, subresource);
  if (!before && !requested) {
    // A create: the manager owns everything the object sets; one walk, no set algebra.
    const fieldsV1 = createdFieldsV1(view(after), kind, ignored);
    if (fieldsV1) markCanonical(fieldsV1);
    if (!fieldsV1) return [];
    const e: ManagedFieldsEntry = { manager, operation, apiVersion, time: opts.now ?? nowSeconds(), fieldsType: 'FieldsV1', fieldsV1 };
    if (subresource) e.subresource = subresource;
    return [e];
  }
  // Ignored top-level fields would be dropped from the result anyway (trackable): skip them.
  // One walk gives trackable(added ∪ modified) and trackable(removed).
  const { changed, removed } = changes(before ? view(before, ignored) : undefined, view(after, ignored), rootField(kind), untracked);
  const id = managerId({ manager, operation, apiVersion, subresource });
  let self = managers.find(m => managerId(m) === id);
  if (!self) managers.push(self = { manager, operation, apiVersion, subresource, set: new FieldSet() });
  // minus/plus keep a set (and so its FieldsV1) when the write does not touch it.
  for (const m of managers) {
    if (!removed.isEmpty()) m.set = m.set.minus(removed);
    if (m !== self && !changed.isEmpty()) m.set = m.set.minus(changed);
  }
  // A manager's first write owns just what it changed: that fresh set is nobody else's.
  self.set = self.set.isEmpty() ? changed : self.set.plus(changed);
  if (!changed.isEmpty()) self.time = opts.now ?? nowSeconds();
  return encodeManagedFields(managers);
}
