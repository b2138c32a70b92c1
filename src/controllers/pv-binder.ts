/**
 * The PersistentVolume controller's binder (upstream's pkg/controller/volume/persistentvolume,
 * without in-tree volume plugins): claims are bound to matching volumes, both sides
 * pointing at each other (claim.spec.volumeName, volume.spec.claimRef) with their phases
 * Bound; claims of a WaitForFirstConsumer class wait for the scheduler's selected-node;
 * claims with nothing to bind are handed to their class's external provisioner through
 * the storage-provisioner annotation; volumes whose claim went away become Released
 * (their provisioner reclaims them) or Failed when nobody can.
 *
 * One queue holds both kinds of key: "claim:<ns>/<name>" and "volume:<name>".
 */
import { ConflictError, NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { findResource } from '../api/resources.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER, NO_PROVISIONER, claimClass, findMatchingVolume, isVolumeBoundToClaim,
} from '../api/storage/volume-match.js';
import { EventRecorder, defaultLogger, deletedObject, type Client, type Informer } from '../client/index.js';
import { ControllerLoop } from './controller-utils-loop.js';
import type { ControllerContext, RunningController } from './controller-utils.js';

export const PV_CONTROLLER = 'persistentvolume-binder-controller';
const PVS = findResource('', 'v1', 'persistentvolumes')!;
const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;
const CLASSES = findResource('storage.k8s.io', 'v1', 'storageclasses')!;

type Obj = KubeObject;

const claimKey = (c: Obj) => `claim:${c.metadata!.namespace}/${c.metadata!.name}`;
const volumeKey = (v: Obj) => `volume:${v.metadata!.name}`;
const isDelayed = (sc: Obj | undefined) => sc?.volumeBindingMode === 'WaitForFirstConsumer';

