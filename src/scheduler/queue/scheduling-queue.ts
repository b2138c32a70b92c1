/**
 * The scheduling queue (upstream's PriorityQueue): activeQ (ordered by the QueueSort
 * plugin), backoffQ (failed pods waiting 1s, 2s, 4s … 10s by attempts) and
 * unschedulablePods (waiting for a cluster event one of their rejecting plugins cares
 * about, or at most 5 minutes). Not thread-safe by design: one JS event loop drives it.
 */
import { realClock, type Clock, type TimerHandle } from '../../client/index.js';
import type { ClusterEvent, QueuedPodInfo } from '../framework/interface.js';
import type { PodInfo } from '../framework/node-info.js';
import type { Pod } from '../framework/types.js';
import { matches, podSpecChanged } from './events.js';
import { Heap } from './heap.js';
import { Nominator } from './nominator.js';

export interface SchedulingQueueOptions {
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** Plugin → events that may make the pods it rejected schedulable. */
  pluginEvents?: ReadonlyMap<string, readonly ClusterEvent[]>;
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods are retried after this long even without an event (upstream: 5 min). */
  maxInUnschedulableMs?: number;
}

export const GATED_PLUGIN = 'SchedulingGates';
const FLUSH_UNSCHEDULABLE_EVERY_MS = 30_000;
const gated = (p: Pod) => (p.spec?.schedulingGates?.length ?? 0) > 0;

export class SchedulingQueue {
  readonly nominator = new Nominator();
  readonly #o: Required<Omit<SchedulingQueueOptions, 'pluginEvents'>> & Pick<SchedulingQueueOptions, 'pluginEvents'>;
  readonly #active: Heap<QueuedPodInfo>;
  readonly #backoff: Heap<QueuedPodInfo>;
  readonly #unschedulable = new Map<string, QueuedPodInfo>();
  #waiters: Array<(q: QueuedPodInfo | undefined) => void> = [];
  #cycle = 0;
  #moveRequestCycle = -1;
  #backoffTimer?: { h: TimerHandle; at: number };
  #flushTimer?: TimerHandle;
  #closed = false;

  constructor(opts: SchedulingQueueOptions) {
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as SchedulingQueueOptions;
    this.#o = { clock: realClock, initialBackoffMs: 1000, maxBackoffMs: 10_000, maxInUnschedulableMs: 5 * 60_000, ...given };
    const key = (q: QueuedPodInfo) => q.podInfo.key;
    this.#active = new Heap(key, this.#o.less);
    this.#backoff = new Heap(key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
    this.#scheduleFlush();
  }

