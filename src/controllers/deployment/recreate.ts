/**
 * Recreate (upstream's recreate.go): scale every old set to zero, wait until no old pod
 * is left running, then create/scale the new set to the full count.
 */
import type { KubeObject } from '../../api/object.js';
import { deploymentComplete } from './conditions.js';
import { syncRolloutStatus } from './progress.js';
import { activeSets, actualReplicaCount, specReplicas, type RS } from './replicas.js';
import { cleanupDeployment, scaleAndRecord } from './scale.js';
import { getAllReplicaSetsAndSyncRevision, type DeploymentDeps } from './sync.js';

/** Pods of the Deployment, by the uid of the ReplicaSet controlling them. */
export type PodMap = Map<string, KubeObject[]>;

export async function rolloutRecreate(dc: DeploymentDeps, d: KubeObject, rsList: RS[], podMap: PodMap): Promise<void> {
  // Do not create the new set yet: nothing may scale up before the old pods are gone.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  let all = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeSets(oldRSs)) {
    if ((await scaleAndRecord(dc, rs, 0, d)).scaled) scaledDown = true;
  }
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(dc, all, newRS, d);
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, true));
    all = [...oldRSs, newRS];
  }
  await scaleAndRecord(dc, newRS!, specReplicas(d), d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(dc, oldRSs, d);
  return syncRolloutStatus(dc, all, newRS, d);
}

function oldPodsRunning(newRS: RS | undefined, oldRSs: RS[], podMap: PodMap): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    // Only finished pods are certainly not running (Unknown may still be).
    if (pods.some(p => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
