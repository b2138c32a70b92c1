/**
 * The StatefulSet controller: informers on sets, pods, revisions and claims feed a queue
 * of set keys; each sync claims the set's pods, works out the current and update
 * revisions, runs one pass of the update algorithm and records status.
 */
import { labelSelectorFromObject } from '../api/selectors/index.js';
import {
  Controller, EventRecorder, RateLimitingQueue, deletedObject, indexByControllerUid, keyOf, realClock, splitKey, type Clock,
  type Logger,
} from '../client/index.js';
import type { Component, ComponentContext } from '../cli/components.js';
import { updateStatefulSet, type SetStatus } from './statefulset-control.js';
import { StatefulPodControl } from './statefulset-pod-control.js';
import { STS, isMemberOf, revisionOf } from './statefulset-pods.js';
import { getSetRevisions } from './statefulset-revisions.js';
import {
  BY_CONTROLLER, POD, PVC, REVISION, claimPods, newControllerRef, podOwnerHandler, runController, truncateHistory,
  writeStatus, type Obj,
} from './workload-utils-b.js';

export interface StatefulSetControllerOptions {
  clock?: Clock;
  workers?: number;
  logger?: Logger;
}

export function startStatefulSetController(ctx: ComponentContext, opts: StatefulSetControllerOptions = {}): Component {
  const clock = opts.clock ?? realClock;
  const client = ctx.client.withComponent('statefulset-controller');
  const sets = ctx.informers.informerFor(STS);
  const pods = ctx.informers.informerFor(POD);
  const revs = ctx.informers.informerFor(REVISION);
  const pvcs = ctx.informers.informerFor(PVC);
  pods.addIndexer(BY_CONTROLLER, indexByControllerUid);
  revs.addIndexer(BY_CONTROLLER, indexByControllerUid);
  const recorder = new EventRecorder({ client, component: 'statefulset-controller', clock, logger: opts.logger });
  const pc = new StatefulPodControl(client, recorder, pvcs);
  const queue = new RateLimitingQueue<string>({ name: 'statefulset', clock });

  async function sync(key: string): Promise<void> {
    const set = sets.get(key);
    if (!set) return; // deleted: the garbage collector removes its pods
    const selector = labelSelectorFromObject(set.spec?.selector);
    if (selector.empty || selector.nothing) {
      recorder.event(set, 'Warning', 'SelectorError', 'This StatefulSet has an empty selector; it selects no pods');
      return;
    }
    const { namespace } = splitKey(key);
    const owned = await claimPods({
      client, owner: set, ownerRef: newControllerRef(set, STS.apiVersion, STS.kind), selector, filter: p => isMemberOf(set, p),
    }, pods.listByNamespace(namespace!));
    const revisions = await getSetRevisions(client, revs, set);
    const out: { status?: SetStatus } = {};
    let err: unknown;
    try {
      await updateStatefulSet(pc, set, revisions, owned, clock.now(), out);
    } catch (e) { err = e; }
    if (out.status) await recordStatus(set, out.status);
    const live = new Set([revisions.current.metadata!.name!, revisions.update.metadata!.name!, ...owned.map(revisionOf)]);
    await truncateHistory(client, revisions.all, live, Number(set.spec?.revisionHistoryLimit ?? 10));
    if (err) throw err;
    const st = out.status!;
    // Availability after minReadySeconds changes without any event: look again then.
    if (set.spec?.minReadySeconds > 0 && st.readyReplicas !== st.availableReplicas) queue.addAfter(key, set.spec.minReadySeconds * 1000);
  }

  async function recordStatus(set: Obj, st: SetStatus): Promise<void> {
    // completeRollingUpdate: once every pod is updated and ready, the update revision is current.
    if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
      st.updatedReplicas === st.replicas && st.readyReplicas === st.replicas) {
      st.currentReplicas = st.updatedReplicas;
      st.currentRevision = st.updateRevision;
    }
    const cur = set.status ?? {};
    const same = (Object.keys(st) as Array<keyof SetStatus>).every(k => (cur[k] ?? 0) === (st[k] ?? 0));
    if (same) return;
    await writeStatus(client, STS, set, { ...cur, ...st });
  }

  const controller = new Controller({
    name: 'statefulset', sync, queue, workers: opts.workers ?? 5, waitFor: [sets, pods, revs, pvcs], logger: opts.logger,
  });
  const enqueue = (o: Obj) => controller.enqueue(keyOf(o));
  const offSets = sets.addEventHandler({
    onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: x => enqueue(deletedObject(x)),
  });
  const offPods = pods.addEventHandler(podOwnerHandler({
    kind: STS.kind, owners: sets, enqueue: k => controller.enqueue(k),
    orphanOwners: pod => sets.listByNamespace(pod.metadata!.namespace!).filter(s =>
      isMemberOf(s, pod) && labelSelectorFromObject(s.spec?.selector).matches(pod.metadata?.labels)),
  }));
  return runController(controller, () => { offSets(); offPods(); });
}
