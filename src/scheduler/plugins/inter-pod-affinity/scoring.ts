/**
 * InterPodAffinity scoring: per topology pair, + weights of preferred affinity matches,
 * - weights of preferred anti-affinity, in both directions (incoming ↔ existing pods);
 * existing pods' required affinity counts with weight 1 (hardPodAffinityWeight).
 */
import { termMatches, type NamespaceLabels, type WeightedAffinityTerm } from '../../framework/affinity-term.js';
import type { NodeLister, NodeScore } from '../../framework/interface.js';
import { MAX_NODE_SCORE } from '../../framework/interface.js';
import type { NodeInfo, PodInfo } from '../../framework/node-info.js';

export const PRE_SCORE_KEY = 'PreScoreInterPodAffinity';
const HARD_POD_AFFINITY_WEIGHT = 1;

export class ScoreState {
  /** topologyKey → value → score */
  readonly scores = new Map<string, Map<string, number>>();
  clone(): ScoreState { return this; }

  add(key: string, value: string, w: number): void {
    let m = this.scores.get(key);
    if (!m) this.scores.set(key, (m = new Map()));
    m.set(value, (m.get(value) ?? 0) + w);
  }
}

function addTerms(st: ScoreState, terms: readonly WeightedAffinityTerm[], target: PodInfo, node: NodeInfo, sign: number, ns: NamespaceLabels): void {
  for (const t of terms) {
    const v = node.labels[t.topologyKey];
    if (v !== undefined && termMatches(t, target.pod, ns)) st.add(t.topologyKey, v, sign * t.weight);
  }
}

/** Undefined when nothing can score (Score is skipped). */
export function computeScoreState(pod: PodInfo, nodes: NodeLister, ns: NamespaceLabels): ScoreState | undefined {
  const incomingPrefs = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
  const candidates = incomingPrefs ? nodes.list() : nodes.havePodsWithAffinity();
  if (!incomingPrefs && candidates.length === 0) return undefined;
  const st = new ScoreState();
  for (const node of candidates) {
    const others = incomingPrefs ? node.pods : node.podsWithAffinity;
    for (const other of others) {
      addTerms(st, pod.preferredAffinity, other, node, 1, ns);
      addTerms(st, pod.preferredAntiAffinity, other, node, -1, ns);
      for (const t of other.requiredAffinity) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined && termMatches(t, pod.pod, ns)) st.add(t.topologyKey, v, HARD_POD_AFFINITY_WEIGHT);
      }
      addTerms(st, other.preferredAffinity, pod, node, 1, ns);
      addTerms(st, other.preferredAntiAffinity, pod, node, -1, ns);
    }
  }
  return st;
}

export function scoreNode(st: ScoreState, node: NodeInfo): number {
  let s = 0;
  for (const [key, values] of st.scores) {
    const v = node.labels[key];
    if (v !== undefined) s += values.get(v) ?? 0;
  }
  return s;
}

/** Min-max to 0..100 (scores may be negative). */
export function normalize(scores: NodeScore[]): void {
  let min = Infinity, max = -Infinity;
  for (const s of scores) { if (s.score < min) min = s.score; if (s.score > max) max = s.score; }
  const diff = max - min;
  for (const s of scores) s.score = diff > 0 ? Math.floor((MAX_NODE_SCORE * (s.score - min)) / diff) : 0;
}
