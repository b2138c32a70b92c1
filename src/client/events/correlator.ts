/**
 * Decides what to do with a new Event, like client-go's EventCorrelator (simplified):
 * - spam filter: a token bucket per (source, involved object): 25 burst, one token
 *   back every 5 minutes; events without a token are dropped;
 * - dedupe: the same (source, involved object, type, reason, message) seen within
 *   10 minutes patches the earlier Event's count and lastTimestamp instead of a new one.
 * Both caches are bounded LRUs.
 */
import type { Clock } from '../clock.js';

export interface CoreEvent {
  apiVersion: 'v1';
  kind: 'Event';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: string;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  reportingComponent: string;
  reportingInstance: string;
}

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export type Correlation =
  | { action: 'create'; event: CoreEvent }
  /** Patch the Event named `event.metadata.name` to `event`'s count, message and lastTimestamp. */
  | { action: 'patch'; event: CoreEvent }
  | { action: 'drop' };

export interface CorrelatorOptions {
  clock: Clock;
  dedupeWindowMs?: number;
  burst?: number;
  /** Ms for one token to come back. */
  refillMs?: number;
  maxEntries?: number;
}

interface Seen { name: string; namespace: string; count: number; firstTimestamp: string; lastSeen: number }
interface Bucket { tokens: number; last: number }

export class EventCorrelator {
  readonly #clock: Clock;
  readonly #window: number;
  readonly #burst: number;
  readonly #refillMs: number;
  readonly #max: number;
  readonly #seen = new Map<string, Seen>();
  readonly #buckets = new Map<string, Bucket>();

  constructor(o: CorrelatorOptions) {
    this.#clock = o.clock;
    this.#window = o.dedupeWindowMs ?? 10 * 60_000;
    this.#burst = o.burst ?? 25;
    this.#refillMs = o.refillMs ?? 5 * 60_000;
    this.#max = o.maxEntries ?? 4096;
  }

  /** Classifies `ev` (a fresh Event with count 1) and rewrites it for a patch when it repeats. */
  correlate(ev: CoreEvent): Correlation {
    const now = this.#clock.now();
    if (!this.#take(spamKey(ev), now)) return { action: 'drop' };
    const key = dedupeKey(ev);
    const prev = this.#seen.get(key);
    if (prev && now - prev.lastSeen < this.#window) {
      const count = prev.count + 1;
      lruSet(this.#seen, key, { ...prev, count, lastSeen: now }, this.#max);
      const event = { ...ev, metadata: { name: prev.name, namespace: prev.namespace }, count, firstTimestamp: prev.firstTimestamp };
      return { action: 'patch', event };
    }
    lruSet(this.#seen, key, { name: ev.metadata.name, namespace: ev.metadata.namespace, count: 1, firstTimestamp: ev.firstTimestamp, lastSeen: now }, this.#max);
    return { action: 'create', event: ev };
  }

  #take(key: string, now: number): boolean {
    const b = this.#buckets.get(key) ?? { tokens: this.#burst, last: now };
    b.tokens = Math.min(this.#burst, b.tokens + (now - b.last) / this.#refillMs);
    b.last = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    lruSet(this.#buckets, key, b, this.#max);
    return ok;
  }
}

function refKey(r: ObjectReference): string[] {
  return [r.kind ?? '', r.namespace ?? '', r.name ?? '', r.uid ?? '', r.apiVersion ?? ''];
}

function spamKey(ev: CoreEvent): string {
  return JSON.stringify([ev.source.component, ev.source.host ?? '', ...refKey(ev.involvedObject)]);
}

function dedupeKey(ev: CoreEvent): string {
  return JSON.stringify([ev.source.component, ev.source.host ?? '', ...refKey(ev.involvedObject), ev.type, ev.reason, ev.message]);
}

function lruSet<K, V>(m: Map<K, V>, k: K, v: V, max: number): void {
  m.delete(k);
  m.set(k, v);
  if (m.size > max) m.delete(m.keys().next().value as K);
}
