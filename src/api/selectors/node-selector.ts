/**
 * Node selector terms (nodeAffinity, PersistentVolume nodeAffinity): terms are ORed, a term's
 * matchExpressions (labels) and matchFields (only metadata.name) ANDed; an empty term matches
 * nothing. Compiled once, then matched per node — the scheduler, the DaemonSet controller and
 * volume binding all use this one reading.
 */
type Labels = Readonly<Record<string, string>>;
export type NodePredicate = (labels: Labels, name: string) => boolean;

export interface NodeSelectorRequirementLike { key: string; operator: string; values?: readonly string[] }
export interface NodeSelectorTermLike {
  matchExpressions?: readonly NodeSelectorRequirementLike[];
  matchFields?: readonly NodeSelectorRequirementLike[];
}

function requirement(r: NodeSelectorRequirementLike, field: boolean): NodePredicate {
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

export function compileNodeSelectorTerm(t: NodeSelectorTermLike): NodePredicate {
  const preds = [
    ...(t.matchExpressions ?? []).map(r => requirement(r, false)),
    ...(t.matchFields ?? []).map(r => requirement(r, true)),
  ];
  if (preds.length === 0) return () => false;
  return (l, n) => preds.every(p => p(l, n));
}

interface NodeLike { metadata?: { name?: string; labels?: Record<string, string> } }

/** One-off match of ORed terms against a node (compile the terms when matching many nodes). */
export function nodeSelectorTermsMatch(terms: readonly NodeSelectorTermLike[], node: NodeLike): boolean {
  const labels = node.metadata?.labels ?? {}, name = node.metadata?.name ?? '';
  return terms.some(t => compileNodeSelectorTerm(t)(labels, name));
}
