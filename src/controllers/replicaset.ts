/**
 * The ReplicaSet controller (also the ReplicationController controller: one
 * implementation, two kinds, as upstream). Keeps `spec.replicas` active pods matching the
 * selector, stamped from the template; adopts matching orphans, releases pods that stop
 * matching, and reports status.
 *
 * Level-triggered: informer events only queue the owner's key; sync() reads the caches.
 * Expectations stop a sync from acting again before its own creates/deletes are seen.
 */
import type { KubeObject, OwnerReference } from '../api/object.js';
import { findResource, type ResourceInfo } from '../api/resources.js';
import { labelSelectorFromObject, type LabelMatcher } from '../api/selectors/index.js';
import {
  EventRecorder, defaultLogger, deletedObject, indexByControllerUid, keyOf, realClock, type Clock, type DeletedFinalStateUnknown,
  type Informer, type Logger,
} from '../client/index.js';
import { claimObjects } from './controller-utils-claim.js';
import { ControllerExpectations } from './controller-utils-expectations.js';
import { ControllerLoop } from './controller-utils-loop.js';
import {
  CONTROLLER_UID_INDEX, ORPHAN_NAMESPACE_INDEX, controllerRefOf, indexOrphansByNamespace, int, isPodActive, isPodReady,
  type ControllerContext, type RunningController,
} from './controller-utils.js';
import { manageReplicas } from './replicaset-manage.js';
import { calculateStatus, updateReplicaSetStatus } from './replicaset-status.js';

/** What differs between ReplicaSets and ReplicationControllers. */
export interface ReplicaSetKind {
  resource: ResourceInfo;
  /** Event source and controller name, e.g. "replicaset-controller". */
  component: string;
  /** The pod selector; throws for an invalid one. */
  selectorOf(rs: KubeObject): LabelMatcher;
}

export const REPLICASET_KIND: ReplicaSetKind = {
  resource: findResource('apps', 'v1', 'replicasets')!,
  component: 'replicaset-controller',
  selectorOf: rs => labelSelectorFromObject(rs.spec?.selector),
};

const PODS = findResource('', 'v1', 'pods')!;

export interface ReplicaSetControllerOptions { workers?: number }

export class ReplicaSetController implements RunningController {
  readonly name: string;
  readonly kind: ReplicaSetKind;
  readonly ctx: ControllerContext;
  readonly rsInformer: Informer<KubeObject>;
  readonly podInformer: Informer<KubeObject>;
  readonly expectations: ControllerExpectations;
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  readonly #loop: ControllerLoop;

