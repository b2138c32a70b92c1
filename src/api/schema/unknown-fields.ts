/**
 * Server-side field validation: fields an object carries that its schema does not know.
 * Mirrors what kube-apiserver's strict decoder reports (unknown keys, case-sensitive; maps and
 * opaque fields such as RawExtension are not checked; an unknown field's content is not
 * descended into).
 */
import { kindSchema, objectSchema, type FieldType } from './types.js';
import type { StrictParseResult } from './json-strict.js';

/**
 * Paths of unknown fields in `obj`, in document order, like `.spec.containers[0].imagee`.
 * Returns [] for kinds without a schema (nothing to check against). `known`: an object
 * checked before (the stored one a patch was applied to); the parts `obj` shares with it
 * (the same objects, at the same places) are not walked: what the writer did not touch is
 * not the writer's to answer for (upstream never even stores unknown fields).
 */
export function findUnknownFields(apiVersion: string, kind: string, obj: unknown, known?: unknown): string[] {
  const root = kindSchema(apiVersion, kind);
  const out: string[] = [];
  if (root) walkUnknown(obj, { kind: 'object', name: root.name }, [], out, known);
  return out;
}

/**
 * walk without a report, for every write's body: the path is a stack of its parts (`.k`,
 * `[i]`), joined only for an unknown field, instead of a string built for every field.
 */
function walkUnknown(v: unknown, t: FieldType, path: string[], out: string[], known: unknown): void {
  if (v === null || typeof v !== 'object' || v === known) return;
  switch (t.kind) {
    case 'list':
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const item: unknown = v[i];
          if (item === null || typeof item !== 'object') continue;
          path.push(`[${i}]`);
          walkUnknown(item, t.items, path, out, knownAt(known, i));
          path.pop();
        }
      }
      return;
    case 'map':
      if (!Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        for (const k in o) {
          const item = o[k];
          if (item === null || typeof item !== 'object') continue;
          path.push('.' + k);
          walkUnknown(item, t.values, path, out, knownAt(known, k));
          path.pop();
        }
      }
      return;
    case 'object': {
      const schema = objectSchema(t.name);
      if (!schema || Array.isArray(v)) return;
      const o = v as Record<string, unknown>;
      for (const k in o) {
        const field = schema.fields.get(k);
        if (!field) { out.push(path.join('') + '.' + k); continue; }
        const item = o[k];
        if (item === null || typeof item !== 'object') continue;
        path.push('.' + k);
        walkUnknown(item, field.type, path, out, knownAt(known, k));
        path.pop();
      }
    }
  }
}

/**
 * Everything strict field validation reports for a parsed body, in upstream's wording and
 * order. JSON: `unknown field "spec.x"` and `duplicate field "metadata.name"` interleaved in
 * document order, a field both unknown and repeated reported once, as unknown. YAML: the
 * repeated keys first (`line 4: key "name" already set in map`), then the unknown fields.
 */
export function fieldProblems(apiVersion: string, kind: string, parsed: StrictParseResult): string[] {
  const root = kindSchema(apiVersion, kind);
  const top: FieldType | undefined = root && { kind: 'object', name: root.name };
  if (parsed.format === 'yaml') {
    const out = [...parsed.duplicateMessages];
    if (top) walk(parsed.value, top, '', out, { dups: new Set(), messages: true });
    return out;
  }
  const report = { dups: new Set(parsed.duplicates), messages: true };
  const out: string[] = [];
  if (top) walk(parsed.value, top, '', out, report);
  for (const d of report.dups) out.push(duplicateFieldMessage(d)); // inside opaque fields
  return out;
}

/**
 * Upstream's BadRequest message under fieldValidation=Strict, e.g. `Pod in version "v1" cannot
 * be handled as a Pod: strict decoding error: unknown field "spec.x"`.
 */
export function strictDecodingMessage(apiVersion: string, kind: string, problems: readonly string[]): string {
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  return `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${problems.join(', ')}`;
}

export function unknownFieldMessage(path: string): string {
  return `unknown field "${path.startsWith('.') ? path.slice(1) : path}"`;
}

export function duplicateFieldMessage(path: string): string {
  return `duplicate field "${path.startsWith('.') ? path.slice(1) : path}"`;
}

interface Report { dups: Set<string>; messages: boolean }

/** `known[k]`, or undefined when `known` is not an object (or array) holding `k`. */
function knownAt(known: unknown, k: string | number): unknown {
  return known !== null && typeof known === 'object' ? (known as Record<string | number, unknown>)[k] : undefined;
}

function walk(v: unknown, t: FieldType, path: string, out: string[], report: Report | undefined, known?: unknown): void {
  if (v === null || typeof v !== 'object' || v === known) return;
  switch (t.kind) {
    case 'scalar':
    case 'opaque':
      return;
    case 'list':
      if (Array.isArray(v)) v.forEach((item, i) => walk(item, t.items, `${path}[${i}]`, out, report, knownAt(known, i)));
      return;
    case 'map':
      if (!Array.isArray(v)) {
        for (const [k, item] of Object.entries(v)) {
          walk(item, t.values, `${path}.${k}`, out, report, knownAt(known, k));
          noteDuplicate(`${path}.${k}`, out, report);
        }
      }
      return;
    case 'object': {
      const schema = objectSchema(t.name);
      if (!schema || Array.isArray(v)) return;
      for (const [k, item] of Object.entries(v)) {
        const p = `${path}.${k}`;
        const field = schema.fields.get(k);
        if (!field) {
          out.push(report ? unknownFieldMessage(p) : p);
          if (report) forgetUnder(report.dups, p);
          continue;
        }
        walk(item, field.type, p, out, report, knownAt(known, k));
        noteDuplicate(p, out, report);
      }
    }
  }
}

// Upstream reports a repeated key where its second copy is read: after the first one's content.
function noteDuplicate(p: string, out: string[], report: Report | undefined): void {
  if (report?.dups.delete(p)) out.push(duplicateFieldMessage(p));
}

function forgetUnder(dups: Set<string>, p: string): void {
  for (const d of dups) if (d === p || d.startsWith(p + '.') || d.startsWith(p + '[')) dups.delete(d);
}
