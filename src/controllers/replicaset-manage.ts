/**
 * manageReplicas: create or delete pods until the ReplicaSet has `spec.replicas` of them
 * (upstream's replica_set.go manageReplicas and PodControl). Creates run in slow-start
 * batches (1, 2, 4…) so a failing template costs one error, not a thousand.
 */
import { NotFoundError } from '../api/errors.js';
import type { KubeObject, OwnerReference } from '../api/object.js';
import { findResource } from '../api/resources.js';
import { keyOf } from '../client/index.js';
import { podsToDelete } from './controller-utils-ranking.js';
import { int, isNamespaceTerminating, newControllerRef, slowStartBatch } from './controller-utils.js';
import type { ReplicaSetController } from './replicaset.js';

const PODS = findResource('', 'v1', 'pods')!;

/** At most this many creates or deletes per sync (upstream's BurstReplicas). */
export const BURST_REPLICAS = 500;

export async function manageReplicas(c: ReplicaSetController, rs: KubeObject, pods: KubeObject[]): Promise<void> {
  const key = keyOf(rs);
  const diff = pods.length - int(rs.spec?.replicas, 1);
  if (diff < 0) {
    const n = Math.min(-diff, BURST_REPLICAS);
    // Expect first: the informer may deliver our creations before the requests return.
    c.expectations.expectCreations(key, n);
    const ref = newControllerRef(rs, c.kind.resource);
    const { successes, error } = await slowStartBatch(n, () => createPod(c, rs, ref));
    // Pods never attempted will never be observed.
    for (let i = successes; i < n; i++) c.expectations.creationObserved(key);
    if (error !== undefined) throw error;
    return;
  }
  if (diff > 0) {
    const n = Math.min(diff, BURST_REPLICAS);
    const victims = podsToDelete(pods, c.relatedPods(rs), n, c.clock.now());
    c.expectations.expectDeletions(key, victims.map(keyOf));
    const errors = await Promise.all(victims.map(async pod => {
      try {
        await deletePod(c, rs, pod);
        return undefined;
      } catch (e) {
        // This deletion will not be observed (it failed or was someone else's).
        c.expectations.deletionObserved(key, keyOf(pod));
        return e instanceof NotFoundError ? undefined : e;
      }
    }));
    const err = errors.find(e => e !== undefined);
    if (err !== undefined) throw err;
  }
}

/** The pod a controller stamps out of its template (controller.GetPodFromTemplate). */
export function podFromTemplate(template: KubeObject | undefined, parent: KubeObject, ref: OwnerReference): KubeObject {
  const t = structuredClone(template ?? {}) as KubeObject;
  const labels = { ...(t.metadata?.labels ?? {}) };
  if (Object.keys(labels).length === 0) throw new Error('unable to create pods, no labels');
  const meta: NonNullable<KubeObject['metadata']> = {
    generateName: `${parent.metadata!.name}-`,
    namespace: parent.metadata!.namespace,
    labels,
    ownerReferences: [ref],
  };
  if (t.metadata?.annotations) meta.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers?.length) meta.finalizers = [...t.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: t.spec ?? {} };
}

async function createPod(c: ReplicaSetController, rs: KubeObject, ref: OwnerReference): Promise<void> {
  try {
    const pod = podFromTemplate(rs.spec?.template, rs, ref);
    const created = await c.ctx.client.create(PODS, pod, { namespace: rs.metadata!.namespace });
    c.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
  } catch (e) {
    // Every create in a terminating namespace fails; that is expected, not an error.
    if (isNamespaceTerminating(e)) return;
    c.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}

async function deletePod(c: ReplicaSetController, rs: KubeObject, pod: KubeObject): Promise<void> {
  const name = pod.metadata!.name!;
  try {
    await c.ctx.client.delete(PODS, name, { namespace: pod.metadata!.namespace });
  } catch (e) {
    if (!(e instanceof NotFoundError)) c.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
  c.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
}
