/**
 * Events expire (kube-apiserver's --event-ttl, 1h by default). Upstream attaches an etcd
 * lease to every event write; here a reaper deletes events whose last write is older than
 * the TTL. "Last write" is the newest of the times an event carries (creation,
 * lastTimestamp, eventTime, series.lastObservedTime, and their events.k8s.io names),
 * which every recorder refreshes when it updates a repeat. Deletes are compare-and-swap
 * on the revision read, so an event updated meanwhile stays; watchers see DELETED.
 */
import { RESOURCES, storagePrefix } from '../../api/resources.js';
import { ConflictError, NotFoundError } from '../../api/errors.js';
import type { Store } from '../../store/types.js';

const PAGE = 500;

interface EventTimes {
  metadata?: { creationTimestamp?: string };
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { lastObservedTime?: string } | null;
  deprecatedLastTimestamp?: string | null;
}

/** The newest time an event was written at, in ms (0 when it carries none). */
export function lastWriteMs(ev: EventTimes): number {
  const times = [ev.metadata?.creationTimestamp, ev.lastTimestamp, ev.eventTime, ev.series?.lastObservedTime, ev.deprecatedLastTimestamp];
  return Math.max(0, ...times.map(t => (t ? Date.parse(t) : 0)).filter(n => !Number.isNaN(n)));
}

export class EventReaper {
  readonly #store: Store;
  readonly #ttlMs: number;
  readonly #prefixes: string[];
  #timer?: NodeJS.Timeout;
  #running?: Promise<number>;

  constructor(store: Store, ttlMs: number) {
    this.#store = store;
    this.#ttlMs = ttlMs;
    this.#prefixes = [...new Set(RESOURCES.filter(r => r.plural === 'events').map(storagePrefix))];
  }

  /** Sweeps every quarter of the TTL (at most every minute, at least every second). */
  start(): void {
    const every = Math.min(60_000, Math.max(1_000, this.#ttlMs / 4));
    this.#timer = setInterval(() => { void this.sweep().catch(() => undefined); }, every);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** Deletes the expired events now; returns how many. One sweep at a time. */
  sweep(now = Date.now()): Promise<number> {
    this.#running ??= this.#sweep(now).finally(() => { this.#running = undefined; });
    return this.#running;
  }

  async #sweep(now: number): Promise<number> {
    let deleted = 0;
    for (const prefix of this.#prefixes) {
      let startAfter: string | undefined;
      for (;;) {
        const page = await this.#store.list(prefix, { limit: PAGE, startAfter });
        for (const kv of page.items) {
          let ev: EventTimes;
          try { ev = JSON.parse(kv.value.toString('utf8')) as EventTimes; } catch { continue; }
          if (now - lastWriteMs(ev) < this.#ttlMs) continue;
          try {
            await this.#store.delete(kv.key, kv.modRevision);
            deleted++;
          } catch (e) {
            if (!(e instanceof ConflictError) && !(e instanceof NotFoundError)) throw e;
          }
        }
        if (!page.remaining || !page.items.length) break;
        startAfter = page.items[page.items.length - 1]!.key;
      }
    }
    return deleted;
  }
}
