/**
 * PodTopologySpread Score (ScheduleAnyway): fewer matching pods in the node's domains
 * scores higher; each constraint weighted by log(domains + 2), as upstream.
 */
import type { NodeLister, NodeScore } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import type { NodeInfo, PodInfo } from '../../framework/node-info.js';
import { RequiredNodeAffinity } from '../../framework/node-selector.js';
import { constraintsOf, countMatching, nodeCounts, pairKey, type Constraint } from './common.js';

export const PRE_SCORE_KEY = 'PreScorePodTopologySpread';

export class ScoreState {
  constructor(
    readonly constraints: Constraint[],
    readonly counts: Map<string, number>,
    readonly weights: number[],
    /** Feasible nodes missing a topology key: scored 0. */
    readonly ignored: Set<string>,
  ) {}
  clone(): ScoreState { return this; }
}

export function computeScoreState(pod: PodInfo, feasible: readonly NodeInfo[], all: NodeLister): ScoreState | undefined {
  const cs = constraintsOf(pod.pod, false);
  if (cs.length === 0) return undefined;
  const ignored = new Set<string>();
  const domains = cs.map(() => new Set<string>());
  const counts = new Map<string, number>();
  for (const n of feasible) {
    if (cs.some(c => n.labels[c.topologyKey] === undefined)) { ignored.add(n.name); continue; }
    cs.forEach((c, i) => {
      const v = n.labels[c.topologyKey]!;
      domains[i]!.add(v);
      counts.set(pairKey(c.topologyKey, v), 0);
    });
  }
  const affinity = new RequiredNodeAffinity(pod.pod);
  const ns = pod.pod.metadata?.namespace ?? 'default';
  for (const n of all.list()) {
    if (!nodeCounts(n, cs, pod.pod, affinity)) continue;
    for (const c of cs) {
      const k = pairKey(c.topologyKey, n.labels[c.topologyKey]!);
      if (!counts.has(k)) continue; // only domains some feasible node is in
      counts.set(k, counts.get(k)! + countMatching(n, c, ns));
    }
  }
  return new ScoreState(cs, counts, domains.map(d => Math.log(d.size + 2)), ignored);
}

export function scoreNode(st: ScoreState, node: NodeInfo): number {
  if (st.ignored.has(node.name)) return 0;
  let s = 0;
  st.constraints.forEach((c, i) => {
    const cnt = st.counts.get(pairKey(c.topologyKey, node.labels[c.topologyKey]!)) ?? 0;
    s += cnt * st.weights[i]! + (c.maxSkew - 1);
  });
  return Math.round(s);
}

export function normalize(st: ScoreState, scores: NodeScore[]): void {
  let min = Infinity, max = 0;
  for (const s of scores) {
    if (st.ignored.has(s.name)) continue;
    if (s.score < min) min = s.score;
    if (s.score > max) max = s.score;
  }
  for (const s of scores) {
    if (st.ignored.has(s.name)) { s.score = 0; continue; }
    s.score = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - s.score)) / max);
  }
}
