/**
 * RollingUpdate (upstream's rolling.go): scale the new set up within maxSurge, scale old
 * sets down while at least replicas − maxUnavailable pods stay available, unhealthy old
 * pods first.
 */
import type { KubeObject } from '../../api/object.js';
import { int } from '../controller-utils.js';
import { deploymentComplete } from './conditions.js';
import { syncRolloutStatus } from './progress.js';
import {
  activeSets, availableReplicaCount, byCreation, maxUnavailable, newRSNewReplicas, replicaCount, specReplicas, type RS,
} from './replicas.js';
import { cleanupDeployment, scaleAndRecord } from './scale.js';
import { getAllReplicaSetsAndSyncRevision, type DeploymentDeps } from './sync.js';

export async function rolloutRolling(dc: DeploymentDeps, d: KubeObject, rsList: RS[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, true);
  const all = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(dc, all, newRS!, d)) return syncRolloutStatus(dc, all, newRS, d);
  if (await reconcileOldReplicaSets(dc, all, activeSets(oldRSs), newRS!, d)) return syncRolloutStatus(dc, all, newRS, d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(dc, oldRSs, d);
  return syncRolloutStatus(dc, all, newRS, d);
}

async function reconcileNewReplicaSet(dc: DeploymentDeps, all: RS[], newRS: RS, d: KubeObject): Promise<boolean> {
  const want = specReplicas(d);
  if (specReplicas(newRS) === want) return false;
  if (specReplicas(newRS) > want) return (await scaleAndRecord(dc, newRS, want, d)).scaled;
  return (await scaleAndRecord(dc, newRS, newRSNewReplicas(d, all, newRS), d)).scaled;
}

async function reconcileOldReplicaSets(dc: DeploymentDeps, all: RS[], oldRSs: RS[], newRS: RS, d: KubeObject): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - int(newRS.status?.availableReplicas);
  const maxScaledDown = replicaCount(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  // Errors here are not returned (as upstream): the next sync tries again.
  try {
    const cleaned = await cleanupUnhealthyReplicas(dc, oldRSs, d, maxScaledDown);
    const scaledDown = await scaleDownOldReplicaSets(dc, [...cleaned.oldRSs, newRS], cleaned.oldRSs, d);
    return cleaned.count + scaledDown > 0;
  } catch (e) {
    dc.log.info('scaling down old replica sets failed', { deployment: d.metadata?.name, error: String(e) });
    return false;
  }
}

/** Scales old sets down by their unavailable pods (they cost no availability). */
async function cleanupUnhealthyReplicas(dc: DeploymentDeps, oldRSs: RS[], d: KubeObject, max: number): Promise<{ oldRSs: RS[]; count: number }> {
  const sets = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < sets.length; i++) {
    const rs = sets[i]!;
    if (total >= max) break;
    const replicas = specReplicas(rs), available = int(rs.status?.availableReplicas);
    if (replicas === 0 || replicas === available) continue;
    const down = Math.min(max - total, replicas - available);
    sets[i] = (await scaleAndRecord(dc, rs, replicas - down, d)).rs;
    total += down;
  }
  return { oldRSs: sets, count: total };
}

/** Scales old sets down (oldest first) as far as availability above the minimum allows. */
async function scaleDownOldReplicaSets(dc: DeploymentDeps, all: RS[], oldRSs: RS[], d: KubeObject): Promise<number> {
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const available = availableReplicaCount(all);
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    if (specReplicas(rs) === 0) continue;
    const down = Math.min(specReplicas(rs), budget - total);
    await scaleAndRecord(dc, rs, specReplicas(rs) - down, d);
    total += down;
  }
  return total;
}
