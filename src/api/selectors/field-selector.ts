/**
 * Field selectors (`?fieldSelector=metadata.name=x,spec.nodeName!=y`), as apimachinery's
 * fields.ParseSelector plus the apiserver's per-kind field label conversion. Values may
 * escape `\,`, `\=` and `\\`. Each term is bound to its getter once, at parse time.
 */
import { BadRequestError } from '../errors.js';
import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';
import { fieldTableFor, resolveField, type FieldGetter } from './field-labels.js';

export interface FieldRequirement {
  /** Canonical label, after aliases such as pods' `spec.host` → `spec.nodeName`. */
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldMatcher {
  /** Requirements, ANDed, in upstream's (sorted term) order. */
  readonly requirements: readonly FieldRequirement[];
  /** True when the selector restricts nothing. */
  readonly empty: boolean;
  matches(obj: KubeObject): boolean;
  /**
   * The single value an `=`/`==` term pins for `field` (e.g. `metadata.name`,
   * `metadata.namespace`, `spec.nodeName`), so a caller can narrow a store scan.
   */
  exact(field: string): string | undefined;
  /** Canonical form, as fields.Selector.String(). */
  toString(): string;
}

interface Term extends FieldRequirement { readonly get: FieldGetter }

/** Splits on unescaped commas, keeping escapes for unescapeValue. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') { terms.push(s.slice(start, i)); start = i + 1; }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator occurrence splits a term; "!=" and "==" win over "=" at the same spot. */
function splitTerm(term: string): [string, '=' | '==' | '!=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new BadRequestError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. its code point.
      throw new BadRequestError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new BadRequestError('invalid field selector: invalid escape sequence: \\');
  return out;
}

const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');

class TermsMatcher implements FieldMatcher {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  readonly #terms: readonly Term[];
  constructor(terms: readonly Term[]) {
    this.#terms = terms;
    this.requirements = terms.map(({ field, operator, value }) => ({ field, operator, value }));
    this.empty = terms.length === 0;
  }
  matches(obj: KubeObject): boolean {
    const terms = this.#terms;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i]!;
      if ((t.get(obj) === t.value) !== (t.operator === '=')) return false;
    }
    return true;
  }
  exact(field: string): string | undefined {
    return this.#terms.find(t => t.field === field && t.operator === '=')?.value;
  }
  toString(): string {
    return this.#terms.map(t => `${t.field}${t.operator}${escapeValue(t.value)}`).join(',');
  }
}

/**
 * Parses a field selector for one resource. Throws BadRequestError with upstream's
 * message for bad syntax or a field the resource does not support. "" matches everything.
 */
export function parseFieldSelector(resource: Pick<ResourceInfo, 'group' | 'plural'>, s: string): FieldMatcher {
  const parts = splitTerms(s).sort();
  const table = fieldTableFor(resource);
  const terms: Term[] = [];
  // Upstream parses every term first, then converts labels; keep that error order.
  const parsed: Array<[string, '=' | '!=', string]> = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw new BadRequestError(`invalid selector: '${s}'; can't understand '${part}'`);
    const [lhs, op, rhs] = split;
    parsed.push([lhs, op === '!=' ? '!=' : '=', unescapeValue(rhs)]);
  }
  for (const [label, operator, value] of parsed) {
    const f = resolveField(table, label);
    if (!f) throw new BadRequestError(table.unsupported(label));
    terms.push({ field: f.field, operator, value, get: f.get });
  }
  return new TermsMatcher(terms);
}
