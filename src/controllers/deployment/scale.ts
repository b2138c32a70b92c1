/**
 * Scaling ReplicaSets on behalf of a Deployment (upstream's sync.go): one set at a time
 * with its ScalingReplicaSet event, proportional scaling of several active sets when the
 * Deployment is resized mid-rollout, history cleanup, and the status-only paths.
 */
import { NotFoundError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { DESIRED_REPLICAS, intAnnotation, replicasAnnotationsNeedUpdate, revisionOf, setReplicasAnnotations } from './annotations.js';
import { Reason, newCondition, setCondition, type DeploymentStatus } from './conditions.js';
import {
  activeSets, availableReplicaCount, actualReplicaCount, byCreation, bySizeNewer, bySizeOlder, findActiveOrLatest,
  isRollingUpdate, isSaturated, maxSurge, maxUnavailable, proportion, readyReplicaCount, replicaCount, specReplicas, type RS,
} from './replicas.js';
import { REPLICASETS, getAllReplicaSetsAndSyncRevision, statusEqual, writeStatus, type DeploymentDeps } from './sync.js';
import { int } from '../controller-utils.js';

/** Sets `rs` to `newScale` and the replicas annotations; an event when the size changed. */
export async function scaleReplicaSet(dc: DeploymentDeps, rs: RS, newScale: number, d: KubeObject, op: string): Promise<{ scaled: boolean; rs: RS }> {
  const desired = specReplicas(d), max = desired + maxSurge(d);
  const sizeChanged = specReplicas(rs) !== newScale;
  if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const oldScale = specReplicas(rs);
  const copy = structuredClone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, desired, max);
  const out = await dc.client.update(REPLICASETS, copy);
  if (sizeChanged) {
    dc.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata!.name} from ${oldScale} to ${newScale}`);
  }
  return { scaled: sizeChanged, rs: out };
}

export async function scaleAndRecord(dc: DeploymentDeps, rs: RS, newScale: number, d: KubeObject): Promise<{ scaled: boolean; rs: RS }> {
  if (specReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(dc, rs, newScale, d, specReplicas(rs) < newScale ? 'up' : 'down');
}

/** Resizes the Deployment's sets to its replicas (scaling event or paused). */
export async function scale(dc: DeploymentDeps, d: KubeObject, newRS: RS | undefined, oldRSs: RS[]): Promise<void> {
  const replicas = specReplicas(d);
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (specReplicas(only) !== replicas) await scaleAndRecord(dc, only, replicas, d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of activeSets(oldRSs)) await scaleAndRecord(dc, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeSets([...oldRSs, newRS]);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - replicaCount(all);
  let op = '';
  if (toAdd > 0) { all.sort(bySizeNewer); op = 'up'; } else if (toAdd < 0) { all.sort(bySizeOlder); op = 'down'; }
  let added = 0;
  const size = new Map<string, number>();
  for (const rs of all) {
    const p = toAdd !== 0 ? proportion(rs, d, toAdd, added) : 0;
    size.set(rs.metadata!.name!, specReplicas(rs) + p);
    added += p;
  }
  for (let i = 0; i < all.length; i++) {
    const rs = all[i]!;
    let n = size.get(rs.metadata!.name!)!;
    // Leftovers go to the largest set.
    if (i === 0 && toAdd !== 0) n = Math.max(0, n + toAdd - added);
    await scaleReplicaSet(dc, rs, n, d, op);
  }
}

/** A Deployment resize shows as a set whose desired-replicas annotation differs from spec.replicas. */
export async function isScalingEvent(dc: DeploymentDeps, d: KubeObject, rsList: RS[]): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  for (const rs of activeSets([...oldRSs, newRS])) {
    const desired = intAnnotation(rs, DESIRED_REPLICAS);
    if (desired !== undefined && desired !== specReplicas(d)) return true;
  }
  return false;
}

/** Deletes the oldest idle sets beyond revisionHistoryLimit. */
export async function cleanupDeployment(dc: DeploymentDeps, oldRSs: RS[], d: KubeObject): Promise<void> {
  const limit = d.spec?.revisionHistoryLimit;
  if (typeof limit !== 'number') return;
  const cleanable = oldRSs.filter(rs => !rs.metadata?.deletionTimestamp);
  const diff = cleanable.length - limit;
  if (diff <= 0) return;
  cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  for (const rs of cleanable.slice(0, diff)) {
    if (int(rs.status?.replicas) !== 0 || specReplicas(rs) !== 0 || int(rs.metadata?.generation, 1) > int(rs.status?.observedGeneration)) continue;
    try {
      await dc.client.delete(REPLICASETS, rs.metadata!.name!, { namespace: rs.metadata!.namespace });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
}

export function calculateStatus(all: Array<RS | undefined>, newRS: RS | undefined, d: KubeObject, now: number): DeploymentStatus {
  const available = availableReplicaCount(all);
  const unavailable = Math.max(0, replicaCount(all) - available);
  const s: DeploymentStatus = {
    observedGeneration: int(d.metadata?.generation, 1),
    replicas: actualReplicaCount(all),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(all),
    availableReplicas: available,
    unavailableReplicas: unavailable,
  };
  for (const k of Object.keys(s) as Array<keyof DeploymentStatus>) if (s[k] === 0 && k !== 'observedGeneration') delete s[k];
  if (d.status?.collisionCount !== undefined) s.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) s.conditions = structuredClone(d.status.conditions);
  if (available >= specReplicas(d) - maxUnavailable(d)) {
    setCondition(s, newCondition('Available', 'True', Reason.MinimumAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(s, newCondition('Available', 'False', Reason.MinimumUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return s;
}

/** Writes the computed status when it differs from the stored one. */
export async function syncDeploymentStatus(dc: DeploymentDeps, all: Array<RS | undefined>, newRS: RS | undefined, d: KubeObject): Promise<void> {
  const s = calculateStatus(all, newRS, d, dc.clock.now());
  if (statusEqual(d.status, s)) return;
  d.status = s;
  await writeStatus(dc, d);
}

/** Paused or resized: scale, clean up (when paused), report. */
export async function syncScaling(dc: DeploymentDeps, d: KubeObject, rsList: RS[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  await scale(dc, d, newRS, oldRSs);
  if (d.spec?.paused) await cleanupDeployment(dc, oldRSs, d);
  await syncDeploymentStatus(dc, [...oldRSs, newRS], newRS, d);
}

export async function syncStatusOnly(dc: DeploymentDeps, d: KubeObject, rsList: RS[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  await syncDeploymentStatus(dc, [...oldRSs, newRS], newRS, d);
}

/** Progressing=Unknown DeploymentPaused / DeploymentResumed, so a long pause never reads as a stall. */
export async function checkPausedConditions(dc: DeploymentDeps, d: KubeObject): Promise<void> {
  if (typeof d.spec?.progressDeadlineSeconds !== 'number') return;
  const status: DeploymentStatus = (d.status ??= {});
  const cond = status.conditions?.find(c => c.type === 'Progressing');
  if (cond?.reason === Reason.TimedOut) return;
  const pausedCond = cond?.reason === Reason.Paused;
  const now = dc.clock.now();
  if (d.spec.paused && !pausedCond) {
    setCondition(status, newCondition('Progressing', 'Unknown', Reason.Paused, 'Deployment is paused', now));
  } else if (!d.spec.paused && pausedCond) {
    setCondition(status, newCondition('Progressing', 'Unknown', Reason.Resumed, 'Deployment is resumed', now));
  } else return;
  await writeStatus(dc, d);
}
