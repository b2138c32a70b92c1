/**
 * Dry run on one node: remove every lower-priority pod; if the preemptor then fits,
 * add them back most-important first while it still fits. Those that could not be
 * added back are the (minimal) victims.
 */
import type { CycleState } from '../../framework/cycle-state.js';
import type { FrameworkRunner } from '../../framework/interface.js';
import type { NodeInfo, PodInfo } from '../../framework/node-info.js';
import { unresolvable, type Status } from '../../framework/status.js';

export const ERR_NO_VICTIMS = 'No preemption victims found for incoming pod';

export function startTime(p: PodInfo): number {
  const t = p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp;
  return t ? Date.parse(t) : Number.MAX_SAFE_INTEGER;
}

/** Higher priority first; equal priority: the one running longer is more important. */
export function moreImportant(a: PodInfo, b: PodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return startTime(a) < startTime(b);
}

export function selectVictimsOnNode(
  fw: FrameworkRunner, state: CycleState, pod: PodInfo, node: NodeInfo, nominated: readonly PodInfo[],
): { victims: PodInfo[] } | { status: Status } {
  const remove = (p: PodInfo): Status | undefined => {
    node.removePod(p.key);
    const s = fw.runPreFilterRemovePod(state, pod, p, node);
    return s.isSuccess() ? undefined : s;
  };
  const add = (p: PodInfo): Status | undefined => {
    node.addPod(p);
    const s = fw.runPreFilterAddPod(state, pod, p, node);
    return s.isSuccess() ? undefined : s;
  };
  const potential = node.pods.filter(p => p.priority < pod.priority);
  for (const p of potential) {
    const err = remove(p);
    if (err) return { status: err };
  }
  if (potential.length === 0) return { status: unresolvable(ERR_NO_VICTIMS) };
  const fits = fw.runFilterWithNominated(state, pod, node, nominated);
  if (!fits.isSuccess()) return { status: fits };
  potential.sort((a, b) => (moreImportant(a, b) ? -1 : moreImportant(b, a) ? 1 : 0));
  const victims: PodInfo[] = [];
  for (const p of potential) {
    const err = add(p);
    if (err) return { status: err };
    if (!fw.runFilterWithNominated(state, pod, node, nominated).isSuccess()) {
      const err2 = remove(p);
      if (err2) return { status: err2 };
      victims.push(p);
    }
  }
  return { victims };
}
