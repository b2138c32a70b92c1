/**
 * The PVC and PV protection controllers (upstream's pvcprotection and pvprotection): the
 * kubernetes.io/pvc-protection finalizer keeps a deleted claim until no pod that has not
 * finished uses it; kubernetes.io/pv-protection keeps a deleted volume until it is no
 * longer Bound. Both also add their finalizer to objects that lack it.
 */
import { ConflictError, NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { findResource } from '../api/resources.js';
import { defaultLogger, deletedObject, type Client, type Informer } from '../client/index.js';
import { ControllerLoop } from './controller-utils-loop.js';
import type { ControllerContext, RunningController } from './controller-utils.js';

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';
const PVS = findResource('', 'v1', 'persistentvolumes')!;
const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;
const PODS = findResource('', 'v1', 'pods')!;

type Obj = KubeObject;

const finished = (p: Obj) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Claim names a pod uses (persistentVolumeClaim and generic ephemeral volumes). */
function claimsOf(pod: Obj): string[] {
  type Vol = { name: string; persistentVolumeClaim?: { claimName?: string }; ephemeral?: unknown };
  return ((pod.spec?.volumes ?? []) as Vol[]).flatMap(v =>
    v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : v.ephemeral ? [`${pod.metadata!.name}-${v.name}`] : []);
}

/** Adds or removes one finalizer with a resourceVersion precondition (a conflict retries the key). */
async function setFinalizer(client: Client, ri: typeof PVS, o: Obj, fin: string, present: boolean): Promise<void> {
  const cur: string[] = o.metadata?.finalizers ?? [];
  const next = present ? [...cur, fin] : cur.filter(f => f !== fin);
  try {
    await client.patch(ri, o.metadata!.name!, { metadata: { resourceVersion: o.metadata!.resourceVersion, finalizers: next } }, { namespace: o.metadata!.namespace });
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
  }
}

export class PVCProtectionController implements RunningController {
  readonly name = 'pvc-protection-controller';
  readonly claims: Informer<Obj>;
  readonly pods: Informer<Obj>;
  readonly #client: Client;
  readonly #loop: ControllerLoop;

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client.withComponent(this.name);
    this.claims = ctx.informers.informerFor(PVCS);
    this.pods = ctx.informers.informerFor(PODS);
    this.#loop = new ControllerLoop({ name: this.name, sync: k => this.sync(k), informers: [this.claims, this.pods], logger: ctx.logger ?? defaultLogger });
    const claim = (c: Obj) => {
      const has = (c.metadata?.finalizers ?? []).includes(PVC_PROTECTION);
      if (c.metadata?.deletionTimestamp ? has : !has) this.#loop.enqueue(`${c.metadata!.namespace}/${c.metadata!.name}`);
    };
    // A pod that finishes or goes away may free its claims.
    const pod = (p: Obj) => { for (const n of claimsOf(p)) this.#loop.enqueue(`${p.metadata!.namespace}/${n}`); };
    this.#loop.on(this.claims, { onAdd: claim, onUpdate: (_o, c) => claim(c) });
    this.#loop.on(this.pods, { onUpdate: (_o, p) => { if (finished(p)) pod(p); }, onDelete: o => pod(deletedObject(o)) });
  }

  start(): this { this.#loop.start(); return this; }

  async stop(): Promise<void> { await this.#loop.stop(); this.#client.close(); }

  async sync(key: string): Promise<void> {
    const c = this.claims.get(key);
    if (!c) return;
    const has = (c.metadata?.finalizers ?? []).includes(PVC_PROTECTION);
    if (!c.metadata?.deletionTimestamp) {
      if (!has) await setFinalizer(this.#client, PVCS, c, PVC_PROTECTION, true);
      return;
    }
    if (!has || await this.#inUse(c)) return;
    await setFinalizer(this.#client, PVCS, c, PVC_PROTECTION, false);
  }

  /** The cache first; when it says "unused", a fresh list makes sure (a pod may have just been created). */
  async #inUse(c: Obj): Promise<boolean> {
    const ns = c.metadata!.namespace!, name = c.metadata!.name!;
    const uses = (p: Obj) => !finished(p) && claimsOf(p).includes(name);
    if (this.pods.list().some(p => p.metadata?.namespace === ns && uses(p))) return true;
    return (await this.#client.list<Obj>(PODS, { namespace: ns })).items.some(uses);
  }
}

export class PVProtectionController implements RunningController {
  readonly name = 'pv-protection-controller';
  readonly volumes: Informer<Obj>;
  readonly #client: Client;
  readonly #loop: ControllerLoop;

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client.withComponent(this.name);
    this.volumes = ctx.informers.informerFor(PVS);
    this.#loop = new ControllerLoop({ name: this.name, sync: k => this.sync(k), informers: [this.volumes], logger: ctx.logger ?? defaultLogger });
    const volume = (v: Obj) => {
      const has = (v.metadata?.finalizers ?? []).includes(PV_PROTECTION);
      if (v.metadata?.deletionTimestamp ? has : !has) this.#loop.enqueue(v.metadata!.name!);
    };
    this.#loop.on(this.volumes, { onAdd: volume, onUpdate: (_o, v) => volume(v) });
  }

  start(): this { this.#loop.start(); return this; }

  async stop(): Promise<void> { await this.#loop.stop(); this.#client.close(); }

  async sync(name: string): Promise<void> {
    const v = this.volumes.get(name);
    if (!v) return;
    const has = (v.metadata?.finalizers ?? []).includes(PV_PROTECTION);
    try {
      if (!v.metadata?.deletionTimestamp) { if (!has) await setFinalizer(this.#client, PVS, v, PV_PROTECTION, true); return; }
      if (has && v.status?.phase !== 'Bound') await setFinalizer(this.#client, PVS, v, PV_PROTECTION, false);
    } catch (e) {
      if (e instanceof ConflictError) { this.#loop.enqueue(name); return; }
      throw e;
    }
  }
}
