/**
 * Finding (or creating) a Deployment's new ReplicaSet and keeping revisions in step
 * (upstream's sync.go getAllReplicaSetsAndSyncRevision / getNewReplicaSet), plus the
 * Deployment writes every path shares.
 *
 * Upstream writes the revision annotation through the status subresource (its status
 * strategy keeps metadata); kubeling's keeps only status, so annotation and status are
 * written separately here.
 */
import { AlreadyExistsError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { findResource } from '../../api/resources.js';
import type { Client, Clock, EventRecorder, Informer, Logger } from '../../client/index.js';
import { canonicalJson, controllerRefOf, int, isNamespaceTerminating, newControllerRef } from '../controller-utils.js';
import { HASH_LABEL, REVISION, maxRevision, setDeploymentRevision, setNewReplicaSetAnnotations } from './annotations.js';
import { Reason, getCondition, hasProgressDeadline, newCondition, setCondition, type DeploymentStatus } from './conditions.js';
import { computeHash, equalIgnoreHash, findNewReplicaSet } from './hash.js';
import { maxSurge, newRSNewReplicas, type RS } from './replicas.js';

export const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
export const REPLICASETS = findResource('apps', 'v1', 'replicasets')!;

/** What the sync functions need from the controller. */
export interface DeploymentDeps {
  client: Client;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  rsInformer: Informer<KubeObject>;
  enqueueAfter(key: string, ms: number): void;
  enqueueRateLimited(key: string): void;
}

/** Status write; the new resourceVersion is carried into `d` so later writes of this sync do not conflict. */
export async function writeStatus(dc: DeploymentDeps, d: KubeObject): Promise<void> {
  const out = await dc.client.updateStatus(DEPLOYMENTS, d);
  d.metadata!.resourceVersion = out.metadata?.resourceVersion;
}

/** Writes the revision annotation (merge patch, guarded by resourceVersion). */
async function writeRevision(dc: DeploymentDeps, d: KubeObject): Promise<void> {
  const m = d.metadata!;
  const out = await dc.client.patch(DEPLOYMENTS, m.name!, {
    metadata: { annotations: { [REVISION]: m.annotations![REVISION] }, resourceVersion: m.resourceVersion },
  }, { namespace: m.namespace, type: 'merge' });
  m.resourceVersion = out.metadata?.resourceVersion;
}

export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const norm = (s: DeploymentStatus | undefined) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s ?? {})) if (v !== 0 && !(Array.isArray(v) && v.length === 0)) o[k] = v;
    return canonicalJson(o);
  };
  return norm(a) === norm(b);
}

export interface SetsOfDeployment { newRS?: RS; oldRSs: RS[] }

export async function getAllReplicaSetsAndSyncRevision(dc: DeploymentDeps, d: KubeObject, rsList: RS[], create: boolean): Promise<SetsOfDeployment> {
  const existing = findNewReplicaSet(d, rsList);
  const oldRSs = rsList.filter(rs => rs !== existing);
  const newRS = await getNewReplicaSet(dc, d, existing, oldRSs, create);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(dc: DeploymentDeps, d: KubeObject, existing: RS | undefined, oldRSs: RS[], create: boolean): Promise<RS | undefined> {
  const now = dc.clock.now();
  const newRevision = String(maxRevision(oldRSs) + 1);
  if (existing) {
    const rsCopy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true, maxSurge(d));
    const minReady = int(d.spec?.minReadySeconds);
    if (annotationsUpdated || int(rsCopy.spec?.minReadySeconds) !== minReady) {
      rsCopy.spec.minReadySeconds = minReady;
      return dc.client.update(REPLICASETS, rsCopy);
    }
    // The set's own revision is authoritative once it carries one.
    const revisionChanged = setDeploymentRevision(d, rsCopy.metadata!.annotations![REVISION]!);
    if (revisionChanged) await writeRevision(dc, d);
    const status: DeploymentStatus = (d.status ??= {});
    if (hasProgressDeadline(d) && !getCondition(status, 'Progressing')) {
      setCondition(status, newCondition('Progressing', 'True', Reason.FoundNewRS, `Found new replica set "${rsCopy.metadata!.name}"`, now));
      await writeStatus(dc, d);
    }
    return rsCopy;
  }
  if (!create) return undefined;

  const status: DeploymentStatus = (d.status ??= {});
  const template = structuredClone(d.spec.template ?? {});
  const hash = computeHash(template, status.collisionCount);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
  const newRS: RS = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata!.name}-${hash}`, namespace: d.metadata!.namespace,
      ownerReferences: [newControllerRef(d, DEPLOYMENTS)], labels: template.metadata.labels,
    },
    spec: { replicas: 0, minReadySeconds: int(d.spec?.minReadySeconds), selector, template },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec.replicas = replicas;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false, maxSurge(d));

  let created: RS;
  let alreadyExists = false;
  try {
    created = await dc.client.create(REPLICASETS, newRS);
  } catch (e) {
    if (e instanceof AlreadyExistsError) {
      // Our cache may just lag; or another template hashed to the same name.
      const found = await dc.client.get(REPLICASETS, newRS.metadata!.name!, { namespace: d.metadata!.namespace });
      if (controllerRefOf(found)?.uid === d.metadata!.uid && equalIgnoreHash(d.spec.template, found.spec?.template)) {
        created = found;
        alreadyExists = true;
      } else {
        status.collisionCount = int(status.collisionCount) + 1;
        await writeStatus(dc, d);
        throw e;
      }
    } else {
      if (isNamespaceTerminating(e)) throw e;
      const msg = `Failed to create new replica set "${newRS.metadata!.name}": ${e instanceof Error ? e.message : String(e)}`;
      if (hasProgressDeadline(d)) {
        setCondition(status, newCondition('Progressing', 'False', Reason.FailedRSCreate, msg, now));
        await writeStatus(dc, d).catch(() => undefined);
      }
      dc.recorder.event(d, 'Warning', Reason.FailedRSCreate, msg);
      throw e;
    }
  }
  if (!alreadyExists && replicas > 0) {
    dc.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata!.name} from 0 to ${replicas}`);
  }
  if (setDeploymentRevision(d, newRevision)) await writeRevision(dc, d);
  if (!alreadyExists && hasProgressDeadline(d)) {
    setCondition(status, newCondition('Progressing', 'True', Reason.NewRSCreated, `Created new replica set "${created.metadata!.name}"`, now));
    await writeStatus(dc, d);
  }
  return created;
}
