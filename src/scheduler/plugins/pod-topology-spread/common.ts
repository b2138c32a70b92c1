/** PodTopologySpread constraints compiled once per pod, and which nodes count for them. */
import { labelSelectorFromObject, type LabelMatcher } from '../../../api/selectors/index.js';
import type { NodeInfo, PodInfo } from '../../framework/node-info.js';
import type { RequiredNodeAffinity } from '../../framework/node-selector.js';
import { firstUntolerated } from '../../framework/taints.js';
import type { Pod } from '../../framework/types.js';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  hard: boolean;
  selector: LabelMatcher;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

export function constraintsOf(pod: Pod, hard: boolean): Constraint[] {
  const out: Constraint[] = [];
  for (const c of pod.spec?.topologySpreadConstraints ?? []) {
    if ((c.whenUnsatisfiable === 'DoNotSchedule') !== hard) continue;
    const sel = c.labelSelector ? { ...c.labelSelector } : null;
    // matchLabelKeys: the pod's own values for these keys narrow the selector.
    const keys = (c.matchLabelKeys ?? []).filter(k => pod.metadata?.labels?.[k] !== undefined);
    if (sel && keys.length) {
      sel.matchExpressions = [...(sel.matchExpressions ?? []), ...keys.map(k => ({ key: k, operator: 'In', values: [pod.metadata!.labels![k]!] }))];
    }
    let selector: LabelMatcher;
    try { selector = labelSelectorFromObject(sel); } catch { selector = labelSelectorFromObject(null); }
    out.push({
      maxSkew: c.maxSkew, topologyKey: c.topologyKey, hard, selector, minDomains: c.minDomains ?? 1,
      honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor', honorTaints: c.nodeTaintsPolicy === 'Honor',
    });
  }
  return out;
}

/** Does this node take part in spreading (has every key, passes the inclusion policies)? */
export function nodeCounts(node: NodeInfo, cs: readonly Constraint[], pod: Pod, affinity: RequiredNodeAffinity): boolean {
  if (!node.node) return false;
  for (const c of cs) if (node.labels[c.topologyKey] === undefined) return false;
  if (cs.some(c => c.honorAffinity) && !affinity.matches(node.node)) return false;
  if (cs.some(c => c.honorTaints) && firstUntolerated(node.node.spec?.taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute'])) return false;
  return true;
}

/** Pods on `node` in the pod's namespace that `c` selects (terminating pods do not count). */
export function countMatching(node: NodeInfo, c: Constraint, namespace: string): number {
  let n = 0;
  for (const p of node.pods) if (podCounts(p, c, namespace)) n++;
  return n;
}

export function podCounts(p: PodInfo, c: Constraint, namespace: string): boolean {
  const m = p.pod.metadata;
  return (m?.namespace ?? 'default') === namespace && !m?.deletionTimestamp && c.selector.matches(m?.labels);
}

export const pairKey = (k: string, v: string): string => `${k}\u0000${v}`;
