/**
 * Label selectors: the string form (`?labelSelector=`) and metav1.LabelSelector objects
 * (controllers) both become one LabelMatcher. Matching runs per object per watch event,
 * so each requirement is compiled once into a closure.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { BadRequestError } from '../errors.js';
import { aggregate, goQuote } from './go-format.js';
import { parseRequirements } from './label-parser.js';
import {
  compileRequirement, requirementErrors, requirementString,
  type LabelOperator, type LabelRequirement, type Labels,
} from './requirement.js';

export interface LabelMatcher {
  /** Requirements, ANDed, sorted by key. Empty for both "everything" and "nothing". */
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector restricts nothing (it matches every object). */
  readonly empty: boolean;
  /** True only for the selector that matches no object (a nil metav1.LabelSelector). */
  readonly nothing: boolean;
  matches(labels: Labels | undefined): boolean;
  /** The single value the selector requires for `key` (`key=v`, `key==v`, `key in (v)`). */
  exact(key: string): string | undefined;
  /** Canonical form, as labels.Selector.String(). */
  toString(): string;
}

const NO_LABELS: Labels = Object.freeze({});

class RequirementsMatcher implements LabelMatcher {
  readonly requirements: readonly LabelRequirement[];
  readonly empty: boolean;
  readonly nothing = false;
  readonly #preds: ReadonlyArray<(l: Labels) => boolean>;
  constructor(reqs: readonly LabelRequirement[]) {
    this.requirements = reqs;
    this.empty = reqs.length === 0;
    this.#preds = reqs.map(compileRequirement);
  }
  matches(labels: Labels | undefined): boolean {
    const l = labels ?? NO_LABELS;
    const preds = this.#preds;
    for (let i = 0; i < preds.length; i++) if (!preds[i]!(l)) return false;
    return true;
  }
  exact(key: string): string | undefined {
    const r = this.requirements.find(x => x.key === key);
    if (!r) return undefined;
    return (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1 ? r.values[0] : undefined;
  }
  toString(): string { return this.requirements.map(requirementString).join(','); }
}

const NOTHING: LabelMatcher = Object.freeze({
  requirements: [], empty: false, nothing: true,
  matches: () => false, exact: () => undefined, toString: () => '',
});
const EVERYTHING: LabelMatcher = new RequirementsMatcher([]);

/** Matches every object. */
export function everything(): LabelMatcher { return EVERYTHING; }
/** Matches no object. */
export function nothing(): LabelMatcher { return NOTHING; }

/**
 * Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h,i>3`. Throws BadRequestError with
 * upstream's message (e.g. `unable to parse requirement: ...`). "" matches everything.
 */
export function parseLabelSelector(s: string): LabelMatcher {
  const reqs = parseRequirements(s);
  if (typeof reqs === 'string') throw new BadRequestError(reqs);
  return reqs.length ? new RequirementsMatcher(reqs) : EVERYTHING;
}

const OBJECT_OPERATORS: Readonly<Record<string, LabelOperator>> = {
  In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!',
};

/**
 * metav1.LabelSelectorAsSelector: null/undefined matches nothing, {} matches everything,
 * matchLabels are `k=v` requirements. Invalid selectors throw BadRequestError.
 */
export function labelSelectorFromObject(sel: LabelSelector | null | undefined): LabelMatcher {
  if (sel == null) return NOTHING;
  const ml = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  const keys = Object.keys(ml);
  if (keys.length === 0 && exprs.length === 0) return EVERYTHING;
  const reqs: LabelRequirement[] = [];
  const add = (key: string, op: LabelOperator, values: readonly string[] | undefined) => {
    const errs = requirementErrors(key, op, values);
    if (errs.length) throw new BadRequestError(aggregate(errs));
    reqs.push({ key, operator: op, values: values ?? [] });
  };
  for (const k of keys) add(k, '=', [ml[k]!]);
  for (const e of exprs) {
    const op = OBJECT_OPERATORS[e.operator];
    if (!op) throw new BadRequestError(`${goQuote(e.operator)} is not a valid label selector operator`);
    add(e.key, op, e.values);
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return new RequirementsMatcher(reqs);
}

/** A matcher requiring exactly this set of labels (labels.SelectorFromSet); {} matches everything. */
export function selectorFromSet(set: Labels | undefined): LabelMatcher {
  const keys = Object.keys(set ?? {}).sort();
  if (keys.length === 0) return EVERYTHING;
  return new RequirementsMatcher(keys.map(k => ({ key: k, operator: '=' as const, values: [set![k]!] })));
}

/** metav1.FormatLabelSelector: `<none>` for an empty or nil selector, `<error>` if invalid. */
export function formatLabelSelector(sel: LabelSelector | null | undefined): string {
  try {
    return labelSelectorFromObject(sel).toString() || '<none>';
  } catch {
    return '<error>';
  }
}

/** labels.FormatLabels: sorted `k=v` pairs, or `<none>`. */
export function formatLabels(labels: Labels | undefined): string {
  if (!labels) return '<none>';
  const s = Object.keys(labels).map(k => `${k}=${labels[k]}`).sort().join(',');
  return s || '<none>';
}
