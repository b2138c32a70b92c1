/**
 * The pod garbage collector (upstream's PodGCController): a periodic pass over the pod
 * cache that force-deletes
 *  - terminated pods beyond --terminated-pod-gc-threshold (oldest first, evicted first);
 *  - terminating pods on a not-ready node tainted node.kubernetes.io/out-of-service;
 *  - pods bound to a node that no longer exists (after a quarantine and a fresh read,
 *    marked Failed with DisruptionTarget first);
 *  - terminating pods that were never scheduled.
 * The pass is one key in the usual controller loop, requeued every period.
 */
import { NotFoundError } from '../api/errors.js';
import { Controller, RateLimitingQueue, realClock, type Clock, type Logger } from '../client/index.js';
import type { Component, ComponentContext } from '../cli/components.js';
import { NODE, POD, creationTime, isPodTerminal, podCondition, runController, type Obj } from './workload-utils-b.js';

export interface PodGCOptions {
  /** Terminated pods kept before the oldest are deleted; ≤ 0 disables (upstream default 12500). */
  terminatedPodThreshold?: number;
  /** Between passes (default 20 s). */
  periodMs?: number;
  /** How long a node must be missing before its pods go (default 40 s). */
  quarantineMs?: number;
  clock?: Clock;
  logger?: Logger;
}

const PASS = 'gc';
const OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

const isEvicted = (p: Obj) => p.status?.phase === 'Failed' && p.status?.reason === 'Evicted';
const byEvictionAndAge = (a: Obj, b: Obj) => Number(isEvicted(b)) - Number(isEvicted(a)) || creationTime(a) - creationTime(b);
const nodeReady = (n: Obj) => ((n.status?.conditions ?? []) as Array<{ type: string; status: string }>).some(c => c.type === 'Ready' && c.status === 'True');

export function startPodGCController(ctx: ComponentContext, opts: PodGCOptions = {}): Component {
  const clock = opts.clock ?? realClock;
  const threshold = opts.terminatedPodThreshold ?? 12_500;
  const period = opts.periodMs ?? 20_000;
  const quarantine = opts.quarantineMs ?? 40_000;
  const client = ctx.client.withComponent('pod-garbage-collector');
  const pods = ctx.informers.informerFor(POD);
  const nodes = ctx.informers.informerFor(NODE);
  const queue = new RateLimitingQueue<string>({ name: 'podgc', clock });
  /** Node name → when pods bound to it were first seen without the node. */
  const missingSince = new Map<string, number>();

  async function sync(): Promise<void> {
    try {
      const all = pods.list();
      if (threshold > 0) await gcTerminated(all);
      await gcTerminating(all);
      await gcOrphaned(all);
      await gcUnscheduledTerminating(all);
    } finally {
      queue.addAfter(PASS, period);
    }
  }

  async function gcTerminated(all: Obj[]): Promise<void> {
    const done = all.filter(isPodTerminal);
    const excess = done.length - threshold;
    if (excess <= 0) return;
    await Promise.all(done.sort(byEvictionAndAge).slice(0, excess).map(p => markFailedAndDelete(p)));
  }

  async function gcTerminating(all: Obj[]): Promise<void> {
    const victims = all.filter(p => {
      if (!p.metadata?.deletionTimestamp || !p.spec?.nodeName) return false;
      const n = nodes.get(p.spec.nodeName);
      return !!n && !nodeReady(n) && ((n.spec?.taints ?? []) as Array<{ key: string }>).some(t => t.key === OUT_OF_SERVICE);
    });
    await Promise.all(victims.sort(byEvictionAndAge).map(p => markFailedAndDelete(p)));
  }

  async function gcOrphaned(all: Obj[]): Promise<void> {
    const now = clock.now();
    const missing = new Set<string>();
    for (const p of all) {
      const n = p.spec?.nodeName;
      if (n && !nodes.get(n)) { missing.add(n); if (!missingSince.has(n)) missingSince.set(n, now); }
    }
    for (const n of missingSince.keys()) if (!missing.has(n)) missingSince.delete(n);
    const deleted = new Set<string>();
    for (const [n, since] of missingSince) {
      if (now - since < quarantine) continue;
      // The cache may lag: only a fresh NotFound proves the node is gone.
      try { await client.get<Obj>(NODE, n); missingSince.delete(n); } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
        deleted.add(n);
      }
    }
    const cond = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };
    await Promise.all(all.filter(p => deleted.has(p.spec?.nodeName)).map(p => markFailedAndDelete(p, cond)));
  }

  async function gcUnscheduledTerminating(all: Obj[]): Promise<void> {
    await Promise.all(all.filter(p => p.metadata?.deletionTimestamp && !p.spec?.nodeName).map(p => markFailedAndDelete(p)));
  }

  /** markFailedAndDeletePodWithCondition: a pod that never finished is marked Failed, then force-deleted. */
  async function markFailedAndDelete(p: Obj, condition?: Record<string, string>): Promise<void> {
    const ns = p.metadata!.namespace;
    try {
      if (!isPodTerminal(p)) {
        const status: Record<string, unknown> = { phase: 'Failed' };
        if (condition && podCondition(p, condition.type)?.status !== 'True') {
          const t = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
          const others = (p.status?.conditions ?? []).filter((c: { type: string }) => c.type !== condition.type);
          status.conditions = [...others, { ...condition, lastTransitionTime: t }];
        }
        await client.patch<Obj>(POD, p.metadata!.name!, { metadata: { uid: p.metadata!.uid }, status }, { namespace: ns, subresource: 'status' });
      }
      await client.delete(POD, p.metadata!.name!, { namespace: ns, gracePeriodSeconds: 0, preconditions: { uid: p.metadata!.uid } });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }

  const controller = new Controller({ name: 'podgc', sync, queue, waitFor: [pods, nodes], logger: opts.logger });
  controller.enqueue(PASS);
  return runController(controller);
}
