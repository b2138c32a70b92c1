/**
 * What the VolumeBinding plugin reads and writes: claims, volumes and classes from the
 * scheduler's informers, and PreBind's two writes (a claimRef on a picked volume, the
 * selected-node annotation on a claim to provision). Waiting for "Bound" follows the
 * claim informer, not polling.
 */
import type { KubeObject } from '../api/object.js';
import { ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE } from '../api/storage/volume-match.js';
import type { Client, Informer, SharedInformerFactory } from '../client/index.js';
import type { ClusterEvent, VolumeAccess } from './framework/interface.js';

export const PVCS = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' };
export const PVS = { apiVersion: 'v1', kind: 'PersistentVolume' };
export const CLASSES = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' };

type Obj = KubeObject;

const isBound = (c: Obj | undefined) => !!c?.spec?.volumeName && c.status?.phase === 'Bound';

export class InformerVolumeAccess implements VolumeAccess {
  readonly claims: Informer<Obj>;
  readonly pvs: Informer<Obj>;
  readonly classes: Informer<Obj>;
  readonly assumed = new Map<string, string>();
  readonly #client: Client;
  /** Pending waits: check → finish. */
  readonly #waiters = new Map<() => void, (ok: boolean) => void>();
  readonly #removers: Array<() => void> = [];

  /** `onEvent` passes storage changes on to the scheduling queue. */
  constructor(client: Client, informers: SharedInformerFactory, onEvent: (ev: ClusterEvent) => void) {
    this.#client = client;
    this.claims = informers.informerFor(PVCS);
    this.pvs = informers.informerFor(PVS);
    this.classes = informers.informerFor(CLASSES);
    const wake = () => { for (const w of [...this.#waiters.keys()]) w(); };
    const on = (inf: Informer<Obj>, resource: ClusterEvent['resource'], extra?: () => void) => {
      this.#removers.push(inf.addEventHandler({
        onAdd: () => { onEvent({ resource, action: 'Add' }); extra?.(); },
        onUpdate: (o, n) => { if (o !== n) { onEvent({ resource, action: 'Update' }); extra?.(); } },
      }));
    };
    on(this.claims, 'PersistentVolumeClaim', wake);
    on(this.pvs, 'PersistentVolume');
    on(this.classes, 'StorageClass');
  }

  get informers(): Informer<Obj>[] { return [this.claims, this.pvs, this.classes]; }

  claim(namespace: string, name: string): Obj | undefined { return this.claims.get(`${namespace}/${name}`); }
  volume(name: string): Obj | undefined { return this.pvs.get(name); }
  volumes(): readonly Obj[] { return this.pvs.list(); }
  storageClass(name: string): Obj | undefined { return name ? this.classes.get(name) : undefined; }

  async bind(claimRefs: ReadonlyArray<{ volume: string; claim: Obj }>, provision: readonly Obj[], node: string): Promise<void> {
    for (const { volume, claim } of claimRefs) {
      const m = claim.metadata!;
      const pv = this.pvs.get(volume);
      await this.#client.patch(PVS, volume, {
        metadata: { resourceVersion: pv?.metadata?.resourceVersion, annotations: { [ANN_BOUND_BY_CONTROLLER]: 'yes' } },
        spec: { claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion } },
      });
    }
    for (const c of provision) {
      const cur = this.claims.get(`${c.metadata!.namespace}/${c.metadata!.name}`) ?? c;
      if (cur.metadata?.annotations?.[ANN_SELECTED_NODE] === node) continue;
      await this.#client.patch(PVCS, c.metadata!.name!, {
        metadata: { resourceVersion: cur.metadata!.resourceVersion, annotations: { [ANN_SELECTED_NODE]: node } },
      }, { namespace: c.metadata!.namespace });
    }
  }

  waitForBound(claims: ReadonlyArray<{ namespace: string; name: string }>, timeoutMs: number): Promise<boolean> {
    const done = () => claims.every(c => isBound(this.claims.get(`${c.namespace}/${c.name}`)));
    if (done()) return Promise.resolve(true);
    return new Promise(resolve => {
      const finish = (ok: boolean) => { clearTimeout(timer); this.#waiters.delete(check); resolve(ok); };
      const check = () => { if (done()) finish(true); };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.#waiters.set(check, finish);
    });
  }

  stop(): void {
    for (const r of this.#removers.splice(0)) r();
    for (const finish of [...this.#waiters.values()]) finish(false);
  }
}
