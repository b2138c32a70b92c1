/**
 * Decodes a Kubernetes protobuf request body (`application/vnd.kubernetes.protobuf`) into
 * the plain JSON object kube-apiserver would have seen had the client sent JSON.
 *
 * Body: magic `k8s\0`, then runtime.Unknown {1 typeMeta {1 apiVersion, 2 kind}, 2 raw,
 * 3 contentEncoding, 4 contentType}; `raw` is the object in k8s.io/api generated.proto form.
 *
 * Go-JSON fidelity: value-type scalars that are zero are left out (the wire always carries
 * them, Go's `omitempty` drops them); pointer fields keep zeros (`replicas: 0`); struct
 * fields are always present (`status: {}`); empty lists and maps are absent; `bytes` become
 * base64; the zero Time is left out (Go prints null). Unknown field numbers are skipped,
 * as Go's generated Unmarshal does.
 */
import { BadRequestError } from '../errors.js';
import { messageSpec, rootMessage, type FieldSpec } from './schema.js';
import { SPECIALS, parseJson } from './special.js';
import { Reader, WireError, WireType } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = [0x6b, 0x38, 0x73, 0x00] as const;
/** Guards recursion through RawExtensions that embed protobuf objects. */
const MAX_EMBED_DEPTH = 8;

export interface DecodedProtobuf {
  apiVersion: string;
  kind: string;
  /** The object as Kubernetes JSON, `apiVersion` and `kind` included. */
  object: Record<string, unknown>;
}

type JsonObject = Record<string, unknown>;

/** True for `application/vnd.kubernetes.protobuf`, with or without parameters. */
export function isProtobufContentType(contentType: string): boolean {
  return contentType.split(';', 1)[0]!.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

/**
 * Decodes one protobuf-encoded object. Throws BadRequestError on a missing magic prefix,
 * truncated or malformed data, or a kind without a protobuf schema here.
 */
export function decodeProtobuf(body: Uint8Array): DecodedProtobuf {
  return decodeEnvelope(body, 0);
}

function decodeEnvelope(body: Uint8Array, embedDepth: number): DecodedProtobuf {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw new BadRequestError('protobuf body does not start with the Kubernetes magic bytes 6b 38 73 00');
  }
  let apiVersion = '', kind = '', contentEncoding = '', contentType = '';
  let raw: Uint8Array = new Uint8Array(0);
  try {
    const r = new Reader(body, MAGIC.length);
    while (!r.done) {
      const { field, wireType } = r.tag();
      if (wireType !== WireType.Bytes || field > 4) { r.skip(wireType); continue; }
      const b = r.bytes();
      if (field === 1) ({ apiVersion, kind } = typeMeta(b));
      else if (field === 2) raw = b;
      else if (field === 3) contentEncoding = utf8.decode(b);
      else contentType = utf8.decode(b);
    }
  } catch (e) {
    if (e instanceof WireError) throw new BadRequestError(`protobuf body: ${e.message} in the runtime.Unknown envelope`);
    throw e;
  }
  if (!apiVersion || !kind) throw new BadRequestError('protobuf body: the envelope names no apiVersion and kind');
  if (contentEncoding) throw new BadRequestError(`protobuf body: contentEncoding "${contentEncoding}" is not supported`);
  if (contentType && !isProtobufContentType(contentType)) {
    throw new BadRequestError(`protobuf body: embedded contentType "${contentType}" is not supported`);
  }
  const root = rootMessage(apiVersion, kind);
  if (!root) throw new BadRequestError(`protobuf body: no protobuf decoding for ${apiVersion}, Kind=${kind}; send JSON`);
  const object: JsonObject = { apiVersion, kind };
  decodeInto(object, root, raw, '', embedDepth);
  return { apiVersion, kind, object };
}

function typeMeta(b: Uint8Array): { apiVersion: string; kind: string } {
  const out = { apiVersion: '', kind: '' };
  const r = new Reader(b);
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (wireType !== WireType.Bytes || (field !== 1 && field !== 2)) { r.skip(wireType); continue; }
    out[field === 1 ? 'apiVersion' : 'kind'] = utf8.decode(r.bytes());
  }
  return out;
}

const utf8 = new TextDecoder();

/** Decodes message `name` from `body`, merging its fields into `target` (protobuf merge rules). */
function decodeInto(target: JsonObject, name: string, body: Uint8Array, path: string, embedDepth: number): void {
  const spec = messageSpec(name);
  if (!spec) throw new Error(`protobuf schema has no message ${name}`); // a generator bug, not bad input
  const r = new Reader(body);
  while (!r.done) {
    let fieldPath = path;
    try {
      const { field, wireType } = r.tag();
      const f = spec.get(field);
      if (!f) { r.skip(wireType); continue; }
      fieldPath = path ? `${path}.${f.name}` : f.name;
      readField(target, f, r, wireType, fieldPath, path, embedDepth);
    } catch (e) {
      if (e instanceof WireError) {
        throw new BadRequestError(`protobuf body: ${e.message} at ${fieldPath || name}`);
      }
      throw e;
    }
  }
}

