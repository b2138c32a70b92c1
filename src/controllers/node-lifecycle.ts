/**
 * The node lifecycle controller: watches node heartbeats (the Ready condition's
 * lastHeartbeatTime and the node's Lease in kube-node-lease). A node silent for the
 * grace period gets Ready (and the pressure conditions) Unknown — "Kubelet stopped
 * posting node status." — its pods are marked not Ready, and it is tainted
 * unreachable (NoSchedule at once; NoExecute at the zone's eviction rate, never when
 * every node is down). Taints follow the conditions back when the node returns.
 */
import {
  Controller, EventRecorder, RateLimitingQueue, deletedObject, indexByNodeName, keyOf, realClock, type Clock, type Logger,
} from '../client/index.js';
import type { Component, ComponentContext } from '../cli/components.js';
import {
  NOT_READY, UNREACHABLE, ZoneLimiter, conditionStatus, sameTaints, wantedNoExecute, wantedNoSchedule, withTaints, zoneOf, zoneState,
} from './node-lifecycle-taints.js';
import { ZoneTally } from './node-lifecycle-zones.js';
import { NODE, POD, POD_BY_NODE, isPodReady, rfc3339, runController, type Obj } from './workload-utils-b.js';

export const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' } as const;
const LEASE_NS = 'kube-node-lease';
const WATCHED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export interface NodeLifecycleOptions {
  /** How often every node is checked (default 5 s). */
  monitorPeriodMs?: number;
  /** NoExecute taints per second per healthy zone (default 0.1), in a partly disrupted zone (0.01), ... */
  evictionRate?: number;
  secondaryEvictionRate?: number;
  /** ... and clusters at most this big stop tainting when partly disrupted (default 50). */
  largeClusterSize?: number;
  unhealthyZoneThreshold?: number;
  clock?: Clock;
  logger?: Logger;
}

interface Health { probe: number; heartbeat?: string; renew?: string; ready?: string }

