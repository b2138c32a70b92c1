/**
 * The Deployment controller (upstream's deployment_controller.go): watches Deployments,
 * their ReplicaSets and (for Recreate) pod deletions, and syncs each Deployment key:
 * claim sets → paused/scaling/rollout by strategy → status.
 */
import type { KubeObject, OwnerReference } from '../../api/object.js';
import { findResource } from '../../api/resources.js';
import { labelSelectorFromObject, type LabelMatcher } from '../../api/selectors/index.js';
import {
  EventRecorder, defaultLogger, deletedObject, keyOf, realClock, type Clock, type DeletedFinalStateUnknown,
  type Informer, type Logger,
} from '../../client/index.js';
import { claimObjects } from '../controller-utils-claim.js';
import { ControllerLoop } from '../controller-utils-loop.js';
import { controllerRefOf, type ControllerContext, type RunningController } from '../controller-utils.js';
import { rolloutRecreate, type PodMap } from './recreate.js';
import { rolloutRolling } from './rolling.js';
import { checkPausedConditions, isScalingEvent, syncScaling, syncStatusOnly } from './scale.js';
import { DEPLOYMENTS, REPLICASETS, writeStatus, type DeploymentDeps } from './sync.js';

const PODS = findResource('', 'v1', 'pods')!;
export const DEPLOYMENT_COMPONENT = 'deployment-controller';

export class DeploymentController implements RunningController, DeploymentDeps {
  readonly name = DEPLOYMENT_COMPONENT;
  readonly client: ControllerContext['client'];
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  readonly dInformer: Informer<KubeObject>;
  readonly rsInformer: Informer<KubeObject>;
  readonly podInformer: Informer<KubeObject>;
  readonly #loop: ControllerLoop;

