// Turns client-node models (structure) + kubernetes-types declarations (descriptions) into
// upstream-shaped OpenAPI v3 component schemas named like upstream (io.k8s.api.core.v1.Pod),
// plus a compact field table the API server's field validation loads at run time.
import { join } from 'node:path';
import { readTsDecls } from './sources.mjs';
import {
  META, QUANTITY, INT_OR_STRING, RAW_EXTENSION, TIME, MICRO_TIME, FIELDS_V1,
  SPECIAL_TYPES, OPAQUE_TYPES, SCALAR_TYPES, fieldFacts, atomicStructs,
} from './facts.mjs';

const cap = s => s.charAt(0).toUpperCase() + s.slice(1);

/** The kubernetes-types file and upstream package of an API group-version. */
export function packageOf(group, version) {
  if (group === 'meta') return { tsFile: 'meta/v1', pkg: META, cnPrefix: 'V1' };
  const dir = group ? group.split('.')[0] : 'core';
  return { tsFile: `${dir}/${version}`, pkg: `io.k8s.api.${dir}.${version}`, cnPrefix: cap(dir) + cap(version) };
}

const REF = name => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });

/**
 * Knows every type reachable from the roots it is asked about. `packages` are
 * {group, version} pairs whose kubernetes-types declarations name client-node models.
 */
export class SchemaBuilder {
  /** @param {Map<string, import('./sources.mjs').Model>} models */
  constructor(models, typesDir, packages) {
    this.models = models;
    this.typesDir = typesDir;
    this.byModel = new Map(); // client-node name -> { upstream, decl }
    this.upstreamToModel = new Map();
    this.facts = fieldFacts();
    this.atomic = atomicStructs();
    this.tsFiles = new Map();
    for (const { group, version } of packages) this.#index(group, version);
  }

