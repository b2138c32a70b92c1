/**
 * The DaemonSet controller: one pod per eligible node. A sync claims the set's pods,
 * finds its current revision, makes every node hold exactly what it should (create on
 * nodes that lack a pod, delete failed, excess and misplaced ones), runs the rolling
 * update, and records status. Pods carry a metadata.name node affinity; the scheduler binds.
 */
import type { KubeObject } from '../api/object.js';
import { labelSelectorFromObject } from '../api/selectors/index.js';
import {
  Controller, EventRecorder, RateLimitingQueue, deletedObject, indexByControllerUid, keyOf, realClock, splitKey,
  type Clock, type Logger,
} from '../client/index.js';
import type { Component, ComponentContext } from '../cli/components.js';
import { DS, HASH_LABEL, isPodUpdated, newDaemonPod, nodeShouldRunDaemonPod, targetNode } from './daemonset-predicates.js';
import { cleanupHistory, constructHistory, rollingUpdate } from './daemonset-update.js';
import {
  BY_CONTROLLER, Expectations, NODE, POD, REVISION, claimPods, creationTime, deleteIgnoringNotFound, inBatches,
  isPodAvailable, isPodReady, newControllerRef, podOwnerHandler, runController, writeStatus, type Obj,
} from './workload-utils-b.js';

export interface DaemonSetControllerOptions { clock?: Clock; workers?: number; logger?: Logger }

const BURST = 250;

