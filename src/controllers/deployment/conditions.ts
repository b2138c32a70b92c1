/**
 * Deployment conditions and the progress predicates built on them (upstream's
 * deployment_util.go). Reasons are upstream's strings: kubectl and users match on them.
 */
import type { KubeObject } from '../../api/object.js';
import { int, parseTime, rfc3339, type Condition } from '../controller-utils.js';
import { specReplicas } from './replicas.js';

export const Reason = {
  NewRSCreated: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  RSUpdated: 'ReplicaSetUpdated',
  NewRSAvailable: 'NewReplicaSetAvailable',
  TimedOut: 'ProgressDeadlineExceeded',
  Paused: 'DeploymentPaused',
  Resumed: 'DeploymentResumed',
  FailedRSCreate: 'ReplicaSetCreateError',
  MinimumAvailable: 'MinimumReplicasAvailable',
  MinimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: Condition[];
  [k: string]: unknown;
}

export function newCondition(type: string, status: string, reason: string, message: string, now: number): Condition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(s: DeploymentStatus | undefined, type: string): Condition | undefined {
  return s?.conditions?.find(c => c.type === type);
}

/** Sets a condition; an unchanged status+reason leaves it as is, a same status keeps its transition time. */
export function setCondition(s: DeploymentStatus, c: Condition): void {
  const cur = getCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = { ...c };
  if (cur && cur.status === c.status) next.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter(x => x.type !== c.type), next];
}

export function removeCondition(s: DeploymentStatus, type: string): void {
  if (!s.conditions) return;
  s.conditions = s.conditions.filter(c => c.type !== type);
  if (s.conditions.length === 0) delete s.conditions;
}

const MAX_INT32 = 2147483647;
export function hasProgressDeadline(d: KubeObject): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return typeof p === 'number' && p !== MAX_INT32;
}

/** Every desired pod updated and available, and the latest generation observed. */
export function deploymentComplete(d: KubeObject, s: DeploymentStatus): boolean {
  const n = specReplicas(d);
  return int(s.updatedReplicas) === n && int(s.replicas) === n && int(s.availableReplicas) === n
    && int(s.observedGeneration) >= int(d.metadata?.generation, 1);
}

/** Something moved forward since the status the Deployment carries. */
export function deploymentProgressing(d: KubeObject, s: DeploymentStatus): boolean {
  const old: DeploymentStatus = d.status ?? {};
  const oldOld = int(old.replicas) - int(old.updatedReplicas);
  const newOld = int(s.replicas) - int(s.updatedReplicas);
  return int(s.updatedReplicas) > int(old.updatedReplicas) || newOld < oldOld
    || int(s.readyReplicas) > int(old.readyReplicas) || int(s.availableReplicas) > int(old.availableReplicas);
}

/** No progress for progressDeadlineSeconds since the Progressing condition last changed. */
export function deploymentTimedOut(d: KubeObject, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === Reason.NewRSAvailable) return false;
  if (c.reason === Reason.TimedOut) return true;
  const from = parseTime(c.lastUpdateTime) ?? now;
  return from + d.spec.progressDeadlineSeconds * 1000 < now;
}
