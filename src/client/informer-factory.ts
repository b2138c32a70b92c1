/**
 * Shares informers: one per (resource, namespace, selectors) per factory, however many
 * components ask, so the server sees one list+watch and the process holds one cache.
 */
import type { KubeObject } from '../api/object.js';
import { apiVersionOf } from '../api/resources.js';
import type { Client } from './client.js';
import { Informer, type InformerOptions } from './informer.js';
import { resolveResource, type ObjectLike, type ResourceRef } from './paths.js';

export type InformerScope = Pick<InformerOptions, 'namespace' | 'labelSelector' | 'fieldSelector'>;

export class SharedInformerFactory {
  readonly #client: Client;
  readonly #defaults: InformerOptions;
  readonly #informers = new Map<string, Informer<KubeObject>>();
  #started = false;

  /** `defaults` apply to every informer made here (e.g. a namespace, a logger, test tuning). */
  constructor(client: Client, defaults: InformerOptions = {}) {
    this.#client = client;
    this.#defaults = defaults;
  }

  /** The shared informer for a resource; created on first request, started at once if the factory runs. */
  informerFor<T extends ObjectLike = KubeObject>(ref: ResourceRef, scope: InformerScope = {}): Informer<T> {
    const ri = resolveResource(ref);
    const o = { ...this.#defaults, ...scope };
    const key = [apiVersionOf(ri), ri.plural, o.namespace ?? '', o.labelSelector ?? '', o.fieldSelector ?? ''].join('|');
    let inf = this.#informers.get(key);
    if (!inf) {
      inf = new Informer<KubeObject>(this.#client, ri, o);
      this.#informers.set(key, inf);
      if (this.#started) inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  /** Starts every informer requested so far (and later ones as they are requested). */
  start(): void {
    this.#started = true;
    for (const inf of this.#informers.values()) inf.start();
  }

  /** Resolves true when every informer has synced; false if one stopped or `signal` aborted. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const all = await Promise.all([...this.#informers.values()].map(i => i.waitForSync(signal)));
    return all.every(Boolean);
  }

  hasSynced(): boolean {
    return [...this.#informers.values()].every(i => i.hasSynced());
  }

  stop(): void {
    this.#started = false;
    for (const inf of this.#informers.values()) inf.stop();
  }
}
