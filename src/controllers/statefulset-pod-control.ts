/**
 * StatefulPodControl: the writes the StatefulSet controller makes for one pod — create
 * (claims first), repair identity/storage, delete — each with upstream's event text.
 */
import { AlreadyExistsError, NotFoundError } from '../api/errors.js';
import type { Client, EventRecorder, Informer } from '../client/index.js';
import { claimsFor, ordinalOf, repaired } from './statefulset-pods.js';
import { POD, PVC, deleteIgnoringNotFound, newControllerRef, type Obj } from './workload-utils-b.js';

export class StatefulPodControl {
  constructor(
    readonly client: Client,
    readonly recorder: EventRecorder,
    readonly pvcs: Informer,
  ) {}

  async create(set: Obj, pod: Obj): Promise<void> {
    await this.createMissingClaims(set, pod);
    try {
      await this.client.create<Obj>(POD, pod, { namespace: set.metadata!.namespace });
      this.#event(set, 'create', 'Pod', pod.metadata!.name!);
    } catch (e) {
      // The cache was stale: the pod exists, the next sync will see it.
      if (e instanceof AlreadyExistsError) return;
      this.#event(set, 'create', 'Pod', pod.metadata!.name!, e);
      throw e;
    }
  }

  /** Restores identity and storage on an existing pod (a deep copy is written). */
  async update(set: Obj, pod: Obj): Promise<void> {
    await this.createMissingClaims(set, pod);
    try {
      await this.client.update<Obj>(POD, repaired(set, pod));
      this.#event(set, 'update', 'Pod', pod.metadata!.name!);
    } catch (e) {
      if (e instanceof NotFoundError) return;
      this.#event(set, 'update', 'Pod', pod.metadata!.name!, e);
      throw e;
    }
  }

  async delete(set: Obj, pod: Obj): Promise<void> {
    try {
      await deleteIgnoringNotFound(this.client, POD, pod);
      this.#event(set, 'delete', 'Pod', pod.metadata!.name!);
    } catch (e) {
      this.#event(set, 'delete', 'Pod', pod.metadata!.name!, e);
      throw e;
    }
  }

  /** Creates the pod's claims that are missing; existing claims are never changed (Retain). */
  async createMissingClaims(set: Obj, pod: Obj): Promise<void> {
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const name = claim.metadata!.name!;
      if (this.pvcs.getByName(name, set.metadata!.namespace)) continue;
      try {
        await this.client.create<Obj>(PVC, claim, { namespace: set.metadata!.namespace });
        this.recorder.event(set, 'Normal', 'SuccessfulCreate',
          `create Claim ${name} Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} success`);
      } catch (e) {
        if (e instanceof AlreadyExistsError) continue;
        this.recorder.event(set, 'Warning', 'FailedCreate',
          `create Claim ${name} for Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} failed error: ${(e as Error).message}`);
        throw e;
      }
    }
  }

  /**
   * persistentVolumeClaimRetentionPolicy.whenScaled=Delete: a condemned pod's claims get
   * the pod as owner, so the garbage collector removes them with it.
   */
  async ownClaimsByPod(set: Obj, pod: Obj): Promise<void> {
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    const ref = { ...newControllerRef(pod, 'v1', 'Pod'), controller: false, blockOwnerDeletion: false };
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const cur = this.pvcs.getByName(claim.metadata!.name!, set.metadata!.namespace);
      if (!cur || cur.metadata?.ownerReferences?.some(r => r.uid === ref.uid)) continue;
      await this.client.patch<Obj>(PVC, cur.metadata!.name!, { metadata: { ownerReferences: [ref] } },
        { namespace: set.metadata!.namespace, type: 'strategic' }).catch(e => { if (!(e instanceof NotFoundError)) throw e; });
    }
  }

  #event(set: Obj, verb: string, kind: string, name: string, err?: unknown): void {
    const setName = set.metadata!.name;
    if (err === undefined) {
      const reason = `Successful${verb[0].toUpperCase()}${verb.slice(1)}`;
      this.recorder.event(set, 'Normal', reason, `${verb} ${kind} ${name} in StatefulSet ${setName} successful`);
    } else {
      const reason = `Failed${verb[0].toUpperCase()}${verb.slice(1)}`;
      this.recorder.event(set, 'Warning', reason, `${verb} ${kind} ${name} in StatefulSet ${setName} failed error: ${(err as Error).message}`);
    }
  }
}
