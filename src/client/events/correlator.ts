/**
 * Decides what to do with a new Event, like client-go's EventCorrelator:
 * - spam filter: a token bucket per (source, involved object): 25 burst, one token
 *   back every 5 minutes; events without a token are dropped;
 * - aggregation: once 10 events of one (source, object, type, reason) with different
 *   messages came within 10 minutes, further ones become one Event whose message is
 *   "(combined from similar events): <latest>";
 * - dedupe: the same (source, involved object, type, reason, message) seen within
 *   10 minutes patches the earlier Event's count and lastTimestamp instead of a new one.
 * In `series` mode (client-go's events.k8s.io recorder, used by the scheduler) a repeat
 * of (action, reason, reporting component, object) within 6 minutes instead sets the
 * first Event's `series` {count, lastObservedTime}; events carry eventTime, no count.
 * All caches are bounded LRUs.
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
  firstTimestamp?: string;
  lastTimestamp?: string;
  count?: number;
  reportingComponent: string;
  reportingInstance: string;
  /** Series mode: when it first happened (MicroTime), what was done, and the repeats. */
  eventTime?: string;
  action?: string;
  series?: { count: number; lastObservedTime: string };
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
  /** Patch the Event named `event.metadata.name` to `event`'s count, message and lastTimestamp (series mode: its series). */
  | { action: 'patch'; event: CoreEvent }
  | { action: 'drop' };

export interface CorrelatorOptions {
  clock: Clock;
  dedupeWindowMs?: number;
  burst?: number;
  /** Ms for one token to come back. */
  refillMs?: number;
  maxEntries?: number;
  /** events.k8s.io-style series instead of counts (see above). */
  series?: boolean;
}

interface Seen { name: string; namespace: string; count: number; firstTimestamp?: string; eventTime?: string; lastSeen: number }
interface Similar { messages: Set<string>; last: number }

const AGGREGATE_AFTER = 10;
const AGGREGATE_WINDOW_MS = 10 * 60_000;
const SERIES_WINDOW_MS = 6 * 60_000;
export const COMBINED_PREFIX = '(combined from similar events): ';

/** MicroTime, as the events API writes it: RFC 3339 with microseconds. */
export const microTime = (ms: number): string => {
  const iso = new Date(ms).toISOString(); // …T12:34:56.789Z (years 0-9999)
  return iso.length === 24 ? `${iso.slice(0, 23)}000Z` : iso.replace(/(\.\d{3})Z$/, '$1000Z');
};
interface Bucket { tokens: number; last: number }

export class EventCorrelator {
  readonly #clock: Clock;
  readonly #window: number;
  readonly #burst: number;
  readonly #refillMs: number;
  readonly #max: number;
  readonly #seen = new Map<string, Seen>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #similar = new Map<string, Similar>();
  readonly #series: boolean;

  constructor(o: CorrelatorOptions) {
    this.#clock = o.clock;
    this.#window = o.dedupeWindowMs ?? 10 * 60_000;
    this.#burst = o.burst ?? 25;
    this.#refillMs = o.refillMs ?? 5 * 60_000;
    this.#max = o.maxEntries ?? 4096;
    this.#series = o.series ?? false;
  }

  /** Classifies `ev` (a fresh Event with count 1) and rewrites it for a patch when it repeats. */
  correlate(ev: CoreEvent): Correlation {
    const now = this.#clock.now();
    if (!this.#take(spamKey(ev), now)) return { action: 'drop' };
    if (this.#series) return this.#seriesOf(ev, now);
    const { event, key } = this.#aggregate(ev, now);
    return this.#dedupe(event, key, now);
  }

  /** client-go's EventAggregator: past 10 different messages, similar events share one key. */
  #aggregate(ev: CoreEvent, now: number): { event: CoreEvent; key: string } {
    const akey = aggregateKey(ev);
    let rec = this.#similar.get(akey);
    if (!rec || now - rec.last > AGGREGATE_WINDOW_MS) rec = { messages: new Set(), last: now };
    rec.messages.add(ev.message);
    rec.last = now;
    lruSet(this.#similar, akey, rec, this.#max);
    if (rec.messages.size < AGGREGATE_AFTER) return { event: ev, key: dedupeKey(ev) };
    rec.messages.delete(rec.messages.values().next().value as string); // bounded, like client-go's PopAny
    return { event: { ...ev, message: COMBINED_PREFIX + ev.message }, key: akey };
  }

  #seriesOf(ev: CoreEvent, now: number): Correlation {
    const key = seriesKey(ev);
    const prev = this.#seen.get(key);
    if (prev && now - prev.lastSeen < SERIES_WINDOW_MS) {
      const count = prev.count + 1;
      lruSet(this.#seen, key, { ...prev, count, lastSeen: now }, this.#max);
      const event = { ...ev, metadata: { name: prev.name, namespace: prev.namespace }, eventTime: prev.eventTime, series: { count, lastObservedTime: microTime(now) } };
      return { action: 'patch', event };
    }
    lruSet(this.#seen, key, { name: ev.metadata.name, namespace: ev.metadata.namespace, count: 1, eventTime: ev.eventTime, lastSeen: now }, this.#max);
    return { action: 'create', event: ev };
  }

  #dedupe(ev: CoreEvent, key: string, now: number): Correlation {
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

/**
 * Cache keys: the parts joined with a separator no part contains unquoted (every event of a
 * scheduler goes through two of them; JSON.stringify of an array cost more than the lookup).
 */
const SEP = '\u0000';
const part = (s: string | undefined): string => (s === undefined ? '' : s.includes(SEP) || s.startsWith('"') ? JSON.stringify(s) : s);

function refKey(r: ObjectReference): string {
  return part(r.kind) + SEP + part(r.namespace) + SEP + part(r.name) + SEP + part(r.uid) + SEP + part(r.apiVersion);
}

function spamKey(ev: CoreEvent): string {
  return part(ev.source.component) + SEP + part(ev.source.host) + SEP + refKey(ev.involvedObject);
}

function dedupeKey(ev: CoreEvent): string {
  return spamKey(ev) + SEP + part(ev.type) + SEP + part(ev.reason) + SEP + part(ev.message);
}

/** Everything of dedupeKey but the message. */
function aggregateKey(ev: CoreEvent): string {
  return spamKey(ev) + SEP + part(ev.type) + SEP + part(ev.reason) + SEP + part(ev.reportingComponent) + SEP + part(ev.reportingInstance);
}

/** client-go events' getKey: action, reason, reporting controller, the object (with its field path). */
function seriesKey(ev: CoreEvent): string {
  return part(ev.action) + SEP + part(ev.reason) + SEP + part(ev.reportingComponent) + SEP + refKey(ev.involvedObject) + SEP + part(ev.involvedObject.fieldPath);
}

function lruSet<K, V>(m: Map<K, V>, k: K, v: V, max: number): void {
  m.delete(k);
  m.set(k, v);
  if (m.size > max) m.delete(m.keys().next().value as K);
}
