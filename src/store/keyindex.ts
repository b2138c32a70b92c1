/**
 * The live key space in memory: key → current KeyValue, plus the keys in sorted
 * order for range reads. Like etcd's in-memory index, except that values are kept too,
 * so current reads never touch SQLite (history lives only in the log table).
 *
 * New keys go to an unsorted `pending` set and removed keys stay in the sorted array
 * as stale until the next range read, which sorts and merges once (O(n + p log p)).
 * That keeps create/delete O(1) while lists stay exact.
 *
 * Order is JS string order (UTF-16 code units). It equals SQLite's BINARY (UTF-8) order
 * for every key without characters above U+FFFF next to U+E000–U+FFFF, i.e. all real keys.
 */
import type { KeyValue } from './types.js';

export class KeyIndex {
  #map = new Map<string, KeyValue>();
  #sorted: string[] = [];
  /** Live keys not yet merged into #sorted. */
  #pending = new Set<string>();
  /** Keys present in #sorted that were deleted (and not re-created) since the last merge. */
  #stale = new Set<string>();

  get size(): number { return this.#map.size; }

  get(key: string): KeyValue | undefined { return this.#map.get(key); }

  set(kv: KeyValue): void {
    if (!this.#map.has(kv.key)) {
      if (this.#stale.has(kv.key)) this.#stale.delete(kv.key);
      else this.#pending.add(kv.key);
    }
    this.#map.set(kv.key, kv);
  }

  delete(key: string): void {
    if (!this.#map.delete(key)) return;
    if (!this.#pending.delete(key)) this.#stale.add(key);
  }

  /**
   * Half-open index range [from, to) into `keys()` of keys k with lo <= k < hi
   * (hi undefined = unbounded). Call `keys()` after this, not before: this merges.
   */
  range(lo: string, hi: string | undefined): [number, number] {
    const keys = this.keys();
    return [lowerBound(keys, lo), hi === undefined ? keys.length : lowerBound(keys, hi)];
  }

  /** The sorted live keys (merging pending inserts and dropping stale keys first). */
  keys(): string[] {
    if (this.#pending.size === 0 && this.#stale.size === 0) return this.#sorted;
    const add = [...this.#pending].sort(cmp);
    const out: string[] = new Array(this.#sorted.length - this.#stale.size + add.length);
    let i = 0, j = 0, n = 0;
    const old = this.#sorted;
    while (i < old.length || j < add.length) {
      if (j >= add.length || (i < old.length && old[i] < add[j])) {
        const k = old[i++];
        if (!this.#stale.has(k)) out[n++] = k;
      } else out[n++] = add[j++];
    }
    out.length = n;
    this.#sorted = out;
    this.#pending.clear();
    this.#stale.clear();
    return out;
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** First index whose key is >= k. */
export function lowerBound(keys: string[], k: string): number {
  let lo = 0, hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < k) lo = mid + 1; else hi = mid;
  }
  return lo;
}
