/**
 * InterPodAffinity PreFilter/Filter state: counts of matching pods per topology pair
 * ("key=value"), computed once per cycle and updated incrementally for preemption.
 */
import type { CycleState } from '../../framework/cycle-state.js';
import { termMatches, type AffinityTerm, type NamespaceLabels } from '../../framework/affinity-term.js';
import type { NodeInfo, PodInfo } from '../../framework/node-info.js';
import type { NodeLister } from '../../framework/interface.js';

export const PRE_FILTER_KEY = 'PreFilterInterPodAffinity';
export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

const pair = (k: string, v: string) => `${k}\u0000${v}`;
type Counts = Map<string, number>;

function bump(c: Counts, k: string, n: number): void {
  const v = (c.get(k) ?? 0) + n;
  if (v === 0) c.delete(k); else c.set(k, v);
}

export class FilterState {
  constructor(
    /** Pairs where an existing pod's required anti-affinity selects the incoming pod. */
    readonly existingAnti: Counts = new Map(),
    /** Pairs with pods matching all of the incoming pod's required affinity terms. */
    readonly affinity: Counts = new Map(),
    /** Pairs with pods matching any of the incoming pod's required anti-affinity terms. */
    readonly anti: Counts = new Map(),
  ) {}

  clone(): FilterState { return new FilterState(new Map(this.existingAnti), new Map(this.affinity), new Map(this.anti)); }

  /** Counts `other` (on `node`) in or out (`n` = 1 or -1). */
  update(pod: PodInfo, other: PodInfo, node: NodeInfo, n: number, ns: NamespaceLabels): void {
    const labels = node.labels;
    for (const t of other.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && termMatches(t, pod.pod, ns)) bump(this.existingAnti, pair(t.topologyKey, v), n);
    }
    if (pod.requiredAffinity.length && matchesAll(pod.requiredAffinity, other, ns)) {
      for (const t of pod.requiredAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined) bump(this.affinity, pair(t.topologyKey, v), n);
      }
    }
    for (const t of pod.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && termMatches(t, other.pod, ns)) bump(this.anti, pair(t.topologyKey, v), n);
    }
  }
}

function matchesAll(terms: readonly AffinityTerm[], other: PodInfo, ns: NamespaceLabels): boolean {
  return terms.every(t => termMatches(t, other.pod, ns));
}

/** Builds the state; undefined when nothing can constrain this pod (Filter is skipped). */
export function computeFilterState(pod: PodInfo, nodes: NodeLister, ns: NamespaceLabels): FilterState | undefined {
  const withAnti = nodes.havePodsWithRequiredAntiAffinity();
  if (!pod.requiredAffinity.length && !pod.requiredAntiAffinity.length && withAnti.length === 0) return undefined;
  const st = new FilterState();
  // Existing pods' anti-affinity: only nodes that have such pods.
  for (const node of withAnti) {
    for (const other of node.podsWithRequiredAntiAffinity) {
      for (const t of other.requiredAntiAffinity) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined && termMatches(t, pod.pod, ns)) bump(st.existingAnti, pair(t.topologyKey, v), 1);
      }
    }
  }
  if (pod.requiredAffinity.length || pod.requiredAntiAffinity.length) {
    for (const node of nodes.list()) {
      for (const other of node.pods) {
        if (pod.requiredAffinity.length && matchesAll(pod.requiredAffinity, other, ns)) {
          for (const t of pod.requiredAffinity) {
            const v = node.labels[t.topologyKey];
            if (v !== undefined) bump(st.affinity, pair(t.topologyKey, v), 1);
          }
        }
        for (const t of pod.requiredAntiAffinity) {
          const v = node.labels[t.topologyKey];
          if (v !== undefined && termMatches(t, other.pod, ns)) bump(st.anti, pair(t.topologyKey, v), 1);
        }
      }
    }
  }
  return st;
}

export function satisfiesAffinity(st: FilterState, pod: PodInfo, node: NodeInfo, ns: NamespaceLabels): boolean {
  let ok = true;
  for (const t of pod.requiredAffinity) {
    const v = node.labels[t.topologyKey];
    if (v === undefined || !(st.affinity.get(pair(t.topologyKey, v)) ?? 0)) { ok = false; break; }
  }
  if (ok) return true;
  // The first pod of a group that selects itself may go anywhere with the topology keys.
  if (st.affinity.size !== 0 || !matchesAll(pod.requiredAffinity, pod, ns)) return false;
  return pod.requiredAffinity.every(t => node.labels[t.topologyKey] !== undefined);
}

export function satisfiesAntiAffinity(st: FilterState, pod: PodInfo, node: NodeInfo): boolean {
  for (const t of pod.requiredAntiAffinity) {
    const v = node.labels[t.topologyKey];
    if (v !== undefined && (st.anti.get(pair(t.topologyKey, v)) ?? 0) > 0) return false;
  }
  return true;
}

export function satisfiesExistingAnti(st: FilterState, node: NodeInfo): boolean {
  if (st.existingAnti.size === 0) return true;
  for (const [k, v] of Object.entries(node.labels)) if ((st.existingAnti.get(pair(k, v)) ?? 0) > 0) return false;
  return true;
}

export function readFilterState(state: CycleState): FilterState | undefined {
  return state.read<FilterState>(PRE_FILTER_KEY);
}
