/**
 * Node selection terms (pod.spec.nodeSelector and nodeAffinity), compiled once per pod:
 * terms are ORed, a term's expressions and fields ANDed; an empty term matches nothing.
 */
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from './types.js';

type Labels = Readonly<Record<string, string>>;
type Pred = (labels: Labels, name: string) => boolean;

function requirement(r: NodeSelectorRequirement, field: boolean): Pred {
  const get = field ? (_l: Labels, name: string) => (r.key === 'metadata.name' ? name : undefined) : (l: Labels) => l[r.key];
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In': return (l, n) => { const v = get(l, n); return v !== undefined && vals.includes(v); };
    case 'NotIn': return (l, n) => { const v = get(l, n); return v === undefined || !vals.includes(v); };
    case 'Exists': return (l, n) => get(l, n) !== undefined;
    case 'DoesNotExist': return (l, n) => get(l, n) === undefined;
    case 'Gt':
    case 'Lt': {
      const bound = Number(vals[0]);
      if (vals.length !== 1 || !Number.isInteger(bound)) return () => false;
      return (l, n) => {
        const v = get(l, n);
        if (v === undefined || !/^-?\d+$/.test(v)) return false;
        return r.operator === 'Gt' ? Number(v) > bound : Number(v) < bound;
      };
    }
    default: return () => false;
  }
}

function compileTerm(t: NodeSelectorTerm): Pred {
  const preds = [
    ...(t.matchExpressions ?? []).map(r => requirement(r, false)),
    ...(t.matchFields ?? []).map(r => requirement(r, true)),
  ];
  if (preds.length === 0) return () => false;
  return (l, n) => preds.every(p => p(l, n));
}

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
