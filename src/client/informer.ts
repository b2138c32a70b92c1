/**
 * An informer: a local cache of one resource kept current by list + watch, with
 * handlers and indices. Components share one per resource (SharedInformerFactory).
 *
 * The cache contract (as client-go's shared_informer.go):
 * - The cache is eventually consistent with the server: it may lag, and intermediate
 *   states may be skipped (an object changed twice may be seen once). Sync functions
 *   read current state from the cache, never from the event that woke them.
 * - Handlers run synchronously on the informer's event path, in order, for every
 *   handler: they must be quick (typically: queue a key). A slow handler delays all.
 * - Objects handed out (handlers, list, get, byIndex) are shared with every other
 *   user of the informer: never mutate them; `structuredClone` before changing one.
 * - After a relist, objects that vanished meanwhile reach onDelete as a
 *   `DeletedFinalStateUnknown` (the final state was not observed).
 * - A periodic resync (per handler, `resyncMs`) replays every cached object as an
 *   update with old === new, so level-triggered controllers re-check everything.
 */
import type { KubeObject } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import { Cache, type IndexFunc, NAMESPACE_INDEX } from './cache.js';
import type { Client } from './client.js';
import type { Clock } from './clock.js';
import { defaultLogger, errMessage, type Logger } from './logger.js';
import { keyOf, resolveResource, type ObjectLike, type ResourceRef } from './paths.js';
import { Reflector } from './reflector.js';

/** An object deleted while we were not watching: its last known state and key. */
export class DeletedFinalStateUnknown<T extends ObjectLike = KubeObject> {
  constructor(readonly key: string, readonly obj: T) {}
}

/** The object inside an onDelete argument, whichever form it came in. */
export function deletedObject<T extends ObjectLike>(x: T | DeletedFinalStateUnknown<T>): T {
  return x instanceof DeletedFinalStateUnknown ? x.obj : x;
}

export interface EventHandler<T extends ObjectLike = KubeObject> {
  /** `isInInitialList`: the object came with the first list (or a late handler's replay). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  pageSize?: number;
  clock?: Clock;
  logger?: Logger;
  /** Tuning for tests: reflector back-off and watch length. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  minWatchTimeoutSeconds?: number;
}

interface Registration<T extends ObjectLike> { h: EventHandler<T>; timer?: NodeJS.Timeout }

export class Informer<T extends ObjectLike = KubeObject> {
  readonly resource: ResourceInfo;
  readonly #cache = new Cache<T>();
  readonly #handlers: Registration<T>[] = [];
  readonly #reflector: Reflector<T>;
  readonly #log: Logger;
  #abort?: AbortController;
  #synced = false;
  #syncWaiters: Array<() => void> = [];

  constructor(client: Client, ref: ResourceRef, opts: InformerOptions = {}) {
    this.resource = resolveResource(ref);
    this.#log = opts.logger ?? defaultLogger;
    this.#reflector = new Reflector<T>(client, this.resource, {
      replace: items => this.#replace(items),
      event: (type, obj) => this.#event(type, obj),
    }, { ...opts, logger: this.#log });
  }

  /**
   * Adds a handler; objects already cached are replayed to it as adds. `resyncMs`
   * replays the whole cache to this handler as updates at that period. Returns a remover.
   */
  addEventHandler(h: EventHandler<T>, opts: { resyncMs?: number } = {}): () => void {
    const reg: Registration<T> = { h };
    this.#handlers.push(reg);
    for (const obj of this.#cache.list()) this.#call(h, 'onAdd', () => h.onAdd?.(obj, true));
    if (opts.resyncMs && opts.resyncMs > 0) {
      reg.timer = setInterval(() => {
        if (!this.#synced) return;
        for (const obj of this.#cache.list()) this.#call(h, 'onUpdate', () => h.onUpdate?.(obj, obj));
      }, opts.resyncMs);
      reg.timer.unref();
    }
    return () => {
      clearInterval(reg.timer);
      const i = this.#handlers.indexOf(reg);
      if (i >= 0) this.#handlers.splice(i, 1);
    };
  }

  /** Registers an index (`byIndex(name, value)`); allowed before or after start. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (!this.#cache.hasIndexer(name)) this.#cache.addIndexer(name, fn);
  }

  /** Starts list + watch (idempotent). */
  start(): void {
    if (this.#abort) return;
    this.#abort = new AbortController();
    void this.#reflector.run(this.#abort.signal);
  }

  /** Stops watching; the cache keeps its last contents. */
  stop(): void {
    this.#abort?.abort();
    for (const r of this.#handlers) clearInterval(r.timer);
    for (const w of this.#syncWaiters.splice(0)) w();
  }

  get started(): boolean { return this.#abort !== undefined; }

  /** True once the first list is in the cache and was delivered to handlers. */
  hasSynced(): boolean { return this.#synced; }

  /** Resolves true once synced; false if the informer stops or `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (signal?.aborted || this.#abort?.signal.aborted) return Promise.resolve(false);
    return new Promise(resolve => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        this.#syncWaiters = this.#syncWaiters.filter(w => w !== done);
        resolve(this.#synced);
      };
      this.#syncWaiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  get lastSyncResourceVersion(): string { return this.#reflector.lastSyncResourceVersion; }

  list(): T[] { return this.#cache.list(); }

  /** By cache key: `namespace/name`, or `name` for cluster-scoped objects. */
  get(key: string): T | undefined { return this.#cache.get(key); }

  getByName(name: string, namespace?: string): T | undefined {
    return this.#cache.get(namespace && this.resource.namespaced ? `${namespace}/${name}` : name);
  }

  /** Objects filed under `value` in index `name` (built in: "namespace"). */
  byIndex(name: string, value: string): T[] { return this.#cache.byIndex(name, value); }

  listByNamespace(namespace: string): T[] { return this.#cache.byIndex(NAMESPACE_INDEX, namespace); }

  keys(): string[] { return this.#cache.keys(); }

  #replace(items: T[]): void {
    const initial = !this.#synced;
    const seen = new Set<string>();
    for (const obj of items) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.#cache.set(obj);
      if (!old) this.#emit('onAdd', h => h.onAdd?.(obj, initial));
      // Unchanged objects are not replayed on a relist; resync is the tool for that.
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.#emit('onUpdate', h => h.onUpdate?.(old, obj));
    }
    for (const key of this.#cache.keys()) {
      if (seen.has(key)) continue;
      const old = this.#cache.delete(key)!;
      const tomb = new DeletedFinalStateUnknown(key, old);
      this.#emit('onDelete', h => h.onDelete?.(tomb));
    }
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters.splice(0)) w();
    }
  }

  #event(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    if (type === 'DELETED') {
      this.#cache.delete(keyOf(obj));
      this.#emit('onDelete', h => h.onDelete?.(obj));
      return;
    }
    const old = this.#cache.set(obj);
    if (old) this.#emit('onUpdate', h => h.onUpdate?.(old, obj));
    else this.#emit('onAdd', h => h.onAdd?.(obj, false));
  }

  #emit(what: string, fn: (h: EventHandler<T>) => void): void {
    for (const r of this.#handlers) this.#call(r.h, what, () => fn(r.h));
  }

  #call(_h: EventHandler<T>, what: string, fn: () => void): void {
    try { fn(); } catch (e) {
      // One faulty handler must not starve the others or break the watch.
      this.#log.error('informer handler threw', { resource: this.resource.plural, handler: what, error: errMessage(e) });
    }
  }
}
