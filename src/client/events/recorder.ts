/**
 * Records core/v1 Events about objects, as components do with client-go's broadcaster.
 * `event()` returns at once and never throws: writes happen in the background, up to
 * `concurrency` at once (client-go's events library writes each in a goroutine of its
 * own), with a few retries for transient failures. Writes to one Event stay in order:
 * a repeat's patch waits for its create. Only beyond `maxQueued` waiting writes (a
 * server that stopped answering) are new events dropped, and the drops are logged.
 */
import { hostname } from 'node:os';
import { AlreadyExistsError, KubelingError, NotFoundError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { Client } from '../client.js';
import { realClock, sleep, type Clock } from '../clock.js';
import { defaultLogger, errMessage, type Logger } from '../logger.js';
import { EventCorrelator, microTime, type CoreEvent, type Correlation, type ObjectReference } from './correlator.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: Client;
  /** source.component and reportingComponent, e.g. "default-scheduler". */
  component: string;
  /** source.host (the node, for node agents). */
  host?: string;
  /** reportingInstance; default host, else this machine's hostname. */
  reportingInstance?: string;
  clock?: Clock;
  logger?: Logger;
  /** Events waiting for a write slot before new ones are dropped (default 10,000). */
  maxQueued?: number;
  /** Writes in flight at once (default 8). */
  concurrency?: number;
  /**
   * Write events the events.k8s.io way (eventTime, action, and `series` for repeats
   * instead of count/firstTimestamp/lastTimestamp), as upstream's scheduler does.
   */
  series?: boolean;
  /** Correlator tuning (tests). */
  dedupeWindowMs?: number;
  burst?: number;
  refillMs?: number;
}

const EVENTS = { apiVersion: 'v1', kind: 'Event' };
const MAX_MESSAGE = 1024;
const ATTEMPTS = 3;
const DROP_LOG_MS = 10_000;

export class EventRecorder {
  readonly #o: EventRecorderOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #correlator: EventCorrelator;
  readonly #instance: string;
  /** Waiting writes, oldest first from #head (a queue without O(n) shifts). */
  #pending: Correlation[] = [];
  #head = 0;
  #inflight = 0;
  /** The last write started per Event name: the next write to that Event waits for it. */
  readonly #lastWrite = new Map<string, Promise<void>>();
  #idleWaiters: Array<() => void> = [];
  #lastNanos = 0n;
  #closed = false;
  #drops = 0;
  #dropLoggedAt = -Infinity;

  constructor(opts: EventRecorderOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
    this.#log = opts.logger ?? defaultLogger;
    // Looked up once: os.hostname() asks the system every time.
    this.#instance = opts.reportingInstance ?? opts.host ?? hostname();
    this.#correlator = new EventCorrelator({ clock: this.#clock, dedupeWindowMs: opts.dedupeWindowMs, burst: opts.burst, refillMs: opts.refillMs, series: opts.series });
  }

