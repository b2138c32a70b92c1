/**
 * One label requirement (key, operator, values) as labels.Requirement: validation with
 * upstream's messages, a compiled matcher, and the canonical string form.
 */
import { goQuote, invalidField } from './go-format.js';
import { labelKeyErrors, labelValueErrors } from './label-validation.js';

/** selection.Operator values, spelled as upstream. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

/** A labels map as found in metadata.labels. */
export type Labels = Readonly<Record<string, string>>;

const VALID_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!'];
const INT64 = /^[+-]?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), or undefined. */
function parseInt64(s: string): bigint | undefined {
  if (!INT64.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** The key path error from the parser, which has no field path (so upstream prints `<nil>`). */
export function keyError(key: string, path = '<nil>'): string | undefined {
  const errs = labelKeyErrors(key);
  return errs.length ? invalidField(path, key, errs.join('; ')) : undefined;
}

/** Everything labels.NewRequirement would reject, as field error strings (empty when valid). */
export function requirementErrors(key: string, op: string, values: readonly string[] | undefined): string[] {
  const errs: string[] = [];
  const k = keyError(key, 'key');
  if (k) errs.push(k);
  const n = values?.length ?? 0;
  switch (op) {
    case 'in': case 'notin':
      if (n === 0) errs.push(invalidField('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=': case '==': case '!=':
      if (n !== 1) errs.push(invalidField('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists': case '!':
      if (n !== 0) errs.push(invalidField('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt': case 'lt':
      if (n !== 1) errs.push(invalidField('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values?.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalidField(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(`operator: Unsupported value: ${goQuote(op)}: supported values: ${VALID_OPERATORS.map(goQuote).join(', ')}`);
  }
  values?.forEach((v, i) => {
    const ve = labelValueErrors(v);
    if (ve.length) errs.push(invalidField(`values[${i}][${key}]`, v, ve.join('; ')));
  });
  return errs;
}

/** Compiles a requirement into a predicate over a labels map (hot path: no allocation). */
export function compileRequirement(r: LabelRequirement): (labels: Labels) => boolean {
  const { key } = r;
  const vals = r.values;
  // Few values: a linear scan beats a Set; many: hash lookup.
  const has: (v: string) => boolean = vals.length > 4
    ? ((set: Set<string>) => (v: string) => set.has(v))(new Set(vals))
    : vals.length === 1 ? ((one: string) => (v: string) => v === one)(vals[0]!) : (v: string) => vals.includes(v);
  switch (r.operator) {
    case 'in': case '=': case '==':
      return l => { const v = l[key]; return typeof v === 'string' && has(v); };
    case 'notin': case '!=':
      return l => { const v = l[key]; return typeof v !== 'string' || !has(v); };
    case 'exists':
      return l => typeof l[key] === 'string';
    case '!':
      return l => typeof l[key] !== 'string';
    case 'gt': case 'lt': {
      const bound = vals.length === 1 ? parseInt64(vals[0]!) : undefined;
      if (bound === undefined) return () => false;
      const gt = r.operator === 'gt';
      return l => {
        const v = l[key];
        const n = typeof v === 'string' ? parseInt64(v) : undefined;
        return n !== undefined && (gt ? n > bound : n < bound);
      };
    }
  }
}

const OP_TEXT: Record<LabelOperator, string> = {
  '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<', exists: '', '!': '',
};

/** Requirement.String(): `!k`, `k`, `k=v`, `k in (a,b)` with values sorted. */
export function requirementString(r: LabelRequirement): string {
  if (r.operator === '!') return '!' + r.key;
  if (r.operator === 'exists') return r.key;
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  return r.operator === 'in' || r.operator === 'notin'
    ? `${r.key}${OP_TEXT[r.operator]}(${vals})`
    : `${r.key}${OP_TEXT[r.operator]}${vals}`;
}
