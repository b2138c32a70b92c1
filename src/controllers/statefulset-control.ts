/**
 * The StatefulSet update algorithm (upstream's updateStatefulSet): fill every ordinal in
 * [start, start+replicas), remove condemned ordinals from the highest down, then roll
 * pods not at the update revision from the highest ordinal down to the partition.
 *
 * OrderedReady ("monotonic") stops at the first pod that is missing, terminating or not
 * Running+Ready and does one create or delete per pass; Parallel does them all at once.
 * The informers' next events (or a requeue) drive the following pass.
 */
import {
  identityMatches, isCreated, isHealthy, isRunningAndAvailable, isRunningAndReady, newStatefulSetPod, ordinalOf,
  replicasOf, revisionOf, startOrdinal, storageMatches,
} from './statefulset-pods.js';
import type { StatefulPodControl } from './statefulset-pod-control.js';
import { setAtRevision, type SetRevisions } from './statefulset-revisions.js';
import { isTerminating, type Obj } from './workload-utils-b.js';

export interface SetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
}

/** Counts over the pods (computeReplicaStatus). */
function countStatus(st: SetStatus, pods: Obj[], minReady: number, now: number): void {
  Object.assign(st, { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 });
  for (const p of pods) {
    if (isCreated(p)) st.replicas++;
    if (isRunningAndReady(p)) {
      st.readyReplicas++;
      if (isRunningAndAvailable(p, minReady, now)) st.availableReplicas++;
    }
    if (isCreated(p) && !isTerminating(p)) {
      if (revisionOf(p) === st.currentRevision) st.currentReplicas++;
      if (revisionOf(p) === st.updateRevision) st.updatedReplicas++;
    }
  }
}

/** Ordinals below the partition keep the current revision when recreated (isCurrentRevisionNeeded). */
function newVersionedPod(set: Obj, revs: SetRevisions, ordinal: number, status: SetStatus): Obj {
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition;
  const current = rolling && (partition === undefined
    ? ordinal < startOrdinal(set) + status.currentReplicas
    : ordinal < startOrdinal(set) + Number(partition));
  return current
    ? newStatefulSetPod(setAtRevision(set, revs.current), ordinal, revs.current.metadata!.name!)
    : newStatefulSetPod(setAtRevision(set, revs.update), ordinal, revs.update.metadata!.name!);
}

/**
 * One pass. Returns the status to record; an error thrown by a write is rethrown after
 * the status was computed (`out.status` is valid either way).
 */
export async function updateStatefulSet(pc: StatefulPodControl, set: Obj, revs: SetRevisions, pods: Obj[], now: number,
  out: { status?: SetStatus }): Promise<void> {
  const minReady = Number(set.spec?.minReadySeconds ?? 0);
  const status: SetStatus = {
    observedGeneration: set.metadata?.generation, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0,
    availableReplicas: 0, currentRevision: revs.current.metadata!.name!, updateRevision: revs.update.metadata!.name!,
    collisionCount: revs.collisionCount,
  };
  out.status = status;
  countStatus(status, pods, minReady, now);
  const start = startOrdinal(set);
  const count = replicasOf(set);
  const replicas: Obj[] = new Array(count);
  const condemned: Obj[] = [];
  for (const p of pods) {
    const ord = ordinalOf(p);
    if (ord >= start && ord < start + count) replicas[ord - start] = p;
    else if (ord >= 0) condemned.push(p);
  }
  for (let i = 0; i < count; i++) replicas[i] ??= newVersionedPod(set, revs, start + i, status);
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const unhealthy = (p: Obj) => isCreated(p) && !isHealthy(p, minReady, now);
  const firstUnhealthy = replicas.find(unhealthy) ?? [...condemned].reverse().find(unhealthy);
  const recount = () => countStatus(status, [...replicas.filter(isCreated), ...condemned], minReady, now);

  try {
    if (set.metadata?.deletionTimestamp) return;
    const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
    const updateSet = setAtRevision(set, revs.update);

    const processReplica = async (i: number): Promise<boolean> => {
      const pod = replicas[i];
      if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') {
        // A finished pod is replaced once it is gone.
        if (!isTerminating(pod)) await pc.delete(set, pod);
        return true;
      }
      if (!isCreated(pod)) {
        await pc.create(set, pod);
        replicas[i] = { ...pod, status: { phase: 'Pending' } };
        return monotonic;
      }
      if (pod.status?.phase === 'Pending') await pc.createMissingClaims(set, pod);
      if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) return true;
      if (!identityMatches(set, pod) || !storageMatches(set, pod)) await pc.update(updateSet, pod);
      return false;
    };
    if (await runForAll(replicas.length, processReplica, monotonic)) return;

    const processCondemned = async (i: number): Promise<boolean> => {
      const pod = condemned[i];
      if (isTerminating(pod)) return monotonic;
      if (monotonic && pod !== firstUnhealthy && !isRunningAndAvailable(pod, minReady, now)) return true;
      await pc.ownClaimsByPod(set, pod);
      await pc.delete(set, pod);
      condemned[i] = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(now).toISOString() } };
      return true;
    };
    if (await runForAll(condemned.length, processCondemned, monotonic)) return;

    // OnDelete: pods take the new template only when someone deletes them.
    if (set.spec?.updateStrategy?.type === 'OnDelete') return;
    const partition = Number(set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0);
    for (let target = replicas.length - 1; target >= partition - start && target >= 0; target--) {
      const pod = replicas[target];
      if (revisionOf(pod) !== status.updateRevision && !isTerminating(pod)) {
        await pc.delete(set, pod);
        replicas[target] = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(now).toISOString() } };
        return;
      }
      // Wait for the updated pod to be available before touching the next one down.
      if (!isHealthy(pod, minReady, now)) return;
    }
  } finally {
    recount();
  }
}

/** Sequential until the first "stop" when monotonic; otherwise all at once. True = stop this pass. */
async function runForAll(n: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < n; i++) if (await fn(i)) return true;
    return false;
  }
  const rs = await Promise.allSettled(Array.from({ length: n }, (_, i) => fn(i)));
  const failed = rs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return false;
}
