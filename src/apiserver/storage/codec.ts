/**
 * Turns store values into API objects. Objects are stored without resourceVersion;
 * it is the store's modRevision, filled in on read. Decoded objects are shared and must
 * be treated as immutable (copy before changing).
 *
 * Which decoded objects are kept: those of the few resources that admission reads on
 * every write (namespaces, service accounts, priority classes, ...) for as long as their
 * KeyValue lives; any other object only among the last RECENT decodes, enough for a
 * watch event fanned out to many watchers, or a write's answer and its watchers, to
 * share one parse. Keeping every pod's object (~8 KB in ~75 small objects) made each
 * create leave survivors that the young-generation GC copied and promoted, and the old
 * generation grew with the number of objects: longer GC pauses in the latency tail.
 *
 * Pods are the exception: a pod is written several times in its first second (create,
 * binding, the node's status), each write reading the one before. The latest decoded
 * version of the last LATEST pods written or read is kept by key, so those writes find
 * the object (and its managedFields' decoded sets) instead of parsing it again: a bounded
 * number of survivors, replaced as their pods are written again.
 *
 * A write serialises its object once: the stored bytes. The object itself is remembered
 * against those bytes, so when the store hands them back (to watchers, in the write's
 * own answer) they decode to it without a parse, and its wire JSON is the stored text
 * with the resourceVersion spliced into metadata, without a second stringify.
 */
import type { KeyValue } from '../../store/types.js';
import type { KubeObject } from '../../api/object.js';
import { fieldsV1Json } from '../../api/patch/index.js';

/** Decoded objects of the kept resources, for as long as their KeyValue lives. */
const kept = new WeakMap<KeyValue, KubeObject>();
/** The most recent other decodes, oldest first (a Map iterates in insertion order). */
const recent = new Map<KeyValue, KubeObject>();
const RECENT = 64;

/** Storage prefixes of the resources whose decoded objects are kept (see above). */
const KEPT_PREFIXES = [
  '/registry/core/namespaces/', '/registry/core/serviceaccounts/', '/registry/core/services/',
  '/registry/core/limitranges/', '/registry/core/resourcequotas/',
  '/registry/scheduling.k8s.io/priorityclasses/', '/registry/storage.k8s.io/storageclasses/',
];

function isKept(key: string): boolean {
  for (const p of KEPT_PREFIXES) if (key.startsWith(p)) return true;
  return false;
}

/** The latest decoded version of recently written or read pods, by key, least recent first. */
const latest = new Map<string, { kv: KeyValue; obj: KubeObject }>();
const LATEST = 1024;
const LATEST_PREFIX = '/registry/core/pods/';

function cached(kv: KeyValue): KubeObject | undefined {
  const obj = kept.get(kv) ?? recent.get(kv);
  if (obj !== undefined) return obj;
  const e = latest.get(kv.key);
  return e !== undefined && e.kv === kv ? e.obj : undefined;
}

function remember(kv: KeyValue, obj: KubeObject): void {
  if (isKept(kv.key)) { kept.set(kv, obj); return; }
  recent.set(kv, obj);
  if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
  if (kv.key.startsWith(LATEST_PREFIX)) {
    latest.delete(kv.key);
    latest.set(kv.key, { kv, obj });
    if (latest.size > LATEST) latest.delete(latest.keys().next().value!);
  }
}

/**
 * A write's stored text and where its metadata and spec are in it (start of the value, and
 * just past it; -1 when absent): kept on the stored object (see WIRE) so that the next
 * write of it can reuse the parts it does not change (a binding: metadata and spec).
 */
interface Written { obj: KubeObject; bytes: Buffer; text: string; metaStart: number; metaEnd: number; specStart: number; specEnd: number }
/**
 * Writes in flight, by key (stores copy the bytes they are given, so the match is by
 * key and equal bytes). Entries live from encode until the write settles (`settled`).
 */
const written = new Map<string, Written>();

export function decode(kv: KeyValue): KubeObject {
  let obj = cached(kv);
  if (!obj) {
    const w = written.get(kv.key);
    if (w && w.bytes.equals(kv.value)) {
      obj = w.obj;
      obj.metadata!.resourceVersion = String(kv.modRevision);
      setWire(obj, spliceRevision(w, kv.modRevision), w);
    } else {
      obj = JSON.parse(kv.value.toString('utf8')) as KubeObject;
      obj.metadata = obj.metadata ?? {};
      obj.metadata.resourceVersion = String(kv.modRevision);
    }
    remember(kv, obj);
  }
  return obj;
}

