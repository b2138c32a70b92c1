/**
 * The live key space in memory: key → current KeyValue, plus the keys in sorted
 * order for range reads. Like etcd's in-memory index, except that values are kept too,
 * so current reads never touch SQLite (history lives only in the log table).
 *
 * New keys go to a small sorted `pending` array and removed keys stay in the sorted array
 * as `stale` until a range read that touches them (or a full pending array) merges once,
 * in O(n + p). Creates and deletes cost O(log p + p) with p <= MAX_PENDING, and a range
 * read of one prefix (a namespace's config maps) never pays for another's new keys
 * (thousands of just-created pods).
 *
 * Order is JS string order (UTF-16 code units). It equals SQLite's BINARY (UTF-8) order
 * for every key without characters above U+FFFF next to U+E000–U+FFFF, i.e. all real keys.
 */
import type { KeyValue } from './types.js';

/** Pending inserts or deletes that force a merge; keeps their binary inserts cheap. */
const MAX_PENDING = 4096;

export class KeyIndex {
  #map = new Map<string, KeyValue>();
  #sorted: string[] = [];
  /** Live keys not yet merged into #sorted, in order. */
  #pending: string[] = [];
  /** Keys present in #sorted that were deleted (and not re-created) since the last merge, in order. */
  #stale: string[] = [];

  get size(): number { return this.#map.size; }

  get(key: string): KeyValue | undefined { return this.#map.get(key); }

  set(kv: KeyValue): void {
    if (!this.#map.has(kv.key)) {
      if (!removeSorted(this.#stale, kv.key)) {
        insertSorted(this.#pending, kv.key);
        if (this.#pending.length > MAX_PENDING) this.keys();
      }
    }
    this.#map.set(kv.key, kv);
  }

  delete(key: string): void {
    if (!this.#map.delete(key)) return;
    if (!removeSorted(this.#pending, key)) {
      insertSorted(this.#stale, key);
      if (this.#stale.length > MAX_PENDING) this.keys();
    }
  }

  /**
   * The sorted live keys and the half-open index range [from, to) of keys k with
   * lo <= k < hi (hi undefined = unbounded). Merges only when a pending insert or
   * delete falls inside the range.
   */
  range(lo: string, hi: string | undefined): [keys: string[], from: number, to: number] {
    const keys = touches(this.#pending, lo, hi) || touches(this.#stale, lo, hi) ? this.keys() : this.#sorted;
    return [keys, lowerBound(keys, lo), hi === undefined ? keys.length : lowerBound(keys, hi)];
  }

  /** The sorted live keys (merging pending inserts and dropping stale keys first). */
  keys(): string[] {
    if (this.#pending.length === 0 && this.#stale.length === 0) return this.#sorted;
    const add = this.#pending, stale = this.#stale;
    const old = this.#sorted;
    const out: string[] = new Array(old.length - stale.length + add.length);
    let i = 0, j = 0, s = 0, n = 0;
    while (i < old.length || j < add.length) {
      if (j >= add.length || (i < old.length && old[i] < add[j])) {
        const k = old[i++];
        // Stale keys are a sorted subsequence of `old`.
        if (s < stale.length && stale[s] === k) { s++; continue; }
        out[n++] = k;
      } else out[n++] = add[j++];
    }
    out.length = n;
    this.#sorted = out;
    this.#pending = [];
    this.#stale = [];
    return out;
  }
}

function touches(sorted: string[], lo: string, hi: string | undefined): boolean {
  if (sorted.length === 0) return false;
  const i = lowerBound(sorted, lo);
  return i < sorted.length && (hi === undefined || sorted[i] < hi);
}

function insertSorted(a: string[], k: string): void {
  const i = lowerBound(a, k);
  if (a[i] !== k) a.splice(i, 0, k);
}

function removeSorted(a: string[], k: string): boolean {
  if (a.length === 0) return false;
  const i = lowerBound(a, k);
  if (a[i] !== k) return false;
  a.splice(i, 1);
  return true;
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
