/**
 * The scheduler: informers → cache + queue; one loop pops a pod, runs a synchronous
 * scheduling cycle against the cache, assumes the result, and binds in the background
 * (so the next cycle starts at once and already sees this placement).
 */
import type { KubeObject } from '../api/object.js';
import {
  EventRecorder, defaultLogger, realClock, type Client, type Clock, type Informer, type Logger, type SharedInformerFactory,
} from '../client/index.js';
import { SchedulerCache } from './cache/cache.js';
import { Algorithm, type ScheduleOutcome } from './core/algorithm.js';
import { namespaceHandler, namespaceLabelsFrom, nodeHandler, podHandler } from './event-handlers.js';
import { CycleState } from './framework/cycle-state.js';
import { Code } from './framework/status.js';
import { fitErrorMessage } from './framework/fit-error.js';
import type { Handle, QueuedPodInfo } from './framework/interface.js';
import { PodInfo } from './framework/node-info.js';
import type { Registry } from './framework/registry.js';
import { Framework, type Profile } from './framework/runtime.js';
import type { Pod } from './framework/types.js';
import { podKey } from './framework/types.js';
import { defaultProfile, inTreeRegistry } from './plugins/registry.js';
import { PriorityResolver } from './priority.js';
import { SchedulingQueue } from './queue/scheduling-queue.js';
import { Reporter } from './reporter.js';
import { SchedulerMetrics } from './metrics.js';
import type { MetricsRegistry } from '../metrics/index.js';
import { InformerVolumeAccess } from './volume-access.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };
const SLICE_MS = 20;
/** The longest a slice of back-to-back cycles may grow to when everything else takes long turns. */
const MAX_SLICE_MS = 100;
const NODES = { apiVersion: 'v1', kind: 'Node' };
const NAMESPACES = { apiVersion: 'v1', kind: 'Namespace' };
const PRIORITY_CLASSES = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' };

export interface SchedulerOptions {
  client: Client;
  informers: SharedInformerFactory;
  profile?: Profile;
  registry?: Registry;
  clock?: Clock;
  logger?: Logger;
  /** 0: adaptive like upstream (all nodes below 100). */
  percentageOfNodesToScore?: number;
  /** Bindings in flight at once. */
  maxConcurrentBinds?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Where the scheduler's metrics go (the /metrics of the process it runs in). */
  metrics?: MetricsRegistry;
  /** Called after each bind attempt (benchmarks, tests). */
  onBound?: (pod: Pod, node: string, ok: boolean) => void;
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  readonly reporter: Reporter;
  readonly #algo: Algorithm;
  readonly #pods: Informer<KubeObject>;
  readonly #informers: Informer<KubeObject>[];
  readonly #o: SchedulerOptions;
  readonly #log: Logger;
  readonly #recorder: EventRecorder;
  readonly #priority: PriorityResolver;
  readonly #metrics?: SchedulerMetrics;
  readonly #volumes: InformerVolumeAccess;
  #binds = 0;
  #bindWaiters: Array<() => void> = [];
  #inflight = new Set<Promise<void>>();
  #removers: Array<() => void> = [];

