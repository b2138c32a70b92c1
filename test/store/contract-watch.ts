/** The Store contract, part two: watch ordering, compaction and restart. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../../src/store/index.js';
import {
  assertOrdered, buf, record, rejectsWith, snapshot, str, throwsWith, waitFor, withStore, type MakeStore,
} from './helpers.js';

export function runWatchContract(make: MakeStore): void {
  describe('watch', () => watches(make));
  describe('compaction', () => compaction(make));
  describe('restart', () => restart(make));
}

/** `writers` async loops each doing `perWriter` writes (create, then update, every 5th a delete). */
async function writeStorm(store: Store, prefix: string, writers: number, perWriter: number): Promise<void> {
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; i < perWriter; i++) {
      const key = `${prefix}w${w}/k${i >> 1}`;
      if (i % 2 === 0) await store.create(key, buf(`${w}.${i}`));
      else if (i % 10 === 9) await store.delete(key);
      else await store.update(key, buf(`${w}.${i}`), (await store.get(key))!.modRevision);
    }
  }));
}

function watches(make: MakeStore): void {
  it('delivers PUT (created), PUT with prevKv and DELETE with prevKv, filtered by prefix', () => withStore(make, async ({ store }) => {
    const w = record(store, '/w/a/', store.currentRevision());
    const a = await store.create('/w/a/1', buf('1'));
    await store.create('/w/b/1', buf('other prefix'));
    const a2 = await store.update('/w/a/1', buf('2'), a.modRevision);
    const d = await store.delete('/w/a/1');
    await waitFor(() => w.events.length >= 3, '3 events');
    w.cancel();
    const [e1, e2, e3] = w.events;
    assert.deepEqual([e1.type, e1.created, str(e1.kv), e1.kv.modRevision, e1.prevKv], ['PUT', true, '1', a.modRevision, undefined]);
    assert.deepEqual([e2.type, e2.created, str(e2.kv), str(e2.prevKv), e2.prevKv?.modRevision], ['PUT', false, '2', '1', a.modRevision]);
    assert.deepEqual([e3.type, str(e3.kv), e3.kv.modRevision, e3.kv.createRevision, str(e3.prevKv), e3.prevKv?.modRevision],
      ['DELETE', '2', d.modRevision, a.modRevision, '2', a2.modRevision]);
    assert.equal(w.events.length, 3);
  }));

  it('gives every event exactly once, in order, to watchers started before and during 8 concurrent writers', () => withStore(make, async ({ store }) => {
    const start = store.currentRevision();
    const early = record(store, '', start);
    const scoped = record(store, '/s/w3/', start);
    const storm = writeStorm(store, '/s/', 8, 200);
    await new Promise(r => setTimeout(r, 5));
    const mid = record(store, '/', start); // starts behind: catch-up, then live
    await storm;
    const end = store.currentRevision();
    assert.equal(end - start, 8 * 200);
    await waitFor(() => early.events.length === end - start && mid.events.length === end - start, 'all events');
    for (const w of [early, mid]) {
      assert.deepEqual(assertOrdered(w.events), Array.from({ length: end - start }, (_, i) => start + 1 + i));
      assert.equal(w.errors.length, 0);
    }
    await waitFor(() => scoped.events.length === 200, 'scoped events');
    assertOrdered(scoped.events);
    assert.ok(scoped.events.every(e => e.kv.key.startsWith('/s/w3/')));
    assert.ok(early.batches.some(n => n > 1), 'events arrive in batches');
    for (const w of [early, scoped, mid]) w.cancel();
  }));

  it('hands off from catch-up to live with no gap or duplicate', () => withStore(make, async ({ store }) => {
    const start = store.currentRevision();
    await writeStorm(store, '/h/', 4, 700); // more history than one catch-up chunk
    const watchers = [record(store, '/h/', start), record(store, '/h/', start + 1234)];
    const live = writeStorm(store, '/h2/', 2, 100).then(() => writeStorm(store, '/h/x', 2, 100));
    await live;
    const end = store.currentRevision();
    const want = (from: number) => end - from - 200; // the /h2/ writes are outside the prefix
    await waitFor(() => watchers[0].events.length === want(start) && watchers[1].events.length === want(start + 1234), 'catch-up + live');
    for (const w of watchers) {
      const revs = assertOrdered(w.events);
      assert.equal(revs[revs.length - 1], end);
      w.cancel();
    }
    assert.equal(watchers[1].events[0].kv.modRevision, start + 1235);
  }));

  it('serves a watch started from inside a watch callback without duplicates', () => withStore(make, async ({ store }) => {
    const start = store.currentRevision();
    let inner: ReturnType<typeof record> | undefined;
    const outer = store.watch('', { afterRevision: start }, () => { inner ??= record(store, '', start); }, () => {});
    await writeStorm(store, '/n/', 4, 50);
    await waitFor(() => (inner?.events.length ?? 0) >= 200, 'inner watch events');
    await new Promise(r => setTimeout(r, 10));
    assertOrdered(inner!.events);
    assert.equal(inner!.events.length, 200);
    outer.cancel();
    inner!.cancel();
  }));

  it('calls nothing after cancel', () => withStore(make, async ({ store }) => {
    const w = record(store, '', 0);
    w.cancel();
    await store.create('/c/1', buf('1'));
    const live = record(store, '', store.currentRevision());
    const p = store.create('/c/2', buf('2'));
    live.cancel();
    await p;
    await new Promise(r => setTimeout(r, 20));
    assert.deepEqual([w.events.length, live.events.length], [0, 0]);
  }));
}