  constructor(ctx: ControllerContext, opts: { workers?: number } = {}) {
    this.client = ctx.client;
    this.clock = ctx.clock ?? realClock;
    this.log = ctx.logger ?? defaultLogger;
    this.recorder = new EventRecorder({ client: ctx.client, component: DEPLOYMENT_COMPONENT, logger: this.log });
    this.dInformer = ctx.informers.informerFor(DEPLOYMENTS);
    this.rsInformer = ctx.informers.informerFor(REPLICASETS);
    this.podInformer = ctx.informers.informerFor(PODS);
    this.#loop = new ControllerLoop({
      name: DEPLOYMENT_COMPONENT, sync: key => this.sync(key), workers: opts.workers ?? 5,
      informers: [this.dInformer, this.rsInformer, this.podInformer], logger: this.log,
    });
    const enqueue = (d: KubeObject | DeletedFinalStateUnknown<KubeObject>) => this.#loop.enqueue(keyOf(deletedObject(d)));
    this.#loop.on(this.dInformer, { onAdd: enqueue, onUpdate: (_o, d) => enqueue(d), onDelete: enqueue });
    this.#loop.on(this.rsInformer, {
      onAdd: rs => this.#addReplicaSet(rs),
      onUpdate: (old, cur) => this.#updateReplicaSet(old, cur),
      onDelete: rs => this.#deleteReplicaSet(deletedObject(rs)),
    });
    this.#loop.on(this.podInformer, { onDelete: pod => this.#deletePod(deletedObject(pod)) });
  }

  start(): this { this.#loop.start(); return this; }

  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.recorder.close();
  }

  enqueueAfter(key: string, ms: number): void { this.#loop.enqueueAfter(key, ms); }

  enqueueRateLimited(key: string): void { this.#loop.controller.queue.addRateLimited(key); }

  async sync(key: string): Promise<void> {
    const cached = this.dInformer.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    let selector: LabelMatcher;
    try { selector = labelSelectorFromObject(d.spec?.selector); } catch { return; }
    if (selector.empty) {
      this.recorder.event(d, 'Warning', 'SelectorRequired', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 1)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata?.generation ?? 1 };
        await writeStatus(this, d);
      }
      return;
    }
    const rsList = await claimObjects(this.rsInformer.listByNamespace(d.metadata!.namespace!), {
      client: this.client, owner: d, ownerResource: DEPLOYMENTS, childResource: REPLICASETS, selector,
    });
    if (d.metadata?.deletionTimestamp) return syncStatusOnly(this, d, rsList);
    await checkPausedConditions(this, d);
    if (d.spec?.paused) return syncScaling(this, d, rsList);
    if (await isScalingEvent(this, d, rsList)) return syncScaling(this, d, rsList);
    switch (d.spec?.strategy?.type ?? 'RollingUpdate') {
      case 'Recreate': return rolloutRecreate(this, d, rsList, this.#podMap(d, rsList, selector));
      case 'RollingUpdate': return rolloutRolling(this, d, rsList);
      default:
        this.log.warn('unexpected deployment strategy type', { key, type: d.spec.strategy.type });
    }
  }

  /** The Deployment's pods by controlling ReplicaSet uid (every set gets an entry). */
  #podMap(d: KubeObject, rsList: KubeObject[], selector: LabelMatcher): PodMap {
    const map: PodMap = new Map(rsList.map(rs => [rs.metadata!.uid!, []]));
    for (const p of this.podInformer.listByNamespace(d.metadata!.namespace!)) {
      if (!selector.matches(p.metadata?.labels)) continue;
      const uid = controllerRefOf(p)?.uid;
      if (uid && map.has(uid)) map.get(uid)!.push(p);
    }
    return map;
  }

  #resolve(namespace: string | undefined, ref: OwnerReference): KubeObject | undefined {
    if (ref.kind !== 'Deployment') return undefined;
    const d = this.dInformer.getByName(ref.name, namespace);
    return d && d.metadata?.uid === ref.uid ? d : undefined;
  }

  /** Deployments in the set's namespace whose non-empty selector matches it (orphan adoption). */
  #matching(rs: KubeObject): KubeObject[] {
    return this.dInformer.listByNamespace(rs.metadata?.namespace ?? '').filter(d => {
      try {
        const sel = labelSelectorFromObject(d.spec?.selector);
        return !sel.empty && sel.matches(rs.metadata?.labels);
      } catch { return false; }
    });
  }

  #addReplicaSet(rs: KubeObject): void {
    if (rs.metadata?.deletionTimestamp) { this.#deleteReplicaSet(rs); return; }
    const ref = controllerRefOf(rs);
    if (ref) {
      const d = this.#resolve(rs.metadata?.namespace, ref);
      if (d) this.#loop.enqueue(keyOf(d));
      return;
    }
    for (const d of this.#matching(rs)) this.#loop.enqueue(keyOf(d));
  }

  #updateReplicaSet(old: KubeObject, cur: KubeObject): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const oldRef = controllerRefOf(old), curRef = controllerRefOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const d = this.#resolve(old.metadata?.namespace, oldRef);
      if (d) this.#loop.enqueue(keyOf(d));
    }
    if (curRef) {
      const d = this.#resolve(cur.metadata?.namespace, curRef);
      if (d) this.#loop.enqueue(keyOf(d));
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (labelsChanged || refChanged) for (const d of this.#matching(cur)) this.#loop.enqueue(keyOf(d));
  }

  #deleteReplicaSet(rs: KubeObject): void {
    const ref = controllerRefOf(rs);
    const d = ref && this.#resolve(rs.metadata?.namespace, ref);
    if (d) this.#loop.enqueue(keyOf(d));
  }

  /** Recreate waits for old pods to be gone: their deletions wake it up. */
  #deletePod(pod: KubeObject): void {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.getByName(ref.name, pod.metadata?.namespace);
    const dref = rs && rs.metadata?.uid === ref.uid ? controllerRefOf(rs) : undefined;
    const d = dref && this.#resolve(pod.metadata?.namespace, dref);
    if (d && d.spec?.strategy?.type === 'Recreate') this.#loop.enqueue(keyOf(d));
  }
}
