/**
 * Pod (anti-)affinity terms compiled once per pod: which pods a term selects (label
 * selector + namespaces/namespaceSelector) and the topology key that groups nodes.
 */
import { everything, labelSelectorFromObject, type LabelMatcher } from '../../api/selectors/index.js';
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from './types.js';

type Labels = Readonly<Record<string, string>>;

/** Looks up a namespace's labels (for namespaceSelector); undefined when unknown. */
export type NamespaceLabels = (namespace: string) => Labels | undefined;

export interface AffinityTerm {
  readonly topologyKey: string;
  readonly selector: LabelMatcher;
  readonly namespaces: ReadonlySet<string>;
  /** null: only `namespaces` count. */
  readonly nsSelector: LabelMatcher | null;
}

export interface WeightedAffinityTerm extends AffinityTerm { readonly weight: number }

export function compileTerm(t: PodAffinityTerm, pod: Pod): AffinityTerm {
  const ns = new Set(t.namespaces ?? []);
  let nsSelector: LabelMatcher | null = null;
  if (t.namespaceSelector) nsSelector = labelSelectorFromObject(t.namespaceSelector);
  // Neither given: the pod's own namespace.
  if (ns.size === 0 && !t.namespaceSelector) ns.add(pod.metadata?.namespace ?? 'default');
  let selector = t.labelSelector ? labelSelectorFromObject(t.labelSelector) : labelSelectorFromObject(null);
  // matchLabelKeys: the incoming pod's values for these keys join the selector.
  const extra = (t.matchLabelKeys ?? []).filter(k => pod.metadata?.labels?.[k] !== undefined);
  if (extra.length && t.labelSelector) {
    selector = labelSelectorFromObject({
      ...t.labelSelector,
      matchExpressions: [...(t.labelSelector.matchExpressions ?? []),
        ...extra.map(k => ({ key: k, operator: 'In', values: [pod.metadata!.labels![k]!] }))],
    });
  }
  return { topologyKey: t.topologyKey, selector, namespaces: ns, nsSelector };
}

export function compileWeighted(terms: readonly WeightedPodAffinityTerm[] | undefined, pod: Pod): WeightedAffinityTerm[] {
  return (terms ?? []).map(w => ({ ...compileTerm(w.podAffinityTerm, pod), weight: w.weight }));
}

/** Does `term` select `pod`? */
export function termMatches(term: AffinityTerm, pod: Pod, nsLabels: NamespaceLabels): boolean {
  const ns = pod.metadata?.namespace ?? 'default';
  if (!term.namespaces.has(ns)) {
    if (!term.nsSelector) return false;
    if (term.nsSelector !== everything() && !term.nsSelector.matches(nsLabels(ns))) return false;
  }
  return term.selector.matches(pod.metadata?.labels as Labels | undefined);
}