  constructor(ctx: ControllerContext, kind: ReplicaSetKind = REPLICASET_KIND, opts: ReplicaSetControllerOptions = {}) {
    this.ctx = ctx;
    this.kind = kind;
    this.name = kind.component;
    this.clock = ctx.clock ?? realClock;
    this.log = ctx.logger ?? defaultLogger;
    this.expectations = new ControllerExpectations(this.clock);
    this.recorder = new EventRecorder({ client: ctx.client, component: kind.component, logger: this.log });
    this.rsInformer = ctx.informers.informerFor(kind.resource);
    this.podInformer = ctx.informers.informerFor(PODS);
    this.podInformer.addIndexer(CONTROLLER_UID_INDEX, indexByControllerUid);
    this.podInformer.addIndexer(ORPHAN_NAMESPACE_INDEX, indexOrphansByNamespace);
    this.rsInformer.addIndexer(CONTROLLER_UID_INDEX, indexByControllerUid);
    this.#loop = new ControllerLoop({
      name: kind.component, sync: key => this.sync(key), workers: opts.workers ?? 5,
      informers: [this.rsInformer, this.podInformer], logger: this.log,
    });
    this.#loop.on(this.rsInformer, {
      onAdd: rs => this.#loop.enqueue(keyOf(rs)),
      onUpdate: (old, cur) => {
        if (old.metadata?.uid !== cur.metadata?.uid) this.#deleteRS(old);
        this.#loop.enqueue(keyOf(cur));
      },
      onDelete: rs => this.#deleteRS(rs),
    });
    this.#loop.on(this.podInformer, {
      onAdd: pod => this.#addPod(pod),
      onUpdate: (old, cur) => this.#updatePod(old, cur),
      onDelete: pod => this.#deletePod(pod),
    });
  }

  start(): this { this.#loop.start(); return this; }

  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.recorder.close();
  }

  /** Reconciles one ReplicaSet (namespace/name). */
  async sync(key: string): Promise<void> {
    const rs = this.rsInformer.get(key);
    if (!rs) { this.expectations.delete(key); return; }
    let selector: LabelMatcher;
    try { selector = this.kind.selectorOf(rs); } catch (e) {
      // A bad selector will not fix itself by retrying.
      this.log.warn('invalid selector', { controller: this.name, key, error: String(e) });
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    // The pods it may claim: its own and the namespace's orphans (others' pods are never
    // claimed), from two indices instead of every pod in the namespace on every sync.
    const active = [
      ...this.podInformer.byIndex(CONTROLLER_UID_INDEX, rs.metadata!.uid!),
      ...this.podInformer.byIndex(ORPHAN_NAMESPACE_INDEX, rs.metadata!.namespace!),
    ].filter(p => isPodActive(p) && p.metadata?.namespace === rs.metadata!.namespace);
    const pods = await claimObjects(active, {
      client: this.ctx.client, owner: rs, ownerResource: this.kind.resource, childResource: PODS, selector,
    });
    let manageErr: unknown;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      try { await manageReplicas(this, rs, pods); } catch (e) { manageErr = e; }
    }
    const now = this.clock.now();
    const updated = await updateReplicaSetStatus(this.ctx.client, this.kind.resource, rs, calculateStatus(rs, pods, manageErr, now));
    const replicas = int(updated.spec?.replicas, 1), minReady = int(updated.spec?.minReadySeconds);
    // Pods become available minReadySeconds after turning ready: look again then.
    if (manageErr === undefined && minReady > 0 && int(updated.status?.readyReplicas) === replicas
      && int(updated.status?.availableReplicas) !== replicas) {
      this.#loop.enqueueAfter(key, minReady * 1000);
    }
    if (manageErr !== undefined) throw manageErr;
  }

  /** Active pods of every ReplicaSet sharing this one's controller (for deletion ranking). */
  relatedPods(rs: KubeObject): KubeObject[] {
    const ref = controllerRefOf(rs);
    const sets = ref ? this.rsInformer.byIndex(CONTROLLER_UID_INDEX, ref.uid) : [rs];
    const seen = new Set<string>();
    const out: KubeObject[] = [];
    for (const s of sets) {
      for (const p of this.podInformer.byIndex(CONTROLLER_UID_INDEX, s.metadata!.uid!)) {
        if (!isPodActive(p) || seen.has(p.metadata!.uid!)) continue;
        seen.add(p.metadata!.uid!);
        out.push(p);
      }
    }
    return out;
  }

  #deleteRS(x: KubeObject | DeletedFinalStateUnknown<KubeObject>): void {
    const key = keyOf(deletedObject(x));
    this.expectations.delete(key);
    this.#loop.enqueue(key);
  }

  /** The ReplicaSet a controller reference names, if it is ours and still the same object. */
  #resolve(namespace: string | undefined, ref: OwnerReference): KubeObject | undefined {
    if (ref.kind !== this.kind.resource.kind) return undefined;
    const rs = this.rsInformer.getByName(ref.name, namespace);
    return rs && rs.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose (non-empty) selector matches it. */
  #matching(pod: KubeObject): KubeObject[] {
    return this.rsInformer.listByNamespace(pod.metadata?.namespace ?? '').filter(rs => {
      try {
        const sel = this.kind.selectorOf(rs);
        return !sel.empty && sel.matches(pod.metadata?.labels);
      } catch { return false; }
    });
  }

  #addPod(pod: KubeObject): void {
    if (pod.metadata?.deletionTimestamp) { this.#deletePod(pod); return; }
    const ref = controllerRefOf(pod);
    if (ref) {
      const rs = this.#resolve(pod.metadata?.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.#loop.enqueue(keyOf(rs));
      return;
    }
    for (const rs of this.#matching(pod)) this.#loop.enqueue(keyOf(rs));
  }

  #updatePod(old: KubeObject, cur: KubeObject): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      // A graceful deletion counts as observed as soon as it starts.
      this.#deletePod(cur);
      if (labelsChanged) this.#deletePod(old);
      return;
    }
    const oldRef = controllerRefOf(old), curRef = controllerRefOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const rs = this.#resolve(old.metadata?.namespace, oldRef);
      if (rs) this.#loop.enqueue(keyOf(rs));
    }
    if (curRef) {
      const rs = this.#resolve(cur.metadata?.namespace, curRef);
      if (!rs) return;
      this.#loop.enqueue(keyOf(rs));
      const minReady = int(rs.spec?.minReadySeconds);
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.#loop.enqueueAfter(keyOf(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.#matching(cur)) this.#loop.enqueue(keyOf(rs));
  }

  #deletePod(x: KubeObject | DeletedFinalStateUnknown<KubeObject>): void {
    const pod = deletedObject(x);
    const ref = controllerRefOf(pod);
    if (!ref) return;
    const rs = this.#resolve(pod.metadata?.namespace, ref);
    if (!rs) return;
    this.expectations.deletionObserved(keyOf(rs), keyOf(pod));
    this.#loop.enqueue(keyOf(rs));
  }
}