function compaction(make: MakeStore): void {
  it('keeps the state at the compact point and answers older reads with Gone', () => withStore(make, async ({ store }) => {
    const a = await store.create('/k/a', buf('1'));
    await store.update('/k/a', buf('2'), a.modRevision);
    await store.create('/k/gone', buf('x'));
    await store.delete('/k/gone');
    const b = await store.create('/k/b', buf('1'));
    const at = store.currentRevision();
    const want = await snapshot(store, '/k/');
    await store.update('/k/b', buf('2'), b.modRevision);
    await store.compact(at);
    assert.equal(store.compactRevision(), at);

    assert.deepEqual(await snapshot(store, '/k/', at), want);
    assert.equal(str(await store.get('/k/b', at)), '1');
    await rejectsWith(store.get('/k/a', a.modRevision), 'KL_GONE');
    await rejectsWith(store.list('/k/', { revision: at - 1 }), 'KL_GONE');
    throwsWith(() => store.watch('/k/', { afterRevision: at - 1 }, () => {}, () => {}), 'KL_GONE');
    await assert.rejects(store.get('/k/a', 1), /too old resource version: 1 \(\d+\)/);

    const w = record(store, '/k/', at); // from exactly the compact point is fine
    await waitFor(() => w.events.length === 1, 'the post-compaction update');
    assert.equal(str(w.events[0].kv), '2');
    w.cancel();
    assert.equal(str(await store.get('/k/b')), '2');
    await store.create('/k/gone', buf('back'));
    assert.equal(str(await store.get('/k/gone')), 'back');
    await store.compact(at - 1); // behind the compact point: no-op
    assert.equal(store.compactRevision(), at);
  }));
}

function restart(make: MakeStore): void {
  it('reopens with data, history and revision intact', () => withStore(make, async (f) => {
    if (!f.reopen) return;
    let store = f.store;
    const a = await store.create('/x/a', buf('1'));
    await store.update('/x/a', buf('2'), a.modRevision);
    await store.create('/x/b', buf('b'));
    await store.delete('/x/b');
    await store.create('/x/c', buf('c'));
    const rev = store.currentRevision();
    const want = await snapshot(store, '/x/');
    await store.compact(a.modRevision);
    store = await f.reopen();
    assert.equal(store.currentRevision(), rev);
    assert.equal(store.compactRevision(), a.modRevision);
    assert.deepEqual(await snapshot(store, '/x/'), want);
    assert.equal(str(await store.get('/x/a', a.modRevision)), '1');
    const w = record(store, '/x/', a.modRevision);
    await waitFor(() => w.events.length === rev - a.modRevision, 'replayed history');
    w.cancel();
    await rejectsWith(store.create('/x/c', buf('again')), 'KL_ALREADY_EXISTS');
    const b = await store.create('/x/b', buf('b2'));
    assert.equal(b.modRevision, rev + 1);
  }));
}
