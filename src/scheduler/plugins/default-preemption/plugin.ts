/**
 * DefaultPreemption (PostFilter): a pod that fits nowhere may evict lower-priority pods
 * from one node. Picks the node whose victims matter least, nominates it, and hands the
 * victims to the scheduler for eviction (asynchronously, like upstream's async preemption).
 * PodDisruptionBudgets are not consulted yet.
 */
import type { CycleState } from '../../framework/cycle-state.js';
import { fitErrorMessage } from '../../framework/fit-error.js';
import type { Handle, PostFilterPlugin, PostFilterResult } from '../../framework/interface.js';
import type { PodInfo } from '../../framework/node-info.js';
import { Code, SUCCESS, unresolvable, unschedulable, type Status } from '../../framework/status.js';
import { moreImportant, selectVictimsOnNode, startTime } from './select-victims.js';

export const NAME = 'DefaultPreemption';
export const ERR_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const MIN_CANDIDATE_PERCENT = 10;
const MIN_CANDIDATE_ABSOLUTE = 100;

interface Candidate { node: string; victims: PodInfo[] }

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = NAME;
  constructor(readonly h: Handle) {}

  postFilter(state: CycleState, pod: PodInfo, filtered: ReadonlyMap<string, Status>): PostFilterResult {
    const why = this.#ineligible(pod, filtered);
    if (why) return { status: unschedulable(`preemption: ${why}`) };
    const statuses = new Map<string, Status>();
    const potential: string[] = [];
    for (const [node, s] of filtered) {
      if (s.code === Code.Unschedulable) potential.push(node);
      else statuses.set(node, unresolvable(ERR_NOT_HELPFUL));
    }
    const candidates: Candidate[] = [];
    const limit = Math.max(Math.floor((potential.length * MIN_CANDIDATE_PERCENT) / 100), MIN_CANDIDATE_ABSOLUTE);
    for (const name of potential) {
      const ni = this.h.nodes.get(name);
      if (!ni) continue;
      const r = selectVictimsOnNode(this.h.framework!, state.clone(), pod, ni.clone(), this.h.preemptor?.nominatedPods(name) ?? []);
      if ('status' in r) statuses.set(name, r.status);
      else if (candidates.push({ node: name, victims: r.victims }) >= limit) break;
    }
    if (candidates.length === 0) {
      // Clear any previous nomination: no node can be made to fit.
      return { status: unschedulable(`preemption: ${fitErrorMessage(filtered.size, { nodeStatuses: statuses })}`), nominatedNodeName: '' };
    }
    const best = pickCandidate(candidates);
    this.h.preemptor?.evict(pod.pod, best.node, best.victims.map(v => v.pod));
    return { status: SUCCESS, nominatedNodeName: best.node };
  }

  #ineligible(pod: PodInfo, filtered: ReadonlyMap<string, Status>): string | undefined {
    if ((this.h.preemptionPolicyOf?.(pod.pod) ?? pod.pod.spec?.preemptionPolicy) === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nominated = pod.pod.status?.nominatedNodeName;
    if (!nominated) return undefined;
    // Already preempted there and victims are still terminating: wait for them.
    if (filtered.get(nominated)?.code === Code.UnschedulableAndUnresolvable) return undefined;
    const ni = this.h.nodes.get(nominated);
    if (ni?.pods.some(p => p.pod.metadata?.deletionTimestamp && p.priority < pod.priority)) {
      return 'not eligible due to a terminating pod on the nominated node.';
    }
    return undefined;
  }
}

/**
 * Upstream's pickOneNodeForPreemption, without PDBs: lowest highest-victim priority,
 * then lowest priority sum, then fewest victims, then latest start of the top victims.
 */
export function pickCandidate(cs: Candidate[]): Candidate {
  const empty = cs.find(c => c.victims.length === 0);
  if (empty) return empty;
  const top = (c: Candidate) => c.victims.reduce((m, v) => Math.max(m, v.priority), -Infinity);
  // Offset so negative priorities still add up sensibly (as upstream: MaxInt32 + 1).
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0);
  const earliestTop = (c: Candidate) => {
    const t = top(c);
    return Math.min(...c.victims.filter(v => v.priority === t).map(startTime));
  };
  const keys: Array<(c: Candidate) => number> = [top, sum, c => c.victims.length, c => -earliestTop(c)];
  let rest = cs;
  for (const k of keys) {
    const min = Math.min(...rest.map(k));
    rest = rest.filter(c => k(c) === min);
    if (rest.length === 1) break;
  }
  return rest[0]!;
}

export const newDefaultPreemption = (_a: unknown, h: Handle): DefaultPreemption => new DefaultPreemption(h);
export { moreImportant };
