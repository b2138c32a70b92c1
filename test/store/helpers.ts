/** Small helpers shared by the store contract suites. */
import assert from 'node:assert/strict';
import type { KeyValue, Store, WatchEvent } from '../../src/store/index.js';

export interface StoreFixture {
  store: Store;
  /** Closes the store and opens it again on the same data (backends with persistence). */
  reopen?: () => Promise<Store>;
  /** Closes whatever is open and removes the data. */
  cleanup: () => Promise<void>;
}
export type MakeStore = () => Promise<StoreFixture>;

export const buf = (s: string): Buffer => Buffer.from(s);
export const str = (kv: KeyValue | undefined): string | undefined => kv?.value.toString();

/** Runs `fn` against a fresh store and always cleans up. */
export async function withStore(make: MakeStore, fn: (f: StoreFixture) => Promise<void>): Promise<void> {
  const f = await make();
  try { await fn(f); } finally { await f.cleanup(); }
}

/** Asserts that `p` rejects with a kubeling error of the given stable code. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: { code?: string; message?: string }) => {
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return true;
  });
}

export function throwsWith(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: { code?: string; message?: string }) => {
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return true;
  });
}

export async function waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 2));
  }
}

/** A watch that records every event and error it gets. */
export function record(store: Store, prefix: string, afterRevision: number) {
  const events: WatchEvent[] = [];
  const batches: number[] = [];
  const errors: Error[] = [];
  const w = store.watch(prefix, { afterRevision }, evs => { events.push(...evs); batches.push(evs.length); }, e => errors.push(e));
  return { events, batches, errors, cancel: () => w.cancel() };
}

/** Asserts events are strictly increasing in revision (so no duplicates), returning their revisions. */
export function assertOrdered(events: WatchEvent[]): number[] {
  const revs = events.map(e => e.kv.modRevision);
  for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1], `event ${i}: revision ${revs[i]} after ${revs[i - 1]}`);
  return revs;
}

/** A snapshot of a prefix as key → value string. */
export async function snapshot(store: Store, prefix: string, revision?: number): Promise<[string, string][]> {
  const r = await store.list(prefix, { revision });
  return r.items.map(kv => [kv.key, kv.value.toString()]);
}
