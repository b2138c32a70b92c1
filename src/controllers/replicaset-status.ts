/**
 * ReplicaSet status (upstream's replica_set_utils.go): counts over the pods the set
 * owns, the ReplicaFailure condition while creates/deletes fail, and a status write that
 * happens only when something changed.
 */
import type { KubeObject } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import { selectorFromSet } from '../api/selectors/index.js';
import type { Client } from '../client/index.js';
import { int, isPodAvailable, isPodReady, rfc3339, type Condition } from './controller-utils.js';

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export function calculateStatus(rs: KubeObject, pods: KubeObject[], manageErr: unknown, now: number): ReplicaSetStatus {
  const templateLabels = selectorFromSet(rs.spec?.template?.metadata?.labels);
  const minReady = int(rs.spec?.minReadySeconds);
  let fully = 0, ready = 0, available = 0;
  for (const p of pods) {
    if (templateLabels.matches(p.metadata?.labels)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  let conditions = [...((rs.status?.conditions as Condition[] | undefined) ?? [])];
  const failure = conditions.find(c => c.type === 'ReplicaFailure');
  if (manageErr !== undefined && !failure) {
    const diff = pods.length - int(rs.spec?.replicas, 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const message = manageErr instanceof Error ? manageErr.message : String(manageErr);
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now), reason, message });
  } else if (manageErr === undefined && failure) {
    conditions = conditions.filter(c => c.type !== 'ReplicaFailure');
  }
  // Go's omitempty: zero counts are left out, `replicas` always present.
  const s: ReplicaSetStatus = { replicas: pods.length };
  if (fully) s.fullyLabeledReplicas = fully;
  if (ready) s.readyReplicas = ready;
  if (available) s.availableReplicas = available;
  if (rs.status?.observedGeneration !== undefined) s.observedGeneration = rs.status.observedGeneration;
  if (conditions.length) s.conditions = conditions;
  return s;
}

/** Writes `status` (with observedGeneration = generation) unless nothing changed; one retry on a fresh copy. */
export async function updateReplicaSetStatus(client: Client, ri: ResourceInfo, rs: KubeObject, status: ReplicaSetStatus): Promise<KubeObject> {
  const cur = rs.status ?? {};
  const generation = int(rs.metadata?.generation, 1);
  if (int(cur.replicas) === status.replicas && int(cur.fullyLabeledReplicas) === int(status.fullyLabeledReplicas)
    && int(cur.readyReplicas) === int(status.readyReplicas) && int(cur.availableReplicas) === int(status.availableReplicas)
    && int(cur.observedGeneration) === generation
    && JSON.stringify(cur.conditions ?? []) === JSON.stringify(status.conditions ?? [])) {
    return rs;
  }
  let target = rs;
  for (let attempt = 0; ; attempt++) {
    const next = structuredClone(target);
    next.status = { ...status, observedGeneration: int(target.metadata?.generation, 1) };
    try {
      return await client.updateStatus(ri, next);
    } catch (e) {
      if (attempt >= 1) throw e;
      target = await client.get(ri, rs.metadata!.name!, { namespace: rs.metadata!.namespace });
    }
  }
}
