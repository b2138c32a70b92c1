/**
 * JSON patch (RFC 6902, `application/json-patch+json`).
 *
 * Errors follow kube-apiserver (handlers/patch.go): a body that is not a list of
 * operations is 400 BadRequest; an operation that cannot be applied (missing path,
 * failed test, bad index, unknown op) is 422 Invalid with the generic message
 * "the server rejected our request due to an error in our request" and empty details;
 * the specific reason rides along as the error's `cause`. More than 10000 operations
 * is 413.
 */
import { BadRequestError, InvalidError, RequestEntityTooLargeError } from '../errors.js';
import { clone, deepEqual, isObject, type Json, type JsonObject } from './json.js';

const MAX_OPERATIONS = 10000;

interface Operation { op: string; path: string; from?: string; value?: Json; hasValue: boolean }

class PatchFailure extends Error {}

/** Applies an RFC 6902 patch to a copy of `doc`. */
export function jsonPatch(doc: JsonObject, patch: unknown): JsonObject {
  const ops = decode(patch);
  let out: Json = clone(doc);
  try {
    for (const op of ops) out = applyOp(out, op);
  } catch (e) {
    if (!(e instanceof PatchFailure)) throw e;
    throw rejected(e.message);
  }
  if (!isObject(out)) throw rejected('patched document is not an object');
  return out;
}

function rejected(reason: string): InvalidError {
  return new InvalidError('the server rejected our request due to an error in our request', {}, { cause: new Error(reason) });
}

function decode(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) {
    throw new BadRequestError(`json: cannot unmarshal ${goKind(patch)} into Go value of type jsonpatch.Patch`);
  }
  if (patch.length > MAX_OPERATIONS) {
    throw new RequestEntityTooLargeError(
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${patch.length}`);
  }
  return patch.map(p => {
    if (!isObject(p)) throw new BadRequestError(`json: cannot unmarshal ${goKind(p)} into Go value of type jsonpatch.Operation`);
    return {
      op: typeof p.op === 'string' ? p.op : 'unknown',
      path: typeof p.path === 'string' ? p.path : '',
      from: typeof p.from === 'string' ? p.from : undefined,
      value: p.value,
      hasValue: Object.prototype.hasOwnProperty.call(p, 'value'),
    };
  });
}

function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Splits a JSON pointer into unescaped tokens (`~1` is `/`, `~0` is `~`). */
export function parsePointer(ptr: string): string[] {
  if (ptr === '') return [];
  if (!ptr.startsWith('/')) throw new PatchFailure(`JSON pointer must be empty or start with a "/": ${ptr}`);
  return ptr.slice(1).split('/').map(t => {
    if (/~[^01]|~$/.test(t)) throw new PatchFailure(`invalid JSON pointer escape in ${ptr}`);
    return t.replace(/~1/g, '/').replace(/~0/g, '~');
  });
}

function applyOp(doc: Json, op: Operation): Json {
  switch (op.op) {
    case 'add': return add(doc, op.path, needValue(op));
    case 'remove': return remove(doc, op.path).doc;
    case 'replace': return replace(doc, op.path, needValue(op));
    case 'move': {
      const from = needFrom(op);
      if (op.path !== from && (op.path + '/').startsWith(from + '/')) {
        throw new PatchFailure(`move operation cannot move ${from} into its own child ${op.path}`);
      }
      const r = remove(doc, from);
      return add(r.doc, op.path, r.value);
    }
    case 'copy': return add(doc, op.path, clone(get(doc, needFrom(op), 'copy')));
    case 'test': {
      const v = needValue(op);
      if (!deepEqual(get(doc, op.path, 'test'), v)) throw new PatchFailure(`testing value ${op.path} failed: test failed`);
      return doc;
    }
    default: throw new PatchFailure(`Unexpected kind: ${op.op}`);
  }
}

function needValue(op: Operation): Json {
  if (!op.hasValue) throw new PatchFailure(`${op.op} operation has no value`);
  return clone(op.value as Json);
}

function needFrom(op: Operation): string {
  if (op.from === undefined) throw new PatchFailure(`${op.op} operation has no from`);
  return op.from;
}

/** Array index per RFC 6901: digits without leading zeros; `-` is past the end. */
function index(tok: string, len: number, forAdd: boolean): number {
  if (forAdd && tok === '-') return len;
  if (!/^(0|[1-9][0-9]*)$/.test(tok)) throw new PatchFailure(`invalid array index ${JSON.stringify(tok)}`);
  const i = Number(tok);
  if (i > len || (!forAdd && i === len)) throw new PatchFailure(`Unable to access invalid index: ${i}`);
  return i;
}

/** The container holding the pointer's last token. */
function parentOf(doc: Json, tokens: string[], opName: string, ptr: string): Json {
  let cur: Json = doc;
  for (const tok of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[index(tok, cur.length, false)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, tok)) cur = cur[tok];
    else throw new PatchFailure(`${opName} operation does not apply: doc is missing path: "${ptr}"`);
  }
  return cur;
}

function get(doc: Json, ptr: string, opName: string): Json {
  const tokens = parsePointer(ptr);
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens, opName, ptr);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent[index(last, parent.length, false)];
  if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) return parent[last];
  throw new PatchFailure(`${opName} operation does not apply: doc is missing key: "${ptr}"`);
}

function add(doc: Json, ptr: string, value: Json): Json {
  const tokens = parsePointer(ptr);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, 'add', ptr);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(index(last, parent.length, true), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw new PatchFailure(`add operation does not apply: doc is missing path: "${ptr}"`);
  return doc;
}

/** Replaces in place, so an object's key keeps its position. */
function replace(doc: Json, ptr: string, value: Json): Json {
  const tokens = parsePointer(ptr);
  if (tokens.length === 0) return value;
  get(doc, ptr, 'replace');
  const parent = parentOf(doc, tokens, 'replace', ptr) as JsonObject | Json[];
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent[index(last, parent.length, false)] = value;
  else parent[last] = value;
  return doc;
}

function remove(doc: Json, ptr: string): { doc: Json; value: Json } {
  const tokens = parsePointer(ptr);
  if (tokens.length === 0) return { doc: null, value: doc };
  const parent = parentOf(doc, tokens, 'remove', ptr);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const [value] = parent.splice(index(last, parent.length, false), 1);
    return { doc, value };
  }
  if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
    const value = parent[last];
    delete parent[last];
    return { doc, value };
  }
  throw new PatchFailure(`Unable to remove nonexistent key: ${last}: missing value`);
}
