/**
 * Decodes request bodies (JSON, YAML, Kubernetes protobuf) into objects, collecting
 * duplicate fields, and applies `fieldValidation` (Strict rejects, Warn warns, Ignore).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestError, KubelingError, UnsupportedMediaTypeError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { parseJsonStrict, parseYamlStrict, findUnknownFields, strictDecodingMessage, unknownFieldMessage, duplicateFieldMessage, checkTypes } from '../api/schema/index.js';
import { decodeProtobuf, isProtobufContentType } from '../api/protobuf/index.js';
import { addWarning, readBody } from './http-util.js';

export interface DecodedBody {
  value: unknown;
  duplicates: string[];
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw new BadRequestError(`fieldValidation parameter: unsupported value "${v}": must be one of Ignore, Warn, Strict`);
}

function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/** Deeper than this is refused (Go's JSON decoder stops at 10000; objects never come close). */
const MAX_DEPTH = 1000;

/** Whether `v` nests deeper than MAX_DEPTH (the walk stops there, so its own depth is bounded). */
function tooDeep(v: unknown, d = 0): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (d > MAX_DEPTH) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (tooDeep(v[i], d + 1)) return true;
    return false;
  }
  for (const k in v) if (tooDeep((v as Record<string, unknown>)[k], d + 1)) return true;
  return false;
}

export function decodeBytes(ct: string, buf: Buffer): DecodedBody {
  let d: DecodedBody;
  try {
    d = decodeAny(ct, buf);
  } catch (e) {
    if (e instanceof KubelingError) throw e;
    throw new BadRequestError(`the body of the request could not be decoded: ${(e as Error).message.split('\n')[0]}`);
  }
  if (tooDeep(d.value)) throw new BadRequestError(`the body of the request is nested deeper than ${MAX_DEPTH} levels`);
  return d;
}

function decodeAny(ct: string, buf: Buffer): DecodedBody {
  if (isProtobufContentType(ct)) {
    const { object } = decodeProtobuf(buf);
    return { value: object, duplicates: [] };
  }
  const text = buf.toString('utf8');
  if (ct === 'application/yaml' || ct === 'application/apply-patch+yaml' || ct === 'text/yaml' || ct === 'application/x-yaml') {
    return parseYamlStrict(text);
  }
  if (ct.endsWith('json') || ct === '' || ct === '*/*') return parseJsonStrict(text);
  throw new UnsupportedMediaTypeError(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}

/** Reads and decodes the body of a create/update request into an object. */
export async function readObject(req: IncomingMessage): Promise<DecodedBody> {
  const buf = await readBody(req);
  if (buf.length === 0) throw new BadRequestError('the body of the request is empty');
  const ct = mediaType(req);
  const d = decodeBytes(ct, buf);
  if (d.value === null || typeof d.value !== 'object' || Array.isArray(d.value)) {
    throw new BadRequestError('the body of the request must be an object');
  }
  return d;
}

/**
 * Applies fieldValidation: unknown fields come from the schema, duplicates from decoding.
 * Upstream words these `strict decoding error: unknown field "spec.x", duplicate field "y"`.
 * `stored`: the stored object a patch was applied to; the parts of `obj` that are still
 * its very objects (a patch result shares what the patch did not touch) were checked
 * when they were written and are skipped.
 */
export function checkFields(res: ServerResponse, mode: FieldValidation, obj: KubeObject, duplicates: string[], stored?: KubeObject): void {
  // Wrong JSON types fail decoding whatever the field validation mode.
  if (obj.apiVersion && obj.kind) checkTypes(String(obj.apiVersion), String(obj.kind), obj, stored);
  if (mode === 'Ignore') return;
  const unknown = obj.apiVersion && obj.kind ? findUnknownFields(obj.apiVersion, obj.kind, obj, stored) : [];
  const problems = [
    ...duplicates.map(duplicateFieldMessage),
    ...unknown.map(unknownFieldMessage),
  ];
  if (problems.length === 0) return;
  if (mode === 'Strict') throw new BadRequestError(strictDecodingMessage(String(obj.apiVersion), String(obj.kind), problems));
  for (const p of problems) addWarning(res, p);
}

export { mediaType };