export class PersistentVolumeBinder implements RunningController {
  readonly name = PV_CONTROLLER;
  readonly volumes: Informer<Obj>;
  readonly claims: Informer<Obj>;
  readonly classes: Informer<Obj>;
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #loop: ControllerLoop;

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client.withComponent(PV_CONTROLLER);
    const logger = ctx.logger ?? defaultLogger;
    this.#recorder = new EventRecorder({ client: this.#client, component: 'persistentvolume-controller', clock: ctx.clock, logger });
    this.volumes = ctx.informers.informerFor(PVS);
    this.claims = ctx.informers.informerFor(PVCS);
    this.classes = ctx.informers.informerFor(CLASSES);
    this.#loop = new ControllerLoop({
      name: PV_CONTROLLER, sync: key => this.sync(key), workers: 2,
      informers: [this.volumes, this.claims, this.classes], logger,
    });
    const claim = (o: Obj) => this.#loop.enqueue(claimKey(o));
    const volume = (o: Obj) => {
      this.#loop.enqueue(volumeKey(o));
      // A volume that appears or changes may be what a waiting claim needs.
      const ref = o.spec?.claimRef;
      if (ref?.name && ref.namespace) this.#loop.enqueue(`claim:${ref.namespace}/${ref.name}`);
    };
    this.#loop.on(this.claims, {
      onAdd: claim,
      // Resyncs (old === new) re-check claims still waiting for a class or a new volume, as upstream's 15 s resync does.
      onUpdate: (o, c) => { if (o !== c || c.status?.phase !== 'Bound') claim(c); },
      // The volume it was bound to is now Released.
      onDelete: o => { const c = deletedObject(o); if (c.spec?.volumeName) this.#loop.enqueue(`volume:${c.spec.volumeName}`); },
    }, { resyncMs: 15_000 });
    this.#loop.on(this.volumes, {
      onAdd: volume, onUpdate: (_o, v) => volume(v),
      onDelete: o => { const v = deletedObject(o); const r = v.spec?.claimRef; if (r?.name) this.#loop.enqueue(`claim:${r.namespace}/${r.name}`); },
    });
  }

  start(): this { this.#loop.start(); return this; }

  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.#recorder.close();
    this.#client.close();
  }

  async sync(key: string): Promise<void> {
    const i = key.indexOf(':');
    const kind = key.slice(0, i), name = key.slice(i + 1);
    if (kind === 'claim') {
      const c = this.claims.get(name);
      if (c) await this.syncClaim(c);
    } else {
      const v = this.volumes.get(name);
      if (v) await this.syncVolume(v);
    }
  }

  // ---- claims ------------------------------------------------------------------------

  async syncClaim(claim: Obj): Promise<void> {
    if (claim.metadata?.deletionTimestamp) return;
    if (!claim.spec?.volumeName) return this.#syncUnboundClaim(claim);
    const pv = this.volumes.get(claim.spec.volumeName);
    if (!pv) {
      // Bound before (bind-completed): the data is gone. Pre-bound by the user: wait for the volume.
      if (claim.metadata?.annotations?.[ANN_BIND_COMPLETED]) {
        if (claim.status?.phase !== 'Lost') {
          await this.#claimPhase(claim, 'Lost');
          this.#recorder.event(claim, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
        }
      } else if (claim.status?.phase !== 'Pending') await this.#claimPhase(claim, 'Pending');
      return;
    }
    const ref = pv.spec?.claimRef;
    if (!ref || isVolumeBoundToClaim(pv, claim)) { await this.#bind(pv, claim); return; }
    if (claim.status?.phase !== 'Lost') {
      await this.#claimPhase(claim, 'Lost');
      this.#recorder.event(claim, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
    }
  }

  async #syncUnboundClaim(claim: Obj): Promise<void> {
    const className = claimClass(claim);
    const sc = className ? this.classes.get(className) : undefined;
    const delayed = isDelayed(sc) && !claim.metadata?.annotations?.[ANN_SELECTED_NODE];
    const pv = findMatchingVolume(claim, this.volumes.list(), { delayBinding: isDelayed(sc) });
    if (pv) { await this.#bind(pv, claim); return; }
    if (claim.status?.phase !== 'Pending') await this.#claimPhase(claim, 'Pending');
    if (!className) {
      this.#recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    if (!sc) {
      this.#recorder.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    if (delayed) {
      this.#recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return;
    }
    if (sc.provisioner === NO_PROVISIONER) {
      this.#recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    // Hand the claim to the external provisioner named by its class.
    const ann = claim.metadata?.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== sc.provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== sc.provisioner) {
      await this.#client.patch(PVCS, claim.metadata!.name!, {
        metadata: {
          resourceVersion: claim.metadata!.resourceVersion,
          annotations: { [ANN_STORAGE_PROVISIONER]: sc.provisioner, [ANN_BETA_STORAGE_PROVISIONER]: sc.provisioner },
        },
      }, { namespace: claim.metadata!.namespace });
    }
    this.#recorder.event(claim, 'Normal', 'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
  }

  /** Both halves of a binding, each step skipped when already done (so a retry resumes). */
  async #bind(pv: Obj, claim: Obj): Promise<void> {
    const m = claim.metadata!;
    const ref = pv.spec?.claimRef;
    let volume = pv;
    if (!ref || ref.uid !== m.uid || ref.name !== m.name || ref.namespace !== m.namespace) {
      volume = await this.#client.patch<Obj>(PVS, pv.metadata!.name!, {
        metadata: {
          resourceVersion: pv.metadata!.resourceVersion,
          ...(ref ? {} : { annotations: { [ANN_BOUND_BY_CONTROLLER]: 'yes' } }),
        },
        spec: { claimRef: { kind: 'PersistentVolumeClaim', namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: 'v1', resourceVersion: m.resourceVersion } },
      });
    }
    if (volume.status?.phase !== 'Bound') {
      volume = await this.#client.patch<Obj>(PVS, pv.metadata!.name!, { metadata: { resourceVersion: volume.metadata!.resourceVersion }, status: { phase: 'Bound' } }, { subresource: 'status' });
    }
    let c = claim;
    const ann = c.metadata?.annotations ?? {};
    if (c.spec?.volumeName !== pv.metadata!.name || ann[ANN_BIND_COMPLETED] !== 'yes') {
      const byController = !c.spec?.volumeName;
      c = await this.#client.patch<Obj>(PVCS, m.name!, {
        metadata: {
          resourceVersion: c.metadata!.resourceVersion,
          annotations: { [ANN_BIND_COMPLETED]: 'yes', ...(byController ? { [ANN_BOUND_BY_CONTROLLER]: 'yes' } : {}) },
        },
        spec: { volumeName: pv.metadata!.name },
      }, { namespace: m.namespace });
    }
    const capacity = volume.spec?.capacity ?? {};
    const modes = volume.spec?.accessModes ?? [];
    const st = c.status ?? {};
    if (st.phase !== 'Bound' || JSON.stringify(st.capacity ?? {}) !== JSON.stringify(capacity) || JSON.stringify(st.accessModes ?? []) !== JSON.stringify(modes)) {
      await this.#client.patch(PVCS, m.name!, {
        metadata: { resourceVersion: c.metadata!.resourceVersion }, status: { phase: 'Bound', capacity, accessModes: modes },
      }, { namespace: m.namespace, subresource: 'status' });
    }
  }

  async #claimPhase(claim: Obj, phase: string): Promise<void> {
    await this.#client.patch(PVCS, claim.metadata!.name!, { metadata: { resourceVersion: claim.metadata!.resourceVersion }, status: { phase } },
      { namespace: claim.metadata!.namespace, subresource: 'status' });
  }

  // ---- volumes -----------------------------------------------------------------------

  async syncVolume(pv: Obj): Promise<void> {
    if (pv.metadata?.deletionTimestamp) return;
    const ref = pv.spec?.claimRef;
    if (!ref) { await this.#volumePhase(pv, 'Available'); return; }
    if (!ref.uid) { await this.#volumePhase(pv, 'Available'); return; } // pre-bound by name: the claim's sync binds it
    const claim = this.claims.get(`${ref.namespace}/${ref.name}`) ?? await this.#freshClaim(ref.namespace, ref.name);
    if (!claim || claim.metadata?.uid !== ref.uid) { await this.#release(pv); return; }
    if (!claim.spec?.volumeName) { this.#loop.enqueue(claimKey(claim)); return; } // the claim's sync completes the binding
    if (claim.spec.volumeName === pv.metadata!.name) { await this.#volumePhase(pv, 'Bound'); return; }
    // The claim went to another volume: a volume we bound is free again; one a user pre-bound stays Released.
    if (pv.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER]) {
      await this.#client.patch(PVS, pv.metadata!.name!, { metadata: { resourceVersion: pv.metadata!.resourceVersion }, spec: { claimRef: null } });
    } else await this.#volumePhase(pv, 'Released');
  }

  /** The cache may lag behind a claim that was just created: only a fresh NotFound proves it is gone. */
  async #freshClaim(ns: string, name: string): Promise<Obj | undefined> {
    try { return await this.#client.get<Obj>(PVCS, name, { namespace: ns }); } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  /**
   * The claim is gone: Released, then reclaimed by policy. Retain keeps it; Delete is the
   * provisioner's job for volumes it provisioned (there are no in-tree deleters here).
   */
  async #release(pv: Obj): Promise<void> {
    if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') pv = await this.#volumePhase(pv, 'Released');
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain' || pv.status?.phase === 'Failed') return;
    if (policy === 'Delete' && pv.metadata?.annotations?.[ANN_PROVISIONED_BY]) return;
    const message = policy === 'Recycle'
      ? 'No recycler plugin found for the volume!'
      : `error getting deleter volume plugin for volume "${pv.metadata!.name}": no deletable volume plugin matched`;
    await this.#volumePhase(pv, 'Failed', message);
    this.#recorder.event(pv, 'Warning', policy === 'Recycle' ? 'VolumeFailedRecycle' : 'VolumeFailedDelete', message);
  }

  async #volumePhase(pv: Obj, phase: string, message?: string): Promise<Obj> {
    if (pv.status?.phase === phase && (message === undefined || pv.status?.message === message)) return pv;
    try {
      return await this.#client.patch<Obj>(PVS, pv.metadata!.name!, {
        metadata: { resourceVersion: pv.metadata!.resourceVersion }, status: { phase, message: message ?? null },
      }, { subresource: 'status' });
    } catch (e) {
      if (e instanceof NotFoundError) return pv;
      if (e instanceof ConflictError) this.#loop.enqueue(volumeKey(pv));
      throw e;
    }
  }
}
