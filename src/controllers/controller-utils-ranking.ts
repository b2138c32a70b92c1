/**
 * Which pods a ReplicaSet deletes first when scaling down (upstream's ActivePodsWithRanks
 * with LogarithmicScaleDown and PodDeletionCost): the pods that cost least to lose go first.
 */
import { isPodReady, parseTime, podReadyCondition, type Pod } from './controller-utils.js';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/**
 * The `diff` pods to delete out of `pods`. `related` are the active pods of every
 * ReplicaSet sharing this one's owner: a pod on a node crowded with its siblings goes first.
 */
export function podsToDelete(pods: Pod[], related: Pod[], diff: number, now: number): Pod[] {
  if (diff >= pods.length) return pods.slice(0, diff);
  const onNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n) onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked = pods.map(p => ({ p, rank: p.spec?.nodeName ? onNode.get(p.spec.nodeName) ?? 0 : 0 }));
  ranked.sort((a, b) => (lessForDeletion(a.p, a.rank, b.p, b.rank, now) ? -1 : lessForDeletion(b.p, b.rank, a.p, a.rank, now) ? 1 : 0));
  return ranked.slice(0, diff).map(x => x.p);
}

/** True when pod `a` should be deleted before pod `b`. */
export function lessForDeletion(a: Pod, rankA: number, b: Pod, rankB: number, now: number): boolean {
  const na = a.spec?.nodeName ?? '', nb = b.spec?.nodeName ?? '';
  // 1. Unassigned < assigned.
  if (na !== nb && (!na || !nb)) return !na;
  // 2. Pending < Unknown < Running.
  const pa = PHASE_ORDINAL[a.status?.phase ?? ''] ?? 0, pb = PHASE_ORDINAL[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa < pb;
  // 3. Not ready < ready.
  const ra = isPodReady(a), rb = isPodReady(b);
  if (ra !== rb) return !ra;
  // 4. Lower pod-deletion-cost first.
  const ca = deletionCost(a), cb = deletionCost(b);
  if (ca !== cb) return ca < cb;
  // 5. Doubled up on a node < not doubled up.
  if (rankA !== rankB) return rankA > rankB;
  // 6. Ready for less time (logarithmic buckets) first.
  if (ra && rb) {
    const ta = parseTime(podReadyCondition(a)?.lastTransitionTime), tb = parseTime(podReadyCondition(b)?.lastTransitionTime);
    if (ta !== tb) {
      const r = compareTimes(ta, tb, now, a, b);
      if (r !== undefined) return r;
    }
  }
  // 7. More container restarts first.
  const xa = maxRestarts(a), xb = maxRestarts(b);
  if (xa !== xb) return xa > xb;
  // 8. Newer pods first (logarithmic buckets), then by uid.
  const ta = parseTime(a.metadata?.creationTimestamp), tb = parseTime(b.metadata?.creationTimestamp);
  if (ta !== tb) {
    const r = compareTimes(ta, tb, now, a, b);
    if (r !== undefined) return r;
  }
  return false;
}

/** Later (younger) first; missing times first; equal log2 buckets fall back to uid order. */
function compareTimes(ta: number | undefined, tb: number | undefined, now: number, a: Pod, b: Pod): boolean | undefined {
  if (ta === undefined || tb === undefined) return ta === undefined;
  const diff = logBucket(now - ta) - logBucket(now - tb);
  if (diff === 0) return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '');
  return diff < 0;
}

function logBucket(ms: number): number {
  const ns = ms * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

function deletionCost(p: Pod): number {
  const v = Number(p.metadata?.annotations?.[DELETION_COST]);
  return Number.isInteger(v) ? v : 0;
}

function maxRestarts(p: Pod): number {
  const all = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])] as Array<{ restartCount?: number }>;
  return all.reduce((m, c) => Math.max(m, c.restartCount ?? 0), 0);
}
