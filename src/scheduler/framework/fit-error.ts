/**
 * The "why not" message of a failed cycle, in upstream's shape (FitError.Error()):
 * `0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node
 * affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`
 */
import type { Status } from './status.js';

export interface Diagnosis {
  /** Per node, the status of the first plugin that rejected it. */
  nodeStatuses: ReadonlyMap<string, Status>;
  /** Set when PreFilter rejected the pod outright (the same reason for every node). */
  preFilterMsg?: string;
  postFilterMsg?: string;
}

/** Counted reasons, sorted as strings ("1 Insufficient cpu", "2 node(s) ..."). */
export function reasonHistogram(statuses: ReadonlyMap<string, Status>): string[] {
  const counts = new Map<string, number>();
  for (const s of statuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort();
}

const sentence = (s: string) => ` ${s}${s.endsWith('.') ? '' : '.'}`;

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) msg += sentence(d.preFilterMsg);
  else {
    const h = reasonHistogram(d.nodeStatuses);
    if (h.length) msg += sentence(h.join(', '));
  }
  if (d.postFilterMsg) msg += sentence(d.postFilterMsg);
  return msg;
}
