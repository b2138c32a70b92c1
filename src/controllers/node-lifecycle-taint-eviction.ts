/**
 * The NoExecute taint eviction controller (upstream's taint manager): a pod on a node
 * with NoExecute taints it does not tolerate is deleted at once; one that tolerates them
 * for a while (tolerationSeconds) is deleted when the shortest such toleration runs out,
 * counted from when the controller first saw it exposed. Pods without a toleration for
 * not-ready/unreachable get the admission default (podEvictionTimeout). A deleted pod on
 * a lost node stays Terminating until its node returns or pod GC removes it, as upstream.
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { NotFoundError } from '../api/errors.js';
import {
  Controller, EventRecorder, RateLimitingQueue, deletedObject, indexByNodeName, keyOf, realClock, type Clock, type Logger,
} from '../client/index.js';
import type { Component, ComponentContext } from '../cli/components.js';
import { NOT_READY, UNREACHABLE } from './node-lifecycle-taints.js';
import { NODE, POD, POD_BY_NODE, runController, tolerates, type Obj } from './workload-utils-b.js';

export interface TaintEvictionOptions { clock?: Clock; logger?: Logger }

const noExecuteTaints = (n: Obj | undefined): Taint[] => ((n?.spec?.taints ?? []) as Taint[]).filter(t => t.effect === 'NoExecute');

export function startTaintEvictionController(ctx: ComponentContext, opts: TaintEvictionOptions = {}): Component {
  const clock = opts.clock ?? realClock;
  const client = ctx.client.withComponent('taint-eviction-controller');
  const pods = ctx.informers.informerFor(POD);
  const nodes = ctx.informers.informerFor(NODE);
  pods.addIndexer(POD_BY_NODE, indexByNodeName);
  const recorder = new EventRecorder({ client, component: 'taint-eviction-controller', clock, logger: opts.logger });
  const queue = new RateLimitingQueue<string>({ name: 'taint-eviction', clock });
  /** Pod key → when its countdown started (the "scheduled eviction"). */
  const scheduled = new Map<string, number>();
  const defaultSeconds = ctx.config.podEvictionTimeout;

  /** The pod's tolerations plus the DefaultTolerationSeconds admission defaults it lacks. */
  function tolerationsOf(pod: Obj): Toleration[] {
    const tols = [...((pod.spec?.tolerations ?? []) as Toleration[])];
    for (const key of [NOT_READY, UNREACHABLE]) {
      if (!tols.some(t => tolerates(t, { key, effect: 'NoExecute' }))) tols.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultSeconds });
    }
    return tols;
  }

  function cancel(key: string, pod?: Obj): void {
    if (!scheduled.delete(key) || !pod) return;
    recorder.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  async function sync(key: string): Promise<void> {
    const pod = pods.get(key);
    if (!pod || !pod.spec?.nodeName || pod.metadata?.deletionTimestamp) { cancel(key, pod); return; }
    const taints = noExecuteTaints(nodes.get(pod.spec.nodeName));
    if (!taints.length) { cancel(key, pod); return; }
    const tols = tolerationsOf(pod);
    const now = clock.now();
    let delayMs: number;
    if (taints.some(t => !tols.some(x => tolerates(x, t)))) delayMs = 0;
    else {
      // getMinTolerationTime over the tolerations in use: none with seconds means forever.
      const secs = tols.filter(x => taints.some(t => tolerates(x, t))).map(x => x.tolerationSeconds).filter((s): s is number => s != null);
      if (!secs.length) { cancel(key, pod); return; }
      delayMs = Math.max(0, Math.min(...secs)) * 1000;
    }
    const started = scheduled.get(key) ?? now;
    scheduled.set(key, started);
    const due = started + delayMs;
    if (due > now) { queue.addAfter(key, due - now); return; }
    await evict(key, pod);
  }

  async function evict(key: string, pod: Obj): Promise<void> {
    recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const ns = pod.metadata!.namespace;
    try {
      const t = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      const conditions = [...(pod.status?.conditions ?? []).filter((c: { type: string }) => c.type !== 'DisruptionTarget'),
        { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: t }];
      await client.patch<Obj>(POD, pod.metadata!.name!, { status: { conditions } }, { namespace: ns, subresource: 'status' });
      await client.delete(POD, pod.metadata!.name!, { namespace: ns, preconditions: { uid: pod.metadata!.uid } });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    scheduled.delete(key);
  }

  const controller = new Controller({ name: 'taint-eviction', sync, queue, workers: 4, waitFor: [pods, nodes], logger: opts.logger });
  // Upstream's PodUpdated: a pod on a node without NoExecute taints needs a look only when
  // its eviction is counting down (to cancel it). Node taint changes queue the node's pods.
  const enqueuePod = (p: Obj) => {
    if (!p.spec?.nodeName) return;
    const key = keyOf(p);
    if (!scheduled.has(key) && !((nodes.get(p.spec.nodeName)?.spec?.taints ?? []) as Taint[]).some(t => t.effect === 'NoExecute')) return;
    controller.enqueue(key);
  };
  const offPods = pods.addEventHandler({
    onAdd: enqueuePod,
    onUpdate: (_o, n) => enqueuePod(n),
    onDelete: x => { const p = deletedObject(x); scheduled.delete(keyOf(p)); },
  });
  const enqueueNodePods = (n: Obj) => { for (const p of pods.byIndex(POD_BY_NODE, n.metadata!.name!)) controller.enqueue(keyOf(p)); };
  const offNodes = nodes.addEventHandler({
    onAdd: n => { if (noExecuteTaints(n).length) enqueueNodePods(n); },
    onUpdate: (o, n) => { if (JSON.stringify(noExecuteTaints(o)) !== JSON.stringify(noExecuteTaints(n)) || o === n) enqueueNodePods(n); },
    onDelete: x => enqueueNodePods(deletedObject(x)),
  });
  return runController(controller, () => { offPods(); offNodes(); });
}
