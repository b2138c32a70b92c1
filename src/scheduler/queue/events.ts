/** Matching cluster events against what plugins registered (upstream's MatchClusterEvents). */
import type { ClusterEvent } from '../framework/interface.js';
import type { Node, Pod } from '../framework/types.js';

const UPDATES = new Set(['UpdateNodeLabel', 'UpdateNodeTaint', 'UpdateNodeAllocatable', 'UpdateNodeCondition', 'UpdatePodLabel', 'UpdatePodScaleDown']);

/** Does the registered event `reg` cover the incoming one? A registered "Update" covers every kind of update. */
export function matches(reg: ClusterEvent, incoming: ClusterEvent): boolean {
  if (reg.resource !== '*' && reg.resource !== incoming.resource) return false;
  if (reg.action === '*' || reg.action === incoming.action) return true;
  return reg.action === 'Update' && UPDATES.has(incoming.action);
}

const json = (x: unknown) => JSON.stringify(x ?? null);

/** The specific kinds of change between two versions of a node (none: nothing a plugin cares about). */
export function nodeUpdateEvents(old: Node, cur: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  const ev = (action: ClusterEvent['action']) => out.push({ resource: 'Node', action });
  if (json(old.status?.allocatable) !== json(cur.status?.allocatable)) ev('UpdateNodeAllocatable');
  if (json(old.metadata?.labels) !== json(cur.metadata?.labels)) ev('UpdateNodeLabel');
  if (json(old.spec?.taints) !== json(cur.spec?.taints) || !!old.spec?.unschedulable !== !!cur.spec?.unschedulable) ev('UpdateNodeTaint');
  const conds = (n: Node) => json((n.status?.conditions ?? []).map(c => [c.type, c.status]));
  if (conds(old) !== conds(cur)) ev('UpdateNodeCondition');
  return out;
}

/** The kinds of change to an assigned pod that can free room or change matching. */
export function assignedPodUpdateEvents(old: Pod, cur: Pod): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (json(old.metadata?.labels) !== json(cur.metadata?.labels)) out.push({ resource: 'AssignedPod', action: 'UpdatePodLabel' });
  // A pod that finished or started terminating no longer needs its room (for spreading, it stops counting).
  const done = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' || !!p.metadata?.deletionTimestamp;
  if (json(old.spec?.containers?.map(c => c.resources)) !== json(cur.spec?.containers?.map(c => c.resources)) || (!done(old) && done(cur))) {
    out.push({ resource: 'AssignedPod', action: 'UpdatePodScaleDown' });
  }
  return out;
}

/** Did anything but status and bookkeeping change (upstream's isPodUpdated)? */
export function podSpecChanged(old: Pod, cur: Pod): boolean {
  const strip = (p: Pod) => {
    const m = { ...(p.metadata ?? {}) } as Record<string, unknown>;
    delete m.resourceVersion; delete m.generation; delete m.managedFields;
    return json({ m, s: p.spec });
  };
  return strip(old) !== strip(cur);
}
