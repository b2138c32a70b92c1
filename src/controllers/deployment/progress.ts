/**
 * The Progressing condition of a rollout (upstream's progress.go): NewReplicaSetAvailable
 * once complete, ReplicaSetUpdated while pods move, ProgressDeadlineExceeded after
 * progressDeadlineSeconds without progress; and a timed requeue to notice that deadline.
 */
import type { KubeObject } from '../../api/object.js';
import { keyOf } from '../../client/index.js';
import { parseTime, type Condition } from '../controller-utils.js';
import {
  Reason, deploymentComplete, deploymentProgressing, deploymentTimedOut, getCondition, hasProgressDeadline,
  newCondition, removeCondition, setCondition, type DeploymentStatus,
} from './conditions.js';
import { calculateStatus } from './scale.js';
import { statusEqual, writeStatus, type DeploymentDeps } from './sync.js';
import type { RS } from './replicas.js';

export async function syncRolloutStatus(dc: DeploymentDeps, all: Array<RS | undefined>, newRS: RS | undefined, d: KubeObject): Promise<void> {
  const now = dc.clock.now();
  const s = calculateStatus(all, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const complete = (s.replicas ?? 0) === (s.updatedReplicas ?? 0) && current?.reason === Reason.NewRSAvailable;
  const subject = newRS ? `ReplicaSet "${newRS.metadata!.name}"` : `Deployment "${d.metadata!.name}"`;
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, s)) {
      setCondition(s, newCondition('Progressing', 'True', Reason.NewRSAvailable, `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, s)) {
      // Progress refreshes lastUpdateTime even with an unchanged reason (the deadline counts from it).
      const c = newCondition('Progressing', 'True', Reason.RSUpdated, `${subject} is progressing.`, now);
      if (current) {
        if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(s, 'Progressing');
      }
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, now)) {
      setCondition(s, newCondition('Progressing', 'False', Reason.TimedOut, `${subject} has timed out progressing.`, now));
    }
  }
  const failure = replicaFailure(all, newRS);
  if (failure) setCondition(s, failure); else removeCondition(s, 'ReplicaFailure');
  if (statusEqual(d.status, s)) {
    requeueStuck(dc, d, s, now);
    return;
  }
  d.status = s;
  await writeStatus(dc, d);
}

/** The new set's ReplicaFailure condition, else any old set's. */
function replicaFailure(all: Array<RS | undefined>, newRS: RS | undefined): Condition | undefined {
  const from = (rs: RS | undefined) => (rs?.status?.conditions as Condition[] | undefined)?.find(c => c.type === 'ReplicaFailure');
  const c = from(newRS) ?? all.map(from).find(Boolean);
  return c && { type: 'ReplicaFailure', status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
}

/** Without progress nothing wakes the Deployment up: look again when the deadline passes. */
function requeueStuck(dc: DeploymentDeps, d: KubeObject, s: DeploymentStatus, now: number): void {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return;
  if (deploymentComplete(d, s) || current.reason === Reason.TimedOut) return;
  const last = parseTime(current.lastUpdateTime) ?? now;
  const after = last + d.spec.progressDeadlineSeconds * 1000 - now;
  if (after < 1000) dc.enqueueRateLimited(keyOf(d));
  else dc.enqueueAfter(keyOf(d), after + 1000);
}
