/**
 * Store benchmark: write, read, list and watch figures for the embedded SQLite store.
 * Run directly (`node dist/bench/store.js`) or through bench/run. Values are ~2 KB, like a pod.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openSqliteStore, type Store } from '../src/store/index.js';

export interface Row {
  bench: string;
  n: number;
  perSec?: number;
  p50ms?: number;
  p99ms?: number;
}

const VALUE = Buffer.from(JSON.stringify({ kind: 'Pod', pad: 'x'.repeat(2000) }));

async function timed(n: number, fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return Math.round(n / ((performance.now() - t) / 1000));
}

/** `concurrency` async loops sharing `n` operations. */
async function parallel(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await op(next++);
  }));
}

function percentiles(xs: number[]): { p50ms: number; p99ms: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] * 1000) / 1000;
  return { p50ms: at(0.5), p99ms: at(0.99) };
}

async function watchLatency(store: Store, n: number): Promise<number[]> {
  const sent = new Map<string, number>();
  const lat: number[] = [];
  const w = store.watch('/lat/', { afterRevision: store.currentRevision() }, evs => {
    const now = performance.now();
    for (const e of evs) lat.push(now - sent.get(e.kv.key)!);
  }, () => {});
  for (let i = 0; i < n; i++) {
    const key = `/lat/${i}`;
    sent.set(key, performance.now());
    await store.create(key, VALUE);
  }
  while (lat.length < n) await new Promise(r => setImmediate(r));
  w.cancel();
  return lat;
}

export async function benchStore(): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'kubeling-bench-store-'));
  const path = join(dir, 'state.db');
  let store = await openSqliteStore(path, { compactInterval: 0 });
  const rows: Row[] = [];
  try {
    const seq = 5_000;
    rows.push({ bench: 'create, 1 writer (awaited)', n: seq, perSec: await timed(seq, async () => {
      for (let i = 0; i < seq; i++) await store.create(`/seq/${i}`, VALUE);
    }) });
    const par = 50_000;
    rows.push({ bench: 'create, 64 writers', n: par, perSec: await timed(par, () =>
      parallel(par, 64, i => store.create(`/registry/pods/ns${i % 10}/pod-${i}`, VALUE))) });
    rows.push({ bench: 'update (CAS), 64 writers', n: par, perSec: await timed(par, () =>
      parallel(par, 64, async i => {
        const key = `/registry/pods/ns${i % 10}/pod-${i}`;
        await store.update(key, VALUE, (await store.get(key))!.modRevision);
      })) });
    const gets = 200_000;
    rows.push({ bench: 'get', n: gets, perSec: await timed(gets, async () => {
      for (let i = 0; i < gets; i++) await store.get(`/registry/pods/ns${i % 10}/pod-${i % par}`);
    }) });
    const lists = 200;
    const listMs: number[] = [];
    for (let i = 0; i < lists; i++) {
      const t = performance.now();
      const r = await store.list('/registry/pods/ns3/', { limit: 1000, startAfter: i % 2 ? '/registry/pods/ns3/pod-1' : undefined });
      if (r.items.length !== 1000) throw new Error('short list');
      listMs.push(performance.now() - t);
    }
    rows.push({ bench: 'list 1k of 55k (current)', n: lists, ...percentiles(listMs) });
    const past = store.currentRevision();
    await parallel(1000, 16, i => store.create(`/registry/pods/ns3/late-${i}`, VALUE));
    const listPast = async (s: Store) => {
      const ms: number[] = [];
      for (let i = 0; i < lists; i++) {
        const t = performance.now();
        await s.list('/registry/pods/ns3/', { limit: 1000, revision: past, startAfter: i % 2 ? '/registry/pods/ns3/pod-1' : undefined });
        ms.push(performance.now() - t);
      }
      return percentiles(ms);
    };
    rows.push({ bench: 'list 1k at past revision, 1k writes since', n: lists, ...await listPast(store) });
    rows.push({ bench: 'watch delivery (write submitted → event)', n: 2000, ...percentiles(await watchLatency(store, 2000)) });
    // After a reopen no recent events are in memory: the same reads go to SQLite.
    await store.close();
    store = await openSqliteStore(path, { compactInterval: 0 });
    rows.push({ bench: 'list 1k at past revision, from SQLite', n: lists, ...await listPast(store) });
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.table(await benchStore());
