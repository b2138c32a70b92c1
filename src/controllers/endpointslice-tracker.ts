/**
 * What the EndpointSlice controller wrote but its cache has not shown yet (upstream's
 * endpointSliceTracker). A sync over a stale cache would create duplicate slices, so it
 * waits until every write it made for that Service is visible, or a deadline passes.
 */
import type { KubeObject } from '../api/object.js';

interface Expectation { name: string; rv?: bigint; deleted: boolean; at: number }

export class SliceTracker {
  readonly #byService = new Map<string, Expectation[]>();
  readonly #maxWaitMs: number;

  constructor(maxWaitMs = 5000) { this.#maxWaitMs = maxWaitMs; }

  wrote(serviceKey: string, slice: KubeObject): void {
    this.#add(serviceKey, { name: slice.metadata!.name!, rv: rv(slice), deleted: false, at: Date.now() });
  }

  deleted(serviceKey: string, name: string): void {
    this.#add(serviceKey, { name, deleted: true, at: Date.now() });
  }

  /** True when the cache (`get` by slice name) reflects every write made for the Service. */
  caughtUp(serviceKey: string, get: (name: string) => KubeObject | undefined): boolean {
    const list = this.#byService.get(serviceKey);
    if (!list) return true;
    const now = Date.now();
    const open = list.filter(e => {
      if (now - e.at > this.#maxWaitMs) return false;
      const cur = get(e.name);
      if (e.deleted) return cur !== undefined;
      const have = cur && rv(cur);
      return have === undefined || (e.rv !== undefined && have < e.rv);
    });
    if (open.length) this.#byService.set(serviceKey, open);
    else this.#byService.delete(serviceKey);
    return open.length === 0;
  }

  forget(serviceKey: string): void { this.#byService.delete(serviceKey); }

  #add(key: string, e: Expectation): void {
    const list = (this.#byService.get(key) ?? []).filter(x => x.name !== e.name);
    list.push(e);
    this.#byService.set(key, list);
  }
}

function rv(o: KubeObject): bigint | undefined {
  const v = o.metadata?.resourceVersion;
  return v && /^\d+$/.test(v) ? BigInt(v) : undefined;
}