  /** Records that `reason` happened to `obj`. Never throws; the write is asynchronous. */
  /** `action`: what was done (series mode; default the reason), e.g. "Scheduling", "Binding". */
  event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string, opts: { fieldPath?: string; action?: string } = {}): void {
    try {
      if (this.#closed) return;
      const ref = refOf(obj, opts.fieldPath);
      if (!ref.name) return;
      const c = this.#correlator.correlate(this.#make(ref, type, reason, message, opts.action));
      if (c.action === 'drop') return;
      if (this.#pending.length - this.#head >= (this.#o.maxQueued ?? 10_000)) {
        this.#dropped(reason, ref.name);
        return;
      }
      this.#pending.push(c);
      this.#pump();
    } catch (e) {
      this.#log.error('recording event failed', { reason, error: errMessage(e) });
    }
  }

  /** Resolves once every event recorded so far was written (or given up on). */
  async flush(): Promise<void> {
    if (this.#idle()) return;
    await new Promise<void>(r => this.#idleWaiters.push(r));
  }

  /** Stops taking events and waits for the pending writes. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #make(ref: ObjectReference, type: EventType, reason: string, message: string, action?: string): CoreEvent {
    const now = this.#clock.now();
    // Name like upstream's `<object>.<hex UnixNano>`, unique even within one millisecond.
    let nanos = BigInt(now) * 1_000_000n;
    if (nanos <= this.#lastNanos) nanos = this.#lastNanos + 1n;
    this.#lastNanos = nanos;
    const host = this.#o.host;
    const ev: CoreEvent = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${ref.name}.${nanos.toString(16)}`, namespace: ref.namespace || 'default' },
      involvedObject: ref, reason, type,
      message: message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE - 3) + '...' : message,
      source: host ? { component: this.#o.component, host } : { component: this.#o.component },
      reportingComponent: this.#o.component,
      reportingInstance: this.#instance,
    };
    if (this.#o.series) { ev.eventTime = microTime(now); ev.action = action ?? reason; }
    else { ev.firstTimestamp = ev.lastTimestamp = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'); ev.count = 1; }
    return ev;
  }

  /** Counts drops; says so at most once per DROP_LOG_MS (under load a line per drop would add to it). */
  #dropped(reason: string, object: string): void {
    this.#drops++;
    const now = this.#clock.now();
    if (now - this.#dropLoggedAt < DROP_LOG_MS) return;
    this.#log.warn('event queue full; dropping events', { dropped: this.#drops, lastReason: reason, lastObject: object });
    this.#dropLoggedAt = now;
    this.#drops = 0;
  }

  #idle(): boolean { return this.#inflight === 0 && this.#head === this.#pending.length; }

  /** Starts waiting writes while slots are free. */
  #pump(): void {
    const max = Math.max(1, this.#o.concurrency ?? 8);
    while (this.#inflight < max && this.#head < this.#pending.length) {
      const c = this.#pending[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#pending.length) { this.#pending = this.#pending.slice(this.#head); this.#head = 0; }
      if (c.action === 'drop') continue;
      const name = `${c.event.metadata.namespace}/${c.event.metadata.name}`;
      const before = this.#lastWrite.get(name);
      this.#inflight++;
      const p: Promise<void> = (before ? before.then(() => this.#attempts(c)) : this.#attempts(c)).finally(() => {
        this.#inflight--;
        if (this.#lastWrite.get(name) === p) this.#lastWrite.delete(name);
        this.#pump();
        if (this.#idle()) for (const w of this.#idleWaiters.splice(0)) w();
      });
      this.#lastWrite.set(name, p);
    }
  }

  /** One event's write with retries for transient failures; never rejects. */
  async #attempts(c: Correlation): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#write(c);
        return;
      } catch (e) {
        if (attempt >= ATTEMPTS || !transient(e)) {
          this.#log.warn('writing event failed; dropped', { reason: c.action !== 'drop' ? c.event.reason : '', error: errMessage(e) });
          return;
        }
        await sleep(this.#clock, 250 * 2 ** attempt);
      }
    }
  }

  async #write(c: Correlation): Promise<void> {
    if (c.action === 'drop') return;
    const ev = c.event;
    const { client } = this.#o;
    if (c.action === 'patch') {
      try {
        const patch = ev.series ? { series: ev.series } : { count: ev.count, message: ev.message, lastTimestamp: ev.lastTimestamp };
        await client.patchWithoutResult(EVENTS, ev.metadata.name, patch, { namespace: ev.metadata.namespace, type: 'merge' });
        return;
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
        // The earlier Event is gone (expired or deleted): write it again, count kept.
      }
    }
    try {
      // Nobody reads the Event written: the answer is not decoded.
      await client.createWithoutResult(EVENTS, ev as unknown as KubeObject, { namespace: ev.metadata.namespace });
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
  }
}

function transient(e: unknown): boolean {
  if (!(e instanceof KubelingError)) return true;
  return e.httpStatus >= 500 || e.httpStatus === 429 || e.code === 'KL_CONNECTION' || e.code === 'KL_TIMEOUT';
}

/** The reference with only its set fields (built up, not deleted from: the object stays fast to serialise). */
function refOf(obj: KubeObject | ObjectReference, fieldPath?: string): ObjectReference {
  const m = (obj as KubeObject).metadata;
  const src: ObjectReference = m
    ? {
      kind: (obj as KubeObject).kind, namespace: m.namespace, name: m.name, uid: m.uid,
      apiVersion: (obj as KubeObject).apiVersion, resourceVersion: m.resourceVersion,
    }
    : (obj as ObjectReference);
  const ref: ObjectReference = {};
  for (const k of REF_FIELDS) {
    const v = k === 'fieldPath' && fieldPath ? fieldPath : src[k];
    if (v !== undefined && v !== '') ref[k] = v;
  }
  return ref;
}

const REF_FIELDS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'] as const;
