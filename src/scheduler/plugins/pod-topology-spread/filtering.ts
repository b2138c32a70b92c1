/**
 * PodTopologySpread Filter (DoNotSchedule): placing the pod must keep
 * (matching pods in the node's domain + self) - (global minimum) <= maxSkew.
 */
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeLister } from '../../framework/interface.js';
import type { NodeInfo, PodInfo } from '../../framework/node-info.js';
import { RequiredNodeAffinity } from '../../framework/node-selector.js';
import { SUCCESS, unresolvable, unschedulable, type Status } from '../../framework/status.js';
import { constraintsOf, countMatching, nodeCounts, pairKey, podCounts, type Constraint } from './common.js';

export const PRE_FILTER_KEY = 'PreFilterPodTopologySpread';
export const ERR_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_NODE_LABEL = ERR_CONSTRAINTS + ' (missing required label)';

export class FilterState {
  constructor(
    readonly constraints: Constraint[],
    readonly affinity: RequiredNodeAffinity,
    /** "key\0value" → matching pods in that domain (every eligible domain present, maybe 0). */
    readonly matchNum: Map<string, number>,
  ) {}

  clone(): FilterState { return new FilterState(this.constraints, this.affinity, new Map(this.matchNum)); }

  /** Smallest count among the key's domains, and how many domains there are. */
  min(key: string): { min: number; domains: number } {
    const prefix = key + '\u0000';
    let min = Infinity, domains = 0;
    for (const [k, v] of this.matchNum) {
      if (!k.startsWith(prefix)) continue;
      domains++;
      if (v < min) min = v;
    }
    return { min: domains ? min : 0, domains };
  }

  update(pod: PodInfo, other: PodInfo, node: NodeInfo, delta: number): void {
    if (!nodeCounts(node, this.constraints, pod.pod, this.affinity)) return;
    const ns = pod.pod.metadata?.namespace ?? 'default';
    for (const c of this.constraints) {
      if (!podCounts(other, c, ns)) continue;
      const k = pairKey(c.topologyKey, node.labels[c.topologyKey]!);
      this.matchNum.set(k, (this.matchNum.get(k) ?? 0) + delta);
    }
  }
}

export function computeFilterState(pod: PodInfo, nodes: NodeLister): FilterState | undefined {
  const cs = constraintsOf(pod.pod, true);
  if (cs.length === 0) return undefined;
  const affinity = new RequiredNodeAffinity(pod.pod);
  const ns = pod.pod.metadata?.namespace ?? 'default';
  const matchNum = new Map<string, number>();
  for (const node of nodes.list()) {
    if (!nodeCounts(node, cs, pod.pod, affinity)) continue;
    for (const c of cs) {
      const k = pairKey(c.topologyKey, node.labels[c.topologyKey]!);
      matchNum.set(k, (matchNum.get(k) ?? 0) + countMatching(node, c, ns));
    }
  }
  return new FilterState(cs, affinity, matchNum);
}

export function filterNode(st: FilterState, pod: PodInfo, node: NodeInfo): Status {
  const labels = pod.pod.metadata?.labels;
  for (const c of st.constraints) {
    const v = node.labels[c.topologyKey];
    if (v === undefined) return unresolvable(ERR_NODE_LABEL);
    const self = c.selector.matches(labels) ? 1 : 0;
    const { min, domains } = st.min(c.topologyKey);
    // Fewer domains than minDomains: the global minimum is taken as 0.
    const globalMin = domains < c.minDomains ? 0 : min;
    const skew = (st.matchNum.get(pairKey(c.topologyKey, v)) ?? 0) + self - globalMin;
    if (skew > c.maxSkew) return unschedulable(ERR_CONSTRAINTS);
  }
  return SUCCESS;
}

export function readFilterState(state: CycleState): FilterState | undefined {
  return state.read<FilterState>(PRE_FILTER_KEY);
}