/**
 * Serialises an object for storage (without its resourceVersion). With `key`, the write
 * is remembered until `settled(key, bytes)`: the object must not change after a
 * successful write, as it becomes the shared decoded copy.
 */
export function encode(obj: KubeObject, key?: string, known?: KnownParts): Buffer {
  // JSON.stringify's output, built field by field to learn where metadata and spec are.
  let text = '{';
  let metaStart = -1, metaEnd = -1, specStart = -1, specEnd = -1;
  for (const k of Object.keys(obj)) {
    let value = (obj as Record<string, unknown>)[k];
    // metadata without its resourceVersion, as a copy: deleting the field from the object
    // and adding it back would turn most objects' metadata into a slow dictionary.
    if (k === 'metadata' && value !== null && typeof value === 'object' && 'resourceVersion' in value) {
      const { resourceVersion: _, ...rest } = value as Record<string, unknown>;
      value = rest;
    }
    const v = k === 'metadata' ? known?.metadata ?? metadataJson(value)
      : k === 'spec' && known?.spec !== undefined ? known.spec : JSON.stringify(value);
    if (v === undefined) continue;
    if (text.length > 1) text += ',';
    text += quotedKey(k);
    // (Asked of the value, not the text: that is a rope of many pieces, which a character
    // test would flatten here, again before the whole text is.)
    if (k === 'metadata' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      metaStart = text.length;
      metaEnd = text.length + v.length - 1;
    } else if (k === 'spec') {
      specStart = text.length;
      specEnd = text.length + v.length;
    }
    text += v;
  }
  text += '}';
  // Memory of its own (Buffer.from would cut small ones from the shared pool): the store
  // keeps these very bytes (resource-store hands them over).
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  if (key !== undefined && obj.metadata && metaEnd >= 0) written.set(key, { obj, bytes, text, metaStart, metaEnd, specStart, specEnd });
  return bytes;
}

/**
 * JSON texts for some of the top-level fields of an object being encoded, exactly as encode
 * would write them (metadata without its resourceVersion): the caller's word, from a
 * stored version whose parts it knows the new object repeats (storedParts).
 */
export interface KnownParts { metadata?: string; spec?: string }

/**
 * The stored JSON of a decoded object's metadata (without resourceVersion) and spec, when
 * it was written by this process (undefined otherwise: the caller encodes as usual).
 */
export function storedParts(obj: KubeObject): KnownParts | undefined {
  const s = (obj as Wired)[WIRE];
  if (s === undefined || typeof s === 'string') return undefined;
  const w = s.written;
  return {
    metadata: w.text.slice(w.metaStart, w.metaEnd + 1),
    spec: w.specStart >= 0 ? w.text.slice(w.specStart, w.specEnd) : undefined,
  };
}

/** `"key":` for a top-level key, remembered (bounded: a client may send any keys). */
const quotedKeys = new Map<string, string>();
function quotedKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    if (quotedKeys.size >= 256) quotedKeys.clear();
    quotedKeys.set(k, q = JSON.stringify(k) + ':');
  }
  return q;
}

/**
 * JSON.stringify(metadata) with each managedFields entry's FieldsV1 text kept from earlier
 * writes where that FieldsV1 is the very same (canonical) object (fieldsV1Json). Most of
 * a pod's metadata JSON is its managedFields, and most entries stay as they were.
 */
