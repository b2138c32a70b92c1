/**
 * The list-then-watch loop behind an informer (client-go's Reflector): lists, watches
 * from the list's resourceVersion, resumes from the last seen version when the
 * connection drops (exponential back-off), and lists again on 410 Gone/Expired.
 */
import { GoneError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { apiVersionOf, type ResourceInfo } from '../api/resources.js';
import type { Client } from './client.js';
import { jitter, realClock, sleep, type Clock } from './clock.js';
import { errMessage, type Logger } from './logger.js';
import type { ObjectLike } from './paths.js';

export interface ReflectorSink<T extends ObjectLike> {
  /** A complete (re)list: the cache becomes exactly `items`. */
  replace(items: T[], resourceVersion: string): void;
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void;
}

export interface ReflectorOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size (0 = one unpaged list). Default 500, like client-go. */
  pageSize?: number;
  clock?: Clock;
  logger: Logger;
  /** Back-off after a failed list or watch: starts here, doubles, capped at maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Watches ask the server to end them after a random 1×–2× this (client-go: 5 min). */
  minWatchTimeoutSeconds?: number;
}

export class Reflector<T extends ObjectLike> {
  readonly #client: Client;
  readonly #ri: ResourceInfo;
  readonly #sink: ReflectorSink<T>;
  readonly #o: ReflectorOptions;
  readonly #clock: Clock;
  #rv = '';
  /** Watch events received so far (progress marker for back-off). */
  #events = 0;

  constructor(client: Client, ri: ResourceInfo, sink: ReflectorSink<T>, opts: ReflectorOptions) {
    this.#client = client;
    this.#ri = ri;
    this.#sink = sink;
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
  }

  /** The resourceVersion of the last list, event or bookmark seen. */
  get lastSyncResourceVersion(): string { return this.#rv; }

  /** Runs until `signal` aborts; never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    const first = this.#o.initialBackoffMs ?? 800;
    let delay = first;
    let needList = true;
    let gone = 0;
    while (!signal.aborted) {
      const seen = this.#events;
      try {
        if (needList) {
          await this.#list(signal);
          needList = false;
        }
        if (!(await this.#watch(signal))) throw new Error('watch closed at once without events');
        delay = first;
        gone = 0;
      } catch (e) {
        if (signal.aborted) break;
        if (this.#events > seen) { delay = first; gone = 0; } // it worked for a while: start back-off afresh
        // Our version fell out of the server's window: only a fresh list can catch up.
        // Relist at once, unless even a fresh list's version expires (then back off).
        if (e instanceof GoneError && gone++ === 0) {
          this.#o.logger.info('watch expired; relisting', { resource: this.#ri.plural, resourceVersion: this.#rv, error: errMessage(e) });
          needList = true;
          continue;
        }
        if (e instanceof GoneError) needList = true;
        this.#o.logger.warn('list/watch failed; retrying', { resource: this.#ri.plural, resourceVersion: this.#rv, error: errMessage(e), retryInMs: Math.round(delay) });
        await sleep(this.#clock, jitter(delay, 0.5), signal);
        delay = Math.min(delay * 2, this.#o.maxBackoffMs ?? 30_000);
      }
    }
  }

  async #list(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.#client.list(this.#ri, {
        namespace: this.#o.namespace, labelSelector: this.#o.labelSelector, fieldSelector: this.#o.fieldSelector,
        limit: this.#o.pageSize ?? 500, continue: cont,
      });
      if (signal.aborted) return;
      for (const o of page.items) items.push(this.#typed(o as unknown as T));
      rv = page.metadata.resourceVersion ?? '';
      cont = page.metadata.continue || undefined;
    } while (cont);
    this.#rv = rv;
    this.#sink.replace(items, rv);
  }

  /** Watches from the last version until the stream ends; false when it ended at once, empty. */
  async #watch(signal: AbortSignal): Promise<boolean> {
    const min = this.#o.minWatchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(min * (1 + Math.random()));
    const w = this.#client.watch<T>(this.#ri, {
      namespace: this.#o.namespace, labelSelector: this.#o.labelSelector, fieldSelector: this.#o.fieldSelector,
      resourceVersion: this.#rv, allowWatchBookmarks: true, timeoutSeconds,
    });
    const stop = () => w.stop();
    signal.addEventListener('abort', stop, { once: true });
    // A server that vanished without closing the socket never ends the stream: past its
    // own timeout plus slack, we end it and watch again from the same version.
    const deadline = this.#clock.setTimeout(stop, (timeoutSeconds + 30) * 1000);
    const started = this.#clock.now();
    let events = 0;
    try {
      // Events go to the cache synchronously, a chunk at a time (no promise per event).
      await w.each(ev => {
        events++;
        this.#events++;
        const rv = ev.object?.metadata?.resourceVersion;
        if (ev.type !== 'BOOKMARK') this.#sink.event(ev.type, this.#typed(ev.object));
        if (rv) this.#rv = rv;
      });
    } finally {
      signal.removeEventListener('abort', stop);
      this.#clock.clearTimeout(deadline);
    }
    return signal.aborted || w.stopped || events > 0 || this.#clock.now() - started >= 1000;
  }

  /** Stamps kind/apiVersion on objects that lack them (list items may), before anyone sees them. */
  #typed(o: T): T {
    const m = o as { kind?: string; apiVersion?: string };
    if (!m.kind) m.kind = this.#ri.kind;
    if (!m.apiVersion) m.apiVersion = apiVersionOf(this.#ri);
    return o;
  }
}
