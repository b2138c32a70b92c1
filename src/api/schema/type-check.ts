/**
 * Decode-time type checking, as Go's JSON decoder does it in kube-apiserver: a value of
 * the wrong JSON type is a 400 (`json: cannot unmarshal number into Go struct field
 * Container.spec.containers.name of type string`), and nulls become the zero value
 * (dropped fields, `{}` list items), so later stages only ever see well-typed objects.
 */
import { BadRequestError } from '../errors.js';
import { kindSchema, objectSchema, type FieldType } from './types.js';

const GO_TYPE = { s: 'string', i: 'int32', n: 'float64', b: 'bool' } as const;

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

class TypeMismatch extends Error {
  constructor(readonly got: string, readonly owner: string, readonly path: string, readonly want: string) { super('type'); }
}

function zero(t: FieldType): unknown {
  if (t.kind === 'object' || t.kind === 'map') return {};
  if (t.kind === 'list') return [];
  if (t.kind === 'scalar') return t.json === 's' ? '' : t.json === 'b' ? false : t.json ? 0 : '';
  return null;
}

/** `known[k]`, or undefined when `known` is not an object (or array) holding `k`. */
function knownAt(known: unknown, k: string | number): unknown {
  return known !== null && typeof known === 'object' ? (known as Record<string | number, unknown>)[k] : undefined;
}

/**
 * The struct fields from the root to the value being checked, and the struct type each
 * was read in: Go's error names the last struct type and the field path. Kept as stacks
 * (every write's body is checked) and only joined into words when a check fails.
 */
interface Trail { fields: string[]; owners: string[] }

function mismatch(trail: Trail, v: unknown, want: string): TypeMismatch {
  const owner = trail.owners[trail.owners.length - 1];
  return new TypeMismatch(jsonType(v), owner.slice(owner.lastIndexOf('.') + 1), trail.fields.join('.'), want);
}

/** `known`: a checked value `v` came from; a part of `v` that is the same object as known's part at its place is not walked again. */
function check(v: unknown, t: FieldType, trail: Trail, known?: unknown): void {
  if (known !== undefined && v === known && typeof v === 'object' && v !== null) return;
  switch (t.kind) {
    case 'opaque': return;
    case 'scalar': {
      const ok = t.json === 's' ? typeof v === 'string'
        : t.json === 'b' ? typeof v === 'boolean'
          : t.json === 'i' ? typeof v === 'number' && Number.isInteger(v)
            : t.json === 'n' ? typeof v === 'number'
              : typeof v === 'string' || typeof v === 'number';
      if (!ok) throw mismatch(trail, v, t.json ? GO_TYPE[t.json] : 'string');
      return;
    }
    case 'list': {
      if (!Array.isArray(v)) throw mismatch(trail, v, 'array');
      for (let i = 0; i < v.length; i++) {
        if (v[i] === null) v[i] = zero(t.items);
        check(v[i], t.items, trail, knownAt(known, i));
      }
      return;
    }
    case 'map': {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw mismatch(trail, v, 'map');
      const o = v as Record<string, unknown>;
      for (const k in o) {
        if (o[k] === null) o[k] = zero(t.values);
        check(o[k], t.values, trail, knownAt(known, k));
      }
      return;
    }
    case 'object': {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw mismatch(trail, v, t.name.slice(t.name.lastIndexOf('.') + 1));
      const schema = objectSchema(t.name);
      if (!schema) return;
      const o = v as Record<string, unknown>;
      trail.owners.push(t.name);
      for (const k in o) {
        const f = schema.fields.get(k);
        if (!f) continue; // unknown fields are field validation's business
        if (o[k] === null) { delete o[k]; continue; }
        trail.fields.push(k);
        check(o[k], f.type, trail, knownAt(known, k));
        trail.fields.pop();
      }
      trail.owners.pop();
    }
  }
}

/**
 * Checks `obj` against its kind's schema, normalising nulls in place. Throws a
 * BadRequestError worded like kube-apiserver's decoding errors. Kinds without a schema pass.
 * `known`: an object checked before (the stored one a patch was applied to); the parts
 * `obj` shares with it (the same objects, at the same places) are neither checked nor changed.
 */
export function checkTypes(apiVersion: string, kind: string, obj: unknown, known?: unknown): void {
  const root = kindSchema(apiVersion, kind);
  if (!root) return;
  try {
    check(obj, { kind: 'object', name: root.name }, { fields: [], owners: [kind] }, known);
  } catch (e) {
    if (!(e instanceof TypeMismatch)) throw e;
    const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
    throw new BadRequestError(`${kind} in version "${version}" cannot be handled as a ${kind}: json: cannot unmarshal ${e.got} into Go struct field ${e.owner}.${e.path} of type ${e.want}`);
  }
}