export function startDaemonSetController(ctx: ComponentContext, opts: DaemonSetControllerOptions = {}): Component {
  const clock = opts.clock ?? realClock;
  const client = ctx.client.withComponent('daemon-set-controller');
  const sets = ctx.informers.informerFor(DS);
  const pods = ctx.informers.informerFor(POD);
  const nodes = ctx.informers.informerFor(NODE);
  const revs = ctx.informers.informerFor(REVISION);
  pods.addIndexer(BY_CONTROLLER, indexByControllerUid);
  revs.addIndexer(BY_CONTROLLER, indexByControllerUid);
  const recorder = new EventRecorder({ client, component: 'daemonset-controller', clock, logger: opts.logger });
  const queue = new RateLimitingQueue<string>({ name: 'daemonset', clock });
  const expectations = new Expectations(clock);
  /** Failed-pod deletion back-off per (set, node): 1 s doubling to 15 min. */
  const backoff = new Map<string, { delay: number; at: number }>();

  async function sync(key: string): Promise<void> {
    const ds = sets.get(key);
    if (!ds) { expectations.forget(key); return; }
    const selector = labelSelectorFromObject(ds.spec?.selector);
    if (selector.empty || selector.nothing) {
      recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata?.deletionTimestamp) return;
    const owned = await claimPods({ client, owner: ds, ownerRef: newControllerRef(ds, DS.apiVersion, DS.kind), selector },
      pods.listByNamespace(splitKey(key).namespace!));
    const { cur, old } = await constructHistory(client, revs, ds);
    const hash = cur.metadata!.labels![HASH_LABEL];
    const nodeList = nodes.list();
    if (!expectations.satisfied(key)) { await updateStatus(ds, nodeList, owned, hash, false); return; }

    await manage(ds, nodeList, owned, hash, key);
    if (expectations.satisfied(key) && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const plan = rollingUpdate(ds, nodeList, nodeToPods(owned, false), hash, clock.now());
      await syncNodes(ds, key, plan.deletePods, plan.createOn, hash);
    }
    await cleanupHistory(client, ds, old, owned);
    await updateStatus(ds, nodeList, owned, hash, true);
  }

  /** Pods by the node they are for; terminal pods being deleted are left out unless asked for. */
  function nodeToPods(owned: Obj[], includeDeletedTerminal = true): Map<string, Obj[]> {
    const m = new Map<string, Obj[]>();
    for (const p of owned) {
      if (!includeDeletedTerminal && p.metadata?.deletionTimestamp && ['Succeeded', 'Failed'].includes(p.status?.phase)) continue;
      const n = targetNode(p);
      if (n === undefined) continue;
      const list = m.get(n) ?? [];
      list.push(p);
      m.set(n, list);
    }
    for (const list of m.values()) list.sort((a, b) => creationTime(a) - creationTime(b));
    return m;
  }

  async function manage(ds: Obj, nodeList: Obj[], owned: Obj[], hash: string, key: string): Promise<void> {
    const byNode = nodeToPods(owned);
    const create: string[] = [], del: string[] = [];
    const now = clock.now();
    for (const node of nodeList) {
      const name = node.metadata!.name!;
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
      const daemonPods = byNode.get(name);
      if (shouldRun && !daemonPods) { create.push(name); continue; }
      if (!daemonPods) continue;
      if (!shouldContinueRunning) {
        for (const p of daemonPods) if (!p.metadata?.deletionTimestamp) del.push(p.metadata!.name!);
        continue;
      }
      const running: Obj[] = [];
      for (const p of daemonPods) {
        if (p.metadata?.deletionTimestamp) continue;
        if (p.status?.phase === 'Failed') {
          // Kubelets may keep rejecting the pod: back off instead of hot-looping.
          const bk = `${key}/${name}`, b = backoff.get(bk);
          if (b && now - b.at < b.delay) { queue.addAfter(key, b.delay - (now - b.at)); continue; }
          backoff.set(bk, { delay: b ? Math.min(b.delay * 2, 15 * 60_000) : 1000, at: now });
          recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata!.namespace}/${p.metadata!.name} on node ${name}, will try to kill it`);
          del.push(p.metadata!.name!);
        } else if (p.status?.phase === 'Succeeded') {
          recorder.event(ds, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${p.metadata!.namespace}/${p.metadata!.name} on node ${name}, will try to delete it`);
          del.push(p.metadata!.name!);
        } else running.push(p);
      }
      const surge = scaledSurge(ds) > 0;
      if (!surge) {
        // More than one pod on the node: keep the oldest.
        for (const p of running.slice(1)) del.push(p.metadata!.name!);
        continue;
      }
      if (running.length === 0) { if (shouldRun) create.push(name); continue; }
      // Surging: keep the oldest new pod, and the oldest old one only while the new one is not yet available.
      let oldestNew: Obj | undefined, oldestOld: Obj | undefined;
      for (const p of running) {
        const isNew = p.metadata?.labels?.[HASH_LABEL] === hash;
        if (isNew && !oldestNew) oldestNew = p;
        else if (!isNew && !oldestOld) oldestOld = p;
        else del.push(p.metadata!.name!);
      }
      if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, Number(ds.spec?.minReadySeconds ?? 0), now))) {
        del.push(oldestOld.metadata!.name!);
      }
    }
    // Unscheduled pods for nodes that are gone (scheduled ones are pod GC's to remove).
    const names = new Set(nodeList.map(n => n.metadata!.name));
    for (const [n, ps] of byNode) if (!names.has(n)) for (const p of ps) if (!p.spec?.nodeName && !p.metadata?.deletionTimestamp) del.push(p.metadata!.name!);
    await syncNodes(ds, key, del, create, hash);
  }

  async function syncNodes(ds: Obj, key: string, del: string[], create: string[], hash: string): Promise<void> {
    create = create.slice(0, BURST);
    del = [...new Set(del)].slice(0, BURST);
    if (!create.length && !del.length) return;
    expectations.expect(key, create.length, del.length);
    const ns = ds.metadata!.namespace!;
    const createErrs = await inBatches(create, BURST, async node => {
      try {
        const pod = await client.create<Obj>(POD, newDaemonPod(ds, node, hash), { namespace: ns });
        recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata!.name}`);
      } catch (e) {
        recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
        throw e;
      }
    });
    // Creations that failed or were skipped will never be observed.
    const created = createErrs.length ? 0 : create.length;
    for (let i = created; i < create.length; i++) expectations.creationObserved(key);
    const delErrs = await inBatches(del, BURST, async name => {
      const p = pods.getByName(name, ns);
      if (!p || !(await deleteIgnoringNotFound(client, POD, p))) { expectations.deletionObserved(key); return; }
      recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    });
    const errs = [...createErrs, ...delErrs];
    if (errs.length) throw errs[0];
  }

  async function updateStatus(ds: Obj, nodeList: Obj[], owned: Obj[], hash: string, observed: boolean): Promise<void> {
    const byNode = nodeToPods(owned);
    const now = clock.now();
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    let desired = 0, current = 0, mis = 0, ready = 0, updated = 0, avail = 0;
    for (const node of nodeList) {
      const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
      const ps = byNode.get(node.metadata!.name!) ?? [];
      if (!shouldRun) { if (ps.length) mis++; continue; }
      desired++;
      if (!ps.length) continue;
      current++;
      const pod = ps[0]; // the oldest
      if (isPodReady(pod)) { ready++; if (isPodAvailable(pod, minReady, now)) avail++; }
      if (isPodUpdated(pod, hash, ds)) updated++;
    }
    const st: Record<string, unknown> = {
      ...(ds.status ?? {}), desiredNumberScheduled: desired, currentNumberScheduled: current, numberMisscheduled: mis,
      numberReady: ready, updatedNumberScheduled: updated, numberAvailable: avail, numberUnavailable: desired - avail,
    };
    if (observed) st.observedGeneration = ds.metadata?.generation;
    if (!st.numberUnavailable) delete st.numberUnavailable;
    if (!st.numberAvailable) delete st.numberAvailable;
    if (JSON.stringify(st) !== JSON.stringify(ds.status ?? {})) await writeStatus(client, DS, ds, st);
    if (minReady > 0 && ready !== avail) queue.addAfter(keyOf(ds), minReady * 1000);
  }

  const controller = new Controller({
    name: 'daemonset', sync, queue, workers: opts.workers ?? 2, waitFor: [sets, pods, nodes, revs], logger: opts.logger,
  });
  const enqueue = (o: Obj) => controller.enqueue(keyOf(o));
  const enqueueAll = () => { for (const ds of sets.list()) enqueue(ds); };
  const offSets = sets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: x => enqueue(deletedObject(x)) });
  const offPods = pods.addEventHandler(podOwnerHandler({
    kind: DS.kind, owners: sets, expectations, enqueue: k => controller.enqueue(k),
    orphanOwners: pod => sets.listByNamespace(pod.metadata!.namespace!)
      .filter(s => labelSelectorFromObject(s.spec?.selector).matches(pod.metadata?.labels)),
  }));
  const offNodes = nodes.addEventHandler({
    onAdd: enqueueAll,
    onUpdate: (o, n) => { if (o === n || schedulingChanged(o, n)) enqueueAll(); },
    onDelete: enqueueAll,
  });
  return runController(controller, () => { offSets(); offPods(); offNodes(); });
}

function scaledSurge(ds: Obj): number {
  const v = ds.spec?.updateStrategy?.type === 'RollingUpdate' || !ds.spec?.updateStrategy?.type
    ? ds.spec?.updateStrategy?.rollingUpdate?.maxSurge : 0;
  return typeof v === 'number' ? v : Number.parseInt(String(v ?? '0'), 10) || 0;
}

/** Node changes that can change where daemons run (heartbeats alone do not). */
function schedulingChanged(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify([a.metadata?.labels, a.spec?.taints, a.spec?.unschedulable]) !==
    JSON.stringify([b.metadata?.labels, b.spec?.taints, b.spec?.unschedulable]);
}