  get schedulingCycle(): number { return this.#cycle; }
  get lengths(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.#active.size, backoff: this.#backoff.size, unschedulable: this.#unschedulable.size };
  }
  has(key: string): boolean { return this.#active.has(key) || this.#backoff.has(key) || this.#unschedulable.has(key); }
  where(key: string): 'active' | 'backoff' | 'unschedulable' | undefined {
    return this.#active.has(key) ? 'active' : this.#backoff.has(key) ? 'backoff' : this.#unschedulable.has(key) ? 'unschedulable' : undefined;
  }

  /** A new pending pod. */
  add(pi: PodInfo): void {
    this.#remove(pi.key);
    const now = this.#o.clock.now();
    const q: QueuedPodInfo = { podInfo: pi, timestamp: now, attempts: 0, unschedulablePlugins: new Set() };
    this.nominator.set(pi, pi.pod.status?.nominatedNodeName);
    if (gated(pi.pod)) { q.unschedulablePlugins.add(GATED_PLUGIN); this.#unschedulable.set(pi.key, q); return; }
    this.#pushActive(q);
  }

  /** A pending pod changed. Status-only changes (e.g. our own condition) do not requeue it. */
  update(old: Pod | undefined, pi: PodInfo): void {
    const k = pi.key;
    this.nominator.set(pi, pi.pod.status?.nominatedNodeName);
    const inActive = this.#active.get(k) ?? this.#backoff.get(k);
    if (inActive) {
      inActive.podInfo = pi;
      if (this.#active.has(k)) this.#active.addOrUpdate(inActive); else this.#backoff.addOrUpdate(inActive);
      return;
    }
    const u = this.#unschedulable.get(k);
    if (!u) { this.add(pi); return; }
    const changed = !old || podSpecChanged(old, pi.pod);
    u.podInfo = pi;
    if (!changed) return;
    if (u.unschedulablePlugins.has(GATED_PLUGIN) && !gated(pi.pod)) u.unschedulablePlugins.delete(GATED_PLUGIN);
    this.#move(u);
  }

  delete(key: string): void {
    this.#remove(key);
    this.nominator.delete(key);
  }

  /** The next pod to schedule; waits while activeQ is empty; undefined once closed or `signal` aborts. */
  pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    if (this.#closed || signal?.aborted) return Promise.resolve(undefined);
    const q = this.#active.pop();
    if (q) return Promise.resolve(this.#started(q));
    return new Promise(resolve => {
      const w = (x: QueuedPodInfo | undefined) => { signal?.removeEventListener('abort', abort); resolve(x); };
      const abort = () => { this.#waiters = this.#waiters.filter(x => x !== w); resolve(undefined); };
      signal?.addEventListener('abort', abort, { once: true });
      this.#waiters.push(w);
    });
  }

  /**
   * Puts a pod whose cycle failed back. `unschedulable` false (an error) always backs off;
   * so does a rejected pod if something moved pods since its cycle began (it may fit now).
   */
  requeue(q: QueuedPodInfo, cycle: number, unschedulable: boolean): void {
    if (this.#closed || this.has(q.podInfo.key)) return;
    q.timestamp = this.#o.clock.now();
    if (!unschedulable || this.#moveRequestCycle >= cycle) this.#pushBackoff(q);
    else this.#unschedulable.set(q.podInfo.key, q);
  }

  /** A cluster event happened: move the unschedulable pods it may help. */
  moveAllOnEvent(event: ClusterEvent, preCheck?: (pod: Pod) => boolean): void {
    for (const q of [...this.#unschedulable.values()]) {
      if (q.unschedulablePlugins.has(GATED_PLUGIN)) continue;
      if (!this.#interested(q, event)) continue;
      if (preCheck && !preCheck(q.podInfo.pod)) continue;
      this.#move(q);
    }
    this.#moveRequestCycle = this.#cycle;
  }

  backoffExpiry(q: QueuedPodInfo): number {
    let d = this.#o.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.#o.maxBackoffMs) { d = this.#o.maxBackoffMs; break; }
    }
    return q.timestamp + (q.attempts > 0 ? d : 0);
  }

  close(): void {
    this.#closed = true;
    if (this.#backoffTimer) this.#o.clock.clearTimeout(this.#backoffTimer.h);
    if (this.#flushTimer) this.#o.clock.clearTimeout(this.#flushTimer);
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  #started(q: QueuedPodInfo): QueuedPodInfo {
    q.attempts++;
    q.initialAttemptTimestamp ??= this.#o.clock.now();
    this.#cycle++;
    return q;
  }

  #interested(q: QueuedPodInfo, event: ClusterEvent): boolean {
    if (event.resource === '*' || q.unschedulablePlugins.size === 0) return true;
    for (const p of q.unschedulablePlugins) {
      for (const reg of this.#o.pluginEvents?.get(p) ?? []) if (matches(reg, event)) return true;
    }
    return false;
  }

  #move(q: QueuedPodInfo): void {
    if (gated(q.podInfo.pod)) return;
    this.#unschedulable.delete(q.podInfo.key);
    if (this.backoffExpiry(q) > this.#o.clock.now()) this.#pushBackoff(q);
    else this.#pushActive(q);
  }

  #pushActive(q: QueuedPodInfo): void {
    const w = this.#waiters.shift();
    if (w) w(this.#started(q));
    else this.#active.addOrUpdate(q);
  }

  #pushBackoff(q: QueuedPodInfo): void {
    this.#backoff.addOrUpdate(q);
    this.#armBackoffTimer();
  }

  #remove(key: string): void {
    this.#active.delete(key);
    this.#backoff.delete(key);
    this.#unschedulable.delete(key);
  }

  /** One timer, for the earliest back-off expiry. */
  #armBackoffTimer(): void {
    const head = this.#backoff.peek();
    if (!head || this.#closed) return;
    const at = this.backoffExpiry(head);
    if (this.#backoffTimer && this.#backoffTimer.at <= at) return;
    if (this.#backoffTimer) this.#o.clock.clearTimeout(this.#backoffTimer.h);
    const h = this.#o.clock.setTimeout(() => { this.#backoffTimer = undefined; this.#flushBackoff(); }, at - this.#o.clock.now());
    (h as { unref?: () => void }).unref?.();
    this.#backoffTimer = { h, at };
  }

  #flushBackoff(): void {
    const now = this.#o.clock.now();
    for (let q = this.#backoff.peek(); q && this.backoffExpiry(q) <= now; q = this.#backoff.peek()) {
      this.#backoff.pop();
      this.#pushActive(q);
    }
    this.#armBackoffTimer();
  }

  #scheduleFlush(): void {
    if (this.#closed) return;
    const h = this.#o.clock.setTimeout(() => {
      const now = this.#o.clock.now();
      for (const q of [...this.#unschedulable.values()]) {
        if (!q.unschedulablePlugins.has(GATED_PLUGIN) && now - q.timestamp >= this.#o.maxInUnschedulableMs) this.#move(q);
      }
      this.#scheduleFlush();
    }, FLUSH_UNSCHEDULABLE_EVERY_MS);
    (h as { unref?: () => void }).unref?.();
    this.#flushTimer = h;
  }
}