  constructor(o: SchedulerOptions) {
    this.#o = o;
    this.#log = o.logger ?? defaultLogger;
    const clock = o.clock ?? realClock;
    const profile = o.profile ?? defaultProfile();
    this.#pods = o.informers.informerFor(PODS);
    const nodes = o.informers.informerFor(NODES);
    const namespaces = o.informers.informerFor(NAMESPACES);
    const classes = o.informers.informerFor(PRIORITY_CLASSES);
    // Storage changes go to the queue once it exists (they can only arrive after informers start).
    this.#volumes = new InformerVolumeAccess(o.client, o.informers, ev => this.queue?.moveAllOnEvent(ev));
    this.#informers = [this.#pods, nodes, namespaces, classes, ...this.#volumes.informers];
    const priority = (this.#priority = new PriorityResolver(classes));
    // Like kube-scheduler, events go the events.k8s.io way: eventTime, action and series.
    this.#recorder = new EventRecorder({ client: o.client, component: profile.schedulerName, clock, logger: this.#log, series: true });
    this.reporter = new Reporter(o.client, this.#recorder, profile.schedulerName, this.#log, () => clock.now());
    const handle: Handle = {
      nodes: this.cache,
      namespaceLabels: namespaceLabelsFrom(namespaces),
      priorityOf: priority.priorityOf,
      preemptionPolicyOf: priority.preemptionPolicyOf,
      bindPod: (pod, node) => this.reporter.bind(pod, node),
      volumes: this.#volumes,
      preemptor: {
        evict: (preemptor, node, victims) => this.#evict(preemptor, node, victims),
        nominatedPods: node => this.queue.nominator.podsOn(node),
      },
    };
    this.framework = new Framework(o.registry ?? inTreeRegistry(), profile, handle);
    this.queue = new SchedulingQueue({
      less: this.framework.queueLess, pluginEvents: this.framework.events, clock,
      initialBackoffMs: o.initialBackoffMs, maxBackoffMs: o.maxBackoffMs,
    });
    if (o.metrics) this.#metrics = new SchedulerMetrics(o.metrics, profile.schedulerName, () => this.queue.lengths);
    this.#algo = new Algorithm(this.framework, this.cache, this.queue.nominator, o.percentageOfNodesToScore ?? 0);
    const deps = { cache: this.cache, queue: this.queue, schedulerNames: new Set([profile.schedulerName]), priorityOf: priority.priorityOf };
    this.#removers.push(
      nodes.addEventHandler(nodeHandler(deps)), this.#pods.addEventHandler(podHandler(deps)), namespaces.addEventHandler(namespaceHandler(deps)),
    );
  }

  /** Schedules until `signal` aborts; waits for the informers' first lists first. */
  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all(this.#informers.map(i => { i.start(); return i.waitForSync(signal); }));
    if (!synced.every(Boolean)) return;
    this.#log.info('scheduler started', { nodes: this.cache.nodeCount, pending: this.queue.lengths.active });
    // Losing leadership ends this loop but keeps the queue: a later term picks up from it.
    let slice = performance.now();
    let budget = SLICE_MS;
    for (;;) {
      const waited = this.queue.lengths.active === 0;
      const q = await this.queue.pop(signal);
      if (!q) break;
      if (waited) { slice = performance.now(); budget = SLICE_MS; } // waiting for a pod let everything else run
      try { this.scheduleOne(q); } catch (e) {
        this.#log.error('scheduling cycle failed', { pod: q.podInfo.key, error: e instanceof Error ? e.stack : String(e) });
      }
      // Cycles run back to back for a slice, then watch events and answers get their turn.
      // Not after every pod: in `kubeling server` one event-loop turn can take a second
      // under API load, and an empty queue already yields (pop waits for the next pod).
      // The slice grows to as long as everything else took meanwhile (up to MAX_SLICE_MS):
      // with a fixed 20 ms against turns of 200 ms of API requests, a backlog of pending
      // pods got a tenth of the process and waited in the queue for tens of seconds.
      if (performance.now() - slice > budget) {
        const away = performance.now();
        await new Promise<void>(r => setImmediate(r));
        slice = performance.now();
        budget = Math.min(MAX_SLICE_MS, Math.max(SLICE_MS, slice - away));
      }
    }
    await Promise.allSettled([...this.#inflight]);
  }

  async stop(): Promise<void> {
    this.queue.close();
    for (const r of this.#removers.splice(0)) r();
    this.#volumes.stop();
    await Promise.allSettled([...this.#inflight]);
    await this.#recorder.close();
  }

  /** One scheduling cycle (synchronous); binding continues in the background. */
  scheduleOne(q: QueuedPodInfo): ScheduleOutcome | undefined {
    const cur = this.#pods.get(q.podInfo.key) as Pod | undefined;
    if (!cur || cur.spec?.nodeName || cur.metadata?.deletionTimestamp || this.cache.isAssumed(q.podInfo.key)) return undefined;
    if (cur !== q.podInfo.pod) q.podInfo = new PodInfo(cur, q.podInfo.priorityOf);
    const pi = q.podInfo;
    const cycle = this.queue.schedulingCycle;
    const t0 = performance.now();
    const state = new CycleState();
    const out = this.#algo.schedule(state, pi);
    this.#metrics?.algorithm(t0);
    if (out.kind === 'error') {
      // "no nodes available" is a rejection any cluster event (a node added) may lift.
      if (out.status.isRejected()) q.unschedulablePlugins = new Set();
      this.#fail(q, cycle, t0, out.status.isRejected(), out.status.message());
      return out;
    }
    if (out.kind === 'unschedulable') {
      q.unschedulablePlugins = out.plugins;
      let postFilterMsg: string | undefined;
      let nominated: string | undefined;
      if (this.framework.hasPostFilter()) {
        const pf = this.framework.runPostFilterPlugins(state, pi, out.diagnosis.nodeStatuses);
        if (pf.status.code === Code.Error) this.#log.warn('post filter failed', { pod: pi.key, error: pf.status.message() });
        else if (!pf.status.isSuccess()) postFilterMsg = pf.status.message();
        nominated = pf.nominatedNodeName;
      }
      const msg = fitErrorMessage(out.numAllNodes, { ...out.diagnosis, postFilterMsg });
      this.#fail(q, cycle, t0, true, msg, nominated);
      return out;
    }
    this.cache.assumePod(pi, out.node);
    this.queue.nominator.delete(pi.key);
    const rs = this.framework.runReservePlugins(state, pi, out.node);
    if (!rs.isSuccess()) {
      this.framework.runUnreservePlugins(state, pi, out.node);
      this.cache.forgetPod(pi.key);
      this.#fail(q, cycle, t0, rs.isRejected(), rs.message());
      return out;
    }
    const p = this.#bindingCycle(state, q, out.node, cycle, t0).finally(() => this.#inflight.delete(p));
    this.#inflight.add(p);
    return out;
  }

  async #bindingCycle(state: CycleState, q: QueuedPodInfo, node: string, cycle: number, t0: number): Promise<void> {
    const pi = q.podInfo;
    await this.#acquireBind();
    let ok = false;
    try {
      const pre = await this.framework.runPreBindPlugins(state, pi.pod, node);
      const tBind = performance.now();
      const s = pre.isSuccess() ? await this.framework.runBindPlugins(state, pi.pod, node) : pre;
      if (pre.isSuccess()) this.#metrics?.extensionPoint('Bind', s.isSuccess() ? 'Success' : 'Error', tBind);
      ok = s.isSuccess();
      if (ok) { this.#metrics?.attempt('scheduled', t0); this.reporter.scheduled(pi.pod, node); return; }
      this.framework.runUnreservePlugins(state, pi, node);
      this.cache.forgetPod(pi.key);
      // The room it held is free again.
      this.queue.moveAllOnEvent({ resource: 'AssignedPod', action: 'Delete' });
      this.#fail(q, cycle, t0, false, `Binding rejected: ${s.message()}`);
    } finally {
      this.#releaseBind();
      this.#o.onBound?.(pi.pod, node, ok);
    }
  }

  /** Requeues (unless the pod is gone or bound), records the event and condition. */
  #fail(q: QueuedPodInfo, cycle: number, t0: number, unschedulable: boolean, message: string, nominated?: string): void {
    this.#metrics?.attempt(unschedulable ? 'unschedulable' : 'error', t0);
    const cur = this.#pods.get(q.podInfo.key) as Pod | undefined;
    if (!cur || cur.spec?.nodeName) return;
    if (cur !== q.podInfo.pod) q.podInfo = new PodInfo(cur, q.podInfo.priorityOf);
    this.queue.requeue(q, cycle, unschedulable);
    if (nominated !== undefined) this.queue.nominator.set(q.podInfo, nominated);
    this.reporter.failed(cur, unschedulable ? 'Unschedulable' : 'SchedulerError', message, nominated);
  }

  #evict(preemptor: Pod, node: string, victims: readonly Pod[]): void {
    this.reporter.evict(preemptor, node, victims);
    // Lower-priority pods nominated here lose their nomination: the room is for the preemptor.
    const prio = this.#priority.priorityOf(preemptor);
    for (const n of [...this.queue.nominator.podsOn(node)]) {
      if (n.key === podKey(preemptor) || n.priority >= prio) continue;
      this.queue.nominator.delete(n.key);
      this.reporter.clearNomination(n.pod);
    }
  }

  async #acquireBind(): Promise<void> {
    const max = this.#o.maxConcurrentBinds ?? 64;
    while (this.#binds >= max) await new Promise<void>(r => this.#bindWaiters.push(r));
    this.#binds++;
  }

  #releaseBind(): void {
    this.#binds--;
    this.#bindWaiters.shift()?.();
  }
}