function metadataJson(meta: unknown): string | undefined {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return JSON.stringify(meta);
  const { managedFields: mf, ...rest } = meta as Record<string, unknown>;
  if (!Array.isArray(mf) || mf.length === 0) return JSON.stringify(meta);
  const keys = Object.keys(meta);
  // Where the server puts it (as upstream's ObjectMeta does): last, after the rest's JSON.
  if (keys[keys.length - 1] !== 'managedFields') return JSON.stringify(meta);
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"managedFields":${managedFieldsJson(mf)}}`;
}

function managedFieldsJson(entries: unknown[]): string {
  let text = '[';
  for (let i = 0; i < entries.length; i++) {
    if (i > 0) text += ',';
    text += entryJson(entries[i]);
  }
  return text + ']';
}

/** One entry's JSON.stringify, its fieldsV1 written from fieldsV1Json. */
function entryJson(e: unknown): string {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return JSON.stringify(e) ?? 'null';
  const o = e as Record<string, unknown>;
  const f = o.fieldsV1;
  if (f === null || typeof f !== 'object') return JSON.stringify(e);
  // Every other value a string (as the schema has it): then the first `"fieldsV1":0` in
  // the text is that key, as a quote inside a string value is always escaped.
  for (const k in o) if (k !== 'fieldsV1' && typeof o[k] !== 'string' && o[k] !== undefined) return JSON.stringify(e);
  const t = JSON.stringify({ ...o, fieldsV1: 0 });
  const at = t.indexOf('"fieldsV1":0') + 11;
  return t.slice(0, at) + fieldsV1Json(f)! + t.slice(at + 1);
}

/**
 * The write of `bytes` to `key` has settled: stored as `kv`, or failed (no kv). A stored
 * object becomes kv's decoded object now if no watcher decoded it yet (see remember).
 */
export function settled(key: string, bytes: Buffer, kv?: KeyValue): void {
  const w = written.get(key);
  if (w?.bytes !== bytes) return;
  written.delete(key);
  if (kv && !cached(kv) && w.bytes.equals(kv.value)) {
    w.obj.metadata!.resourceVersion = String(kv.modRevision);
    remember(kv, w.obj);
    setWire(w.obj, spliceRevision(w, kv.modRevision), w);
  }
}

/** The stored text with `"resourceVersion":"rev"` as metadata's last field. */
function spliceRevision(w: { text: string; metaEnd: number }, rev: number): string {
  const empty = w.text[w.metaEnd - 1] === '{';
  return `${w.text.slice(0, w.metaEnd)}${empty ? '' : ','}"resourceVersion":"${rev}"${w.text.slice(w.metaEnd)}`;
}

/**
 * The wire JSON of kv's object (with its resourceVersion) without a parse: the stored
 * text with the resourceVersion spliced into metadata, when that text starts with
 * `prefix` (its apiVersion and kind). Undefined when kv's object is decoded already (its
 * JSON is cached) or the text does not fit: the caller decodes instead. Lists of pods no
 * longer find their objects decoded; this keeps plain JSON lists of them cheap.
 */
export function storedWire(kv: KeyValue, prefix: string): string | undefined {
  const obj = cached(kv);
  if (obj) return undefined;
  const text = kv.value.toString('utf8');
  if (!text.startsWith(prefix)) return undefined;
  const metaEnd = metadataEnd(text);
  if (metaEnd < 0) return undefined;
  return spliceRevision({ text, metaEnd }, kv.modRevision);
}

/**
 * Index of the `}` that closes the top-level "metadata" object of JSON text as
 * JSON.stringify writes it (no white space), or -1 if there is none.
 */
export function metadataEnd(t: string): number {
  let depth = 0;
  let inMeta = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 34 /* " */) {
      // To the closing quote: one not preceded by an odd number of backslashes.
      const start = i;
      for (;;) {
        i = t.indexOf('"', i + 1);
        if (i < 0) return -1;
        let b = i - 1;
        while (t.charCodeAt(b) === 92 /* \ */) b--;
        if ((i - 1 - b) % 2 === 0) break;
      }
      // A key at the top level (only keys are followed by ':') whose value is an object.
      if (depth === 1 && !inMeta && t.charCodeAt(i + 1) === 58 && t.charCodeAt(i + 2) === 123 && i - start === 9 && t.startsWith('"metadata"', start)) inMeta = true;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (inMeta && depth === 1) return i;
    }
  }
  return -1;
}

export function withRevision(obj: KubeObject, rev: number): KubeObject {
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(rev);
  return obj;
}

export function clone<T>(o: T): T {
  return structuredClone(o);
}

/**
 * An object's JSON text rides on it in a hidden (non-enumerable, symbol-keyed) property:
 * JSON, spread and Object.keys do not see it. A WeakMap held it before, and every write
 * and decode adding an entry made each young GC process ephemerons.
 */
const WIRE = Symbol('wire JSON');
/** An object this process wrote also keeps its write's stored text (one property, not two). */
interface WiredWrite { wire: string; written: Written }
type Wired = object & { [WIRE]?: string | WiredWrite };

function setWire(obj: object, text: string, written?: Written): void {
  if (Object.isExtensible(obj)) Object.defineProperty(obj, WIRE, { value: written ? { wire: text, written } : text, writable: true });
}

/** JSON text of a (shared, immutable) decoded object, computed once per object. */
export function wireJson(obj: object): string {
  const s = (obj as Wired)[WIRE];
  if (typeof s === 'string') return s;
  if (s !== undefined) return s.wire;
  const text = JSON.stringify(obj);
  setWire(obj, text);
  return text;
}