function readField(target: JsonObject, f: FieldSpec, r: Reader, wireType: WireType, fieldPath: string,
  parentPath: string, embedDepth: number): void {
  if (f.shape === 'map') {
    const map = (isObject(target[f.name]) ? target[f.name] : (target[f.name] = {})) as JsonObject;
    const [key, value] = mapEntry(f, expectBytes(r, wireType, f), fieldPath, embedDepth);
    map[key] = value;
  } else if (f.shape === 'repeated') {
    const list = (Array.isArray(target[f.name]) ? target[f.name] : (target[f.name] = [])) as unknown[];
    if (!f.isMessage && wireType === WireType.Bytes && f.type !== 'string' && f.type !== 'bytes') {
      const packed = new Reader(r.bytes()); // packed repeated numbers
      while (!packed.done) list.push(scalar(f.type, packed, wireTypeOf(f.type), f));
    } else {
      list.push(value(f, r, wireType, `${fieldPath}[${list.length}]`, embedDepth, true));
    }
  } else if (f.inline) {
    decodeInto(target, f.type, expectBytes(r, wireType, f), parentPath, embedDepth);
  } else if (f.isMessage && messageSpec(f.type)) {
    // A struct field seen twice merges, as in Go; the first time it starts as {}.
    const obj = (isObject(target[f.name]) ? target[f.name] : {}) as JsonObject;
    decodeInto(obj, f.type, expectBytes(r, wireType, f), fieldPath, embedDepth);
    target[f.name] = obj;
  } else {
    const v = value(f, r, wireType, fieldPath, embedDepth, false);
    if (v === undefined) delete target[f.name];
    else target[f.name] = v;
  }
}

/** One value of field `f`; undefined when Go's JSON would leave it out. */
function value(f: FieldSpec, r: Reader, wireType: WireType, path: string, embedDepth: number, inList: boolean): unknown {
  if (!f.isMessage) {
    const v = scalar(f.type, r, wireType, f);
    if (!inList && !f.pointer && isZero(v)) return undefined;
    return v;
  }
  return messageValue(f.type, expectBytes(r, wireType, f), path, embedDepth, inList || f.pointer);
}

function messageValue(type: string, body: Uint8Array, path: string, embedDepth: number, keepZero: boolean): unknown {
  const special = SPECIALS.get(type);
  if (special) return special(body, keepZero);
  if (type === 'runtime.RawExtension') return rawExtension(body, embedDepth);
  const obj: JsonObject = {};
  decodeInto(obj, type, body, path, embedDepth);
  return obj;
}

/** A map entry message {1 key, 2 value}; a missing value is the type's zero value. */
function mapEntry(f: FieldSpec, body: Uint8Array, path: string, embedDepth: number): [string, unknown] {
  const r = new Reader(body);
  let key = '';
  let val: unknown;
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) key = utf8.decode(expectBytes(r, wireType, f));
    else if (field === 2) {
      val = f.isMessage
        ? messageValue(f.type, expectBytes(r, wireType, f), `${path}[${JSON.stringify(key)}]`, embedDepth, true)
        : scalar(f.type, r, wireType, f);
    } else r.skip(wireType);
  }
  if (val === undefined) {
    val = f.isMessage ? messageValue(f.type, new Uint8Array(0), path, embedDepth, true) : zeroOf(f.type);
  }
  return [key, val];
}

/** runtime.RawExtension {1 raw}: embedded JSON, or an embedded protobuf object. */
function rawExtension(body: Uint8Array, embedDepth: number): unknown {
  const r = new Reader(body);
  let raw: Uint8Array | undefined;
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1 && wireType === WireType.Bytes) raw = r.bytes();
    else r.skip(wireType);
  }
  if (!raw || raw.length === 0) return undefined;
  if (MAGIC.every((b, i) => raw[i] === b)) {
    if (embedDepth >= MAX_EMBED_DEPTH) throw new BadRequestError('protobuf body: objects embedded too deeply');
    return decodeEnvelope(raw, embedDepth + 1).object;
  }
  return parseJson(raw, 'RawExtension');
}

function scalar(type: string, r: Reader, wireType: WireType, f: FieldSpec): unknown {
  const want = wireTypeOf(type);
  if (wireType !== want) throw new WireError(`wire type ${wireType} for ${f.type} field ${f.name}, expected ${want}`, r.offset);
  switch (type) {
    case 'string': return utf8.decode(r.bytes());
    case 'bytes': return Buffer.from(r.bytes()).toString('base64');
    case 'bool': return r.varint() !== 0n;
    case 'int32': return Number(BigInt.asIntN(32, r.varint()));
    case 'int64': return Number(BigInt.asIntN(64, r.varint()));
    case 'uint32': return Number(BigInt.asUintN(32, r.varint()));
    case 'uint64': return Number(r.varint());
    case 'double': return r.fixed(8).getFloat64(0, true);
    case 'float': return r.fixed(4).getFloat32(0, true);
    default: throw new Error(`protobuf schema: unknown scalar type ${type}`);
  }
}

function wireTypeOf(type: string): WireType {
  if (type === 'double') return WireType.Fixed64;
  if (type === 'float') return WireType.Fixed32;
  if (type === 'string' || type === 'bytes') return WireType.Bytes;
  return WireType.Varint;
}

function expectBytes(r: Reader, wireType: WireType, f: FieldSpec): Uint8Array {
  if (wireType !== WireType.Bytes) {
    throw new WireError(`wire type ${wireType} for field ${f.name}, expected 2 (length-delimited)`, r.offset);
  }
  return r.bytes();
}

function zeroOf(type: string): unknown {
  if (type === 'string' || type === 'bytes') return '';
  return type === 'bool' ? false : 0;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