  #decls(tsFile) {
    if (!this.tsFiles.has(tsFile)) this.tsFiles.set(tsFile, readTsDecls(join(this.typesDir, tsFile + '.d.ts')));
    return this.tsFiles.get(tsFile);
  }

  // Pairs each declaration with its client-node model: `CoreV1Event` when the name is
  // shared by several groups, else `V1Event`.
  #index(group, version) {
    const { tsFile, pkg, cnPrefix } = packageOf(group, version);
    for (const [name, decl] of this.#decls(tsFile)) {
      const candidates = [cnPrefix + name, cap(version) + name];
      const model = candidates.find(c => this.models.has(c) && !this.byModel.has(c));
      if (!model) continue;
      this.byModel.set(model, { upstream: `${pkg}.${name}`, decl });
      this.upstreamToModel.set(`${pkg}.${name}`, model);
    }
  }

  /** client-node model name for an upstream type name, if any. */
  modelFor(upstream) { return this.upstreamToModel.get(upstream); }

  // A model unknown to kubernetes-types 1.30 (newer than it) lives in its referrer's package.
  #upstreamName(model, referrerPkg) {
    const known = this.byModel.get(model);
    if (known) return known.upstream;
    const name = model.replace(/^[A-Z][a-z]*V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])|^V\d+(?:(?:alpha|beta)\d+)?/, '');
    const upstream = `${referrerPkg}.${name}`;
    this.byModel.set(model, { upstream, decl: undefined });
    this.upstreamToModel.set(upstream, model);
    return upstream;
  }

  /**
   * Builds the schemas of `roots` (upstream names) and everything they reference.
   * @returns {Map<string, object>} upstream name -> schema
   */
  closure(roots) {
    const out = new Map();
    const queue = [...roots];
    while (queue.length) {
      const name = queue.shift();
      if (out.has(name)) continue;
      const built = this.schema(name);
      out.set(name, built.schema);
      queue.push(...built.refs);
    }
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** One upstream type's schema and the names it references. */
  schema(name) {
    const special = SPECIAL_TYPES[name];
    if (special) {
      const description = special.description ?? this.#decls(special.doc[0]).get(special.doc[1])?.doc;
      return { schema: { description, ...special.schema }, refs: [] };
    }
    const modelName = this.modelFor(name);
    const model = modelName && this.models.get(modelName);
    if (!model) throw new Error(`no client-node model for ${name}`);
    const decl = this.byModel.get(modelName).decl;
    const pkg = name.slice(0, name.lastIndexOf('.'));
    const refs = new Set();
    const facts = this.facts.get(name);
    const properties = {};
    for (const a of model.attrs) {
      const field = decl?.fields.get(a.baseName);
      const prop = this.#type(a.type, a.format, field?.type ?? '', pkg, refs);
      const description = field?.doc || model.fieldDocs.get(a.baseName);
      properties[a.baseName] = { ...prop, ...(description ? { description } : {}), ...facts?.get(a.baseName) };
    }
    const schema = { description: decl?.doc || model.doc || undefined, type: 'object', properties };
    const required = model.attrs.filter(a => model.required.has(a.name)).map(a => a.baseName);
    if (required.length) schema.required = required;
    if (this.atomic.has(name)) schema['x-kubernetes-map-type'] = 'atomic';
    return { schema, refs: [...refs] };
  }

  // client-node type string (+ format, + the kubernetes-types spelling) -> schema.
  #type(t, format, tsType, pkg, refs) {
    const ref = n => { refs.add(n); return REF(n); };
    const arr = /^Array<(.+)>$/.exec(t);
    if (arr) return { type: 'array', items: this.#type(arr[1], format, elementTs(tsType), pkg, refs) };
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(t);
    if (map) return { type: 'object', additionalProperties: this.#type(map[1], format, valueTs(tsType), pkg, refs) };
    switch (t) {
      case 'string':
        if (tsType === 'Quantity') return ref(QUANTITY);
        return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
      case 'number':
        return format === 'int32' || format === 'int64' ? { type: 'integer', format } : { type: 'number', format: format || 'double' };
      case 'boolean': return { type: 'boolean' };
      case 'Date': case 'V1MicroTime': return ref(format === 'date-time-micro' ? MICRO_TIME : TIME);
      case 'IntOrString': return ref(INT_OR_STRING);
      case 'any':
        if (tsType === 'RawExtension') return ref(RAW_EXTENSION);
        if (tsType === 'FieldsV1') return ref(FIELDS_V1);
        return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      default:
        if (!this.models.has(t)) throw new Error(`unknown client-node type ${t}`);
        return ref(this.#upstreamName(t, pkg));
    }
  }
}

const elementTs = ts => /^Array<(.+)>$/.exec(ts)?.[1] ?? '';
const valueTs = ts => /^\{ \[\w+: string\]: (.+?);? \}$/.exec(ts)?.[1] ?? '';

/**
 * Compact form for field validation and patching: type -> { f: {field: code}, x?: {field: ext} }.
 * Codes: '.' scalar, '*' opaque JSON, '[' + code list, '{' + code map, else a type name.
 */
export function compactTypes(schemas) {
  const out = {};
  for (const [name, s] of schemas) {
    if (SPECIAL_TYPES[name]) continue;
    const f = {};
    const x = {};
    for (const [field, prop] of Object.entries(s.properties ?? {})) {
      f[field] = code(prop);
      const ext = {};
      for (const k of ['x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys']) {
        if (prop[k] !== undefined) ext[k.slice('x-kubernetes-'.length)] = prop[k];
      }
      if (Object.keys(ext).length) x[field] = ext;
    }
    out[name] = Object.keys(x).length ? { f, x } : { f };
  }
  return out;
}

function code(prop) {
  const ref = prop.allOf?.[0]?.$ref ?? prop.$ref;
  if (ref) {
    const name = ref.slice('#/components/schemas/'.length);
    if (OPAQUE_TYPES.has(name)) return '*';
    // Quantity and IntOrString take a string or a number; Time and the like are strings.
    if (SCALAR_TYPES.has(name)) return /IntOrString|Quantity/.test(name) ? '.' : '.s';
    return name;
  }
  if (prop['x-kubernetes-preserve-unknown-fields']) return '*';
  if (prop.type === 'array') return '[' + code(prop.items);
  if (prop.type === 'object' && prop.additionalProperties) return '{' + code(prop.additionalProperties);
  if (prop.type === 'object') return '*';
  // Scalar codes carry the JSON type so decoding can refuse a wrong one, as Go's does.
  return { string: '.s', integer: '.i', number: '.n', boolean: '.b' }[prop.type] ?? '.';
}

