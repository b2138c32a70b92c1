/**
 * One scheduling attempt for one pod, synchronous (upstream's schedulePod): PreFilter,
 * Filter over (a rotating sample of) nodes, PreScore/Score, pick the best.
 */
import type { CycleState } from '../framework/cycle-state.js';
import type { Diagnosis } from '../framework/fit-error.js';
import type { NodeLister, NodeScore } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import type { Framework } from '../framework/runtime.js';
import { Code, Status } from '../framework/status.js';

export type ScheduleOutcome =
  | { kind: 'scheduled'; node: string; evaluated: number; feasible: number }
  | { kind: 'unschedulable'; numAllNodes: number; diagnosis: Diagnosis; plugins: Set<string> }
  | { kind: 'error'; status: Status };

export const NO_NODES = 'no nodes available to schedule pods';
const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_PERCENT = 5;

/** How many feasible nodes are enough to pick from (upstream's numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(all: number, percentage = 0): number {
  if (all < MIN_FEASIBLE_NODES) return all;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(MIN_FEASIBLE_PERCENT, 50 - Math.floor(all / 125));
  if (pct >= 100) return all;
  return Math.max(Math.floor((all * pct) / 100), MIN_FEASIBLE_NODES);
}

/** Pods nominated by preemption (the queue's Nominator). */
export interface NominatedPods {
  podsOn(node: string): readonly PodInfo[];
  /** How many are nominated anywhere. */
  readonly size: number;
}

/** No pod nominated anywhere (tests and benchmarks without a queue). */
export const NO_NOMINATIONS: NominatedPods = { podsOn: () => [], size: 0 };

export class Algorithm {
  #nextStart = 0;

  constructor(
    readonly fw: Framework,
    readonly nodes: NodeLister,
    readonly nominated: NominatedPods,
    readonly percentageOfNodesToScore = 0,
    readonly random: () => number = Math.random,
  ) {}

  schedule(state: CycleState, pod: PodInfo): ScheduleOutcome {
    const all = this.nodes.list();
    if (all.length === 0) return { kind: 'error', status: new Status(Code.UnschedulableAndUnresolvable, [NO_NODES]) };
    const pre = this.fw.runPreFilterPlugins(state, pod, all);
    if (!pre.isSuccess()) {
      if (!pre.isRejected()) return { kind: 'error', status: pre };
      // Every node fails for the same reason.
      const statuses = new Map(all.map(n => [n.name, pre]));
      return { kind: 'unschedulable', numAllNodes: all.length, diagnosis: { nodeStatuses: statuses, preFilterMsg: pre.message() }, plugins: new Set([pre.plugin]) };
    }
    const found = this.#findFeasible(state, pod, all);
    if (found instanceof Status) return { kind: 'error', status: found };
    const { feasible, statuses, evaluated } = found;
    if (feasible.length === 0) {
      const plugins = new Set([...statuses.values()].map(s => s.plugin));
      return { kind: 'unschedulable', numAllNodes: all.length, diagnosis: { nodeStatuses: statuses }, plugins };
    }
    if (feasible.length === 1) return { kind: 'scheduled', node: feasible[0]!.name, evaluated, feasible: 1 };
    const ps = this.fw.runPreScorePlugins(state, pod, feasible);
    if (!ps.isSuccess()) return { kind: 'error', status: ps };
    const totals = this.fw.scoreTotals(state, pod, feasible);
    if (totals instanceof Status) return { kind: 'error', status: totals };
    return { kind: 'scheduled', node: feasible[this.#best(totals)]!.name, evaluated, feasible: feasible.length };
  }

  /** Highest total wins; ties are broken at random (reservoir sampling), as upstream. */
  selectHost(scores: readonly NodeScore[]): string {
    return scores[this.#best(Float64Array.from(scores, s => s.score))]!.name;
  }

  #best(totals: Float64Array): number {
    let best = 0;
    let top = totals[0]!;
    let ties = 1;
    for (let i = 1; i < totals.length; i++) {
      const s = totals[i]!;
      if (s > top) { best = i; top = s; ties = 1; }
      else if (s === top && this.random() * ++ties < 1) best = i;
    }
    return best;
  }

  #findFeasible(state: CycleState, pod: PodInfo, all: readonly NodeInfo[]):
    { feasible: NodeInfo[]; statuses: Map<string, Status>; evaluated: number } | Status {
    const statuses = new Map<string, Status>();
    // A pod nominated by preemption tries its node first.
    const nom = pod.pod.status?.nominatedNodeName;
    if (nom) {
      const ni = this.nodes.get(nom);
      if (ni && this.fw.runFilterWithNominated(state, pod, ni, this.nominated.podsOn(nom)).isSuccess()) {
        return { feasible: [ni], statuses, evaluated: 1 };
      }
    }
    const want = numFeasibleNodesToFind(all.length, this.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const n = all.length;
    // Nominations are rare (preemption): without any, no lookup per node (nodes × pods a run).
    const nominations = this.nominated.size > 0;
    let i = 0;
    const start = this.#nextStart % n;
    for (; i < n && feasible.length < want; i++) {
      const at = start + i;
      const ni = all[at < n ? at : at - n]!;
      const s = nominations
        ? this.fw.runFilterWithNominated(state, pod, ni, this.nominated.podsOn(ni.name))
        : this.fw.runFilterPlugins(state, pod, ni);
      if (s.isSuccess()) feasible.push(ni);
      else if (s.isRejected()) statuses.set(ni.name, s);
      else return s;
    }
    // Start where we stopped next time, so every node gets its turn.
    this.#nextStart = (this.#nextStart + i) % n;
    return { feasible, statuses, evaluated: i };
  }
}
