/**
 * Node selection terms (pod.spec.nodeSelector and nodeAffinity), compiled once per pod:
 * terms are ORed, a term's expressions and fields ANDed; an empty term matches nothing.
 */
import type { Node, Pod, PreferredSchedulingTerm } from './types.js';
import { compileNodeSelectorTerm, type NodePredicate } from '../../api/selectors/index.js';

type Labels = Readonly<Record<string, string>>;
type Pred = NodePredicate;
const compileTerm = compileNodeSelectorTerm;

/** The pod's hard node constraints: nodeSelector AND required node affinity. */
export class RequiredNodeAffinity {
  readonly #selector: Array<[string, string]>;
  readonly #terms?: Pred[];

  constructor(pod: Pod) {
    this.#selector = Object.entries(pod.spec?.nodeSelector ?? {});
    const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (req) this.#terms = (req.nodeSelectorTerms ?? []).map(compileTerm);
  }

  /** True when the pod constrains nothing. */
  get empty(): boolean { return this.#selector.length === 0 && !this.#terms; }

  matches(node: Node): boolean {
    const labels = (node.metadata?.labels ?? {}) as Labels;
    for (const [k, v] of this.#selector) if (labels[k] !== v) return false;
    if (!this.#terms) return true;
    const name = node.metadata?.name ?? '';
    return this.#terms.some(t => t(labels, name));
  }
}

/** Preferred node-affinity terms with weights; a node scores the sum of matching weights. */
export class PreferredNodeAffinity {
  readonly #terms: Array<{ weight: number; pred: Pred }>;
  constructor(terms: readonly PreferredSchedulingTerm[]) {
    this.#terms = terms.filter(t => t.weight !== 0).map(t => ({ weight: t.weight, pred: compileTerm(t.preference) }));
  }
  get empty(): boolean { return this.#terms.length === 0; }
  score(node: Node): number {
    const labels = (node.metadata?.labels ?? {}) as Labels;
    const name = node.metadata?.name ?? '';
    let s = 0;
    for (const t of this.#terms) if (t.pred(labels, name)) s += t.weight;
    return s;
  }
}