export function startNodeLifecycleController(ctx: ComponentContext, opts: NodeLifecycleOptions = {}): Component {
  const clock = opts.clock ?? realClock;
  const graceMs = ctx.config.nodeMonitorGracePeriod * 1000;
  const client = ctx.client.withComponent('node-controller');
  const nodes = ctx.informers.informerFor(NODE);
  // The shared all-namespace Lease informer (the garbage collector watches it too): one
  // watch and one decode per renewal, not two. Only kube-node-lease's are read.
  const leases = ctx.informers.informerFor(LEASE);
  const pods = ctx.informers.informerFor(POD);
  pods.addIndexer(POD_BY_NODE, indexByNodeName);
  const recorder = new EventRecorder({ client, component: 'node-controller', clock, logger: opts.logger });
  const queue = new RateLimitingQueue<string>({ name: 'node-lifecycle', clock });
  const health = new Map<string, Health>();
  const limiter = new ZoneLimiter();
  const zones = new ZoneTally();

  async function sync(name: string): Promise<void> {
    let node = nodes.get(name);
    if (!node) { health.delete(name); return; }
    const now = clock.now();
    const ready = conditionStatus(node, 'Ready');
    const heartbeat = (node.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready')?.lastHeartbeatTime as string | undefined;
    const renew = leases.getByName(name, LEASE_NS)?.spec?.renewTime as string | undefined;
    let h = health.get(name);
    if (!h) {
      health.set(name, (h = { probe: now, heartbeat, renew, ready }));
      recorder.event(node, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
    }
    // Any sign of life (a new heartbeat or lease renewal) restarts the grace period.
    if (heartbeat !== h.heartbeat || (renew && renew !== h.renew)) { h.probe = now; h.heartbeat = heartbeat; h.renew = renew; }

    let current = ready;
    if (now - h.probe >= graceMs) {
      const next = markUnknown(node, now);
      if (next) node = await client.updateStatus<Obj>(NODE, next);
      current = 'Unknown';
    } else queue.addAfter(name, h.probe + graceMs - now + 10);

    if (h.ready === 'True' && current !== 'True') {
      recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    } else if (h.ready !== undefined && h.ready !== 'True' && current === 'True') {
      recorder.event(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
    }
    h.ready = current;
    if (current === 'Unknown') await markPodsNotReady(name, now);
    await syncTaints(node, current, now);
  }

  /** The node with its watched conditions set Unknown, or undefined if they already are. */
  function markUnknown(node: Obj, now: number): Obj | undefined {
    const next = structuredClone(node);
    const conds = (next.status.conditions ??= []) as Array<Record<string, string>>;
    let changed = false;
    for (const type of WATCHED_CONDITIONS) {
      const c = conds.find(x => x.type === type);
      if (!c) {
        conds.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
          lastHeartbeatTime: node.metadata!.creationTimestamp!, lastTransitionTime: rfc3339(now) });
        changed = true;
      } else if (c.status !== 'Unknown') {
        Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339(now) });
        changed = true;
      }
    }
    return changed ? next : undefined;
  }

  /** MarkPodsNotReady: the node cannot vouch for its pods any more. */
  async function markPodsNotReady(nodeName: string, now: number): Promise<void> {
    for (const pod of pods.byIndex(POD_BY_NODE, nodeName)) {
      if (!isPodReady(pod) || pod.metadata?.deletionTimestamp) continue;
      const conditions = (pod.status.conditions as Array<Record<string, string>>).map(c =>
        c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c);
      await client.patch<Obj>(POD, pod.metadata!.name!, { status: { conditions } }, { namespace: pod.metadata!.namespace, subresource: 'status' })
        .catch(e => { if ((e as { httpStatus?: number }).httpStatus !== 404) throw e; });
      recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
  }

  async function syncTaints(node: Obj, ready: string | undefined, now: number): Promise<void> {
    let noExecute = wantedNoExecute(ready);
    const has = (key?: string) => !!key && (node.spec?.taints ?? []).some((t: { key: string; effect: string }) => t.key === key && t.effect === 'NoExecute');
    if (noExecute && allNodesDown(node, ready)) {
      // Every node down at once: more likely our side of the network than the nodes. No evictions.
      noExecute = undefined;
    } else if (noExecute && !has(noExecute)) {
      const wait = zoneWait(node, ready, now);
      if (wait > 0) {
        if (Number.isFinite(wait)) queue.addAfter(node.metadata!.name!, wait);
        // Keep what is there meanwhile (the other NoExecute taint, if any, still applies).
        noExecute = [NOT_READY, UNREACHABLE].find(k => has(k));
      }
    }
    // The common case on every pass over thousands of nodes: a Ready node without taints
    // and nothing that calls for one. Decided without building taint lists.
    if (!noExecute && !node.spec?.taints?.length && !node.spec?.unschedulable && ready === conditionStatus(node, 'Ready') && wantedNoSchedule(node).size === 0) return;
    const asSeen = ready === conditionStatus(node, 'Ready') ? node : { ...node, status: { conditions: readyAs(node, ready) } };
    const taints = withTaints(node, wantedNoSchedule(asSeen), noExecute, rfc3339(now));
    if (sameTaints(taints, node.spec?.taints ?? [])) return;
    const next = structuredClone(node);
    next.spec.taints = taints.length ? taints : undefined;
    await client.update<Obj>(NODE, next);
  }

  function allNodesDown(node: Obj, ready: string | undefined): boolean {
    return zones.noneReady(node.metadata!.name!, ready === 'True');
  }

  /** 0 to taint now (a token was taken), else ms until the zone's rate allows it (Infinity: not while partly disrupted). */
  function zoneWait(node: Obj, ready: string | undefined, now: number): number {
    const zone = zoneOf(node);
    const t = zones.zone(zone, node.metadata!.name!, ready === 'True');
    const state = zoneState(t.ready, t.total, opts.unhealthyZoneThreshold ?? 0.55);
    let rate = opts.evictionRate ?? 0.1;
    if (state === 'PartialDisruption') rate = zones.size > (opts.largeClusterSize ?? 50) ? opts.secondaryEvictionRate ?? 0.01 : 0;
    return limiter.tryAccept(zone, rate, now);
  }

  const controller = new Controller({ name: 'node-lifecycle', sync, queue, workers: 4, waitFor: [nodes, leases, pods], logger: opts.logger });
  const offNodes = nodes.addEventHandler({
    onAdd: n => { zones.set(n); controller.enqueue(keyOf(n)); },
    onUpdate: (_o, n) => { zones.set(n); controller.enqueue(keyOf(n)); },
    onDelete: x => { const n = deletedObject(x); zones.remove(n.metadata!.name!); controller.enqueue(keyOf(n)); },
  });
  // Lease renewals wake nothing (upstream reads the Leases only in its periodic pass): the
  // pass below and each node's grace-period timer see them. 5,000 nodes renew 500 times a second.
  // monitorNodeHealth's period: every node is looked at even when nothing changes.
  let timer = clock.setTimeout(function tick() {
    for (const n of nodes.list()) controller.enqueue(keyOf(n));
    timer = clock.setTimeout(tick, opts.monitorPeriodMs ?? 5000);
  }, opts.monitorPeriodMs ?? 5000);
  return runController(controller, () => { clock.clearTimeout(timer); offNodes(); });
}

/** The node's conditions with Ready as the controller now sees it. */
function readyAs(node: Obj, ready: string | undefined): unknown[] {
  return ((node.status?.conditions ?? []) as Array<{ type: string }>).map(c => (c.type === 'Ready' ? { ...c, status: ready } : c));
}
