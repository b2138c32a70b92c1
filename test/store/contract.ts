/**
 * The Store contract: every backend runs this suite (hono's `runTest({ newRouter })`
 * shape). Black-box: only the Store interface and the error codes are used.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runWatchContract } from './contract-watch.js';
import { buf, rejectsWith, snapshot, str, withStore, type MakeStore } from './helpers.js';

export type { MakeStore, StoreFixture } from './helpers.js';

export function runStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    describe('writes and reads', () => writesAndReads(makeStore));
    describe('list', () => lists(makeStore));
    runWatchContract(makeStore);
  });
}

function writesAndReads(make: MakeStore): void {
  it('creates, gets, updates and deletes, one revision per write', () => withStore(make, async ({ store }) => {
    const r0 = store.currentRevision();
    const a = await store.create('/r/a', buf('1'));
    assert.deepEqual([a.key, a.createRevision, a.modRevision, str(a)], ['/r/a', r0 + 1, r0 + 1, '1']);
    assert.equal(store.currentRevision(), r0 + 1);
    assert.equal(str(await store.get('/r/a')), '1');
    assert.equal(await store.get('/r/missing'), undefined);

    const a2 = await store.update('/r/a', buf('2'), a.modRevision);
    assert.deepEqual([a2.createRevision, a2.modRevision, str(a2)], [r0 + 1, r0 + 2, '2']);

    const d = await store.delete('/r/a', a2.modRevision);
    assert.deepEqual([d.createRevision, d.modRevision, str(d)], [r0 + 1, r0 + 3, '2']);
    assert.equal(await store.get('/r/a'), undefined);
    assert.equal(store.currentRevision(), r0 + 3);

    const again = await store.create('/r/a', buf('3'));
    assert.equal(again.createRevision, r0 + 4, 'a re-created key starts a new life');
  }));

  it('rejects a second create with AlreadyExists and burns no revision', () => withStore(make, async ({ store }) => {
    await store.create('/r/a', buf('1'));
    const rev = store.currentRevision();
    await rejectsWith(store.create('/r/a', buf('2')), 'KL_ALREADY_EXISTS');
    assert.equal(store.currentRevision(), rev);
    assert.equal(str(await store.get('/r/a')), '1');
  }));

  it('guards updates and deletes with the expected revision (CAS)', () => withStore(make, async ({ store }) => {
    const a = await store.create('/r/a', buf('1'));
    const a2 = await store.update('/r/a', buf('2'), a.modRevision);
    await rejectsWith(store.update('/r/a', buf('stale'), a.modRevision), 'KL_CONFLICT');
    await rejectsWith(store.delete('/r/a', a.modRevision), 'KL_CONFLICT');
    await rejectsWith(store.update('/r/nope', buf('x'), 1), 'KL_NOT_FOUND');
    await rejectsWith(store.delete('/r/nope'), 'KL_NOT_FOUND');
    assert.equal(str(await store.get('/r/a')), '2');
    await store.delete('/r/a', a2.modRevision);
    await rejectsWith(store.delete('/r/a'), 'KL_NOT_FOUND');
    const b = await store.create('/r/b', buf('1'));
    await store.update('/r/b', buf('2'), b.modRevision);
    assert.equal(str(await store.delete('/r/b')), '2', 'delete without a precondition');
  }));

  it('lets exactly one of many racing writers win', () => withStore(make, async ({ store }) => {
    const creates = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.create('/r/race', buf(`c${i}`))));
    assert.equal(creates.filter(r => r.status === 'fulfilled').length, 1);
    const cur = (await store.get('/r/race'))!;
    const updates = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.update('/r/race', buf(`u${i}`), cur.modRevision)));
    assert.equal(updates.filter(r => r.status === 'fulfilled').length, 1);
    for (const r of updates) if (r.status === 'rejected') assert.equal((r.reason as { code: string }).code, 'KL_CONFLICT');
  }));

  it('reads a key at a past revision', () => withStore(make, async ({ store }) => {
    await store.create('/r/other', buf('x'));
    const before = store.currentRevision();
    const a = await store.create('/r/a', buf('1'));
    const a2 = await store.update('/r/a', buf('2'), a.modRevision);
    const d = await store.delete('/r/a');
    await store.create('/r/a', buf('3'));
    assert.equal(await store.get('/r/a', before), undefined, 'not yet created');
    assert.equal(str(await store.get('/r/a', a.modRevision)), '1');
    assert.equal(str(await store.get('/r/a', a2.modRevision)), '2');
    assert.equal(await store.get('/r/a', d.modRevision), undefined);
    assert.equal(str(await store.get('/r/a')), '3');
    await rejectsWith(store.get('/r/a', store.currentRevision() + 100), 'KL_BAD_REQUEST');
  }));

  it('counts keys under a prefix', () => withStore(make, async ({ store }) => {
    for (const k of ['/c/a/1', '/c/a/2', '/c/ab/1', '/c/b/1']) await store.create(k, buf('x'));
    assert.equal(await store.count('/c/a/'), 2);
    assert.equal(await store.count('/c/'), 4);
    await store.delete('/c/a/1');
    assert.equal(await store.count('/c/a/'), 1);
  }));

  it('keeps values as given (binary, empty) and is not affected by later buffer changes', () => withStore(make, async ({ store }) => {
    const bin = Buffer.from([0, 255, 1, 254]);
    await store.create('/v/bin', bin);
    bin[0] = 9;
    assert.deepEqual([...(await store.get('/v/bin'))!.value], [0, 255, 1, 254]);
    await store.create('/v/empty', Buffer.alloc(0));
    assert.equal((await store.get('/v/empty'))!.value.length, 0);
  }));
}

function lists(make: MakeStore): void {
  it('lists a prefix in key order with limit, startAfter and remaining', () => withStore(make, async ({ store }) => {
    const keys = ['/l/pods/b', '/l/pods/a', '/l/pods/c', '/l/podsx/a', '/l/pod/a', '/l/pods/d'];
    for (const k of keys) await store.create(k, buf(k));
    const all = await store.list('/l/pods/');
    assert.deepEqual(all.items.map(i => i.key), ['/l/pods/a', '/l/pods/b', '/l/pods/c', '/l/pods/d']);
    assert.equal(all.remaining, 0);
    assert.equal(all.revision, store.currentRevision());
    const p1 = await store.list('/l/pods/', { limit: 3 });
    assert.deepEqual([p1.items.map(i => i.key), p1.remaining], [['/l/pods/a', '/l/pods/b', '/l/pods/c'], 1]);
    const p2 = await store.list('/l/pods/', { limit: 3, startAfter: '/l/pods/c' });
    assert.deepEqual([p2.items.map(i => i.key), p2.remaining], [['/l/pods/d'], 0]);
    for (const p of ['', '/']) assert.equal((await store.list(p)).items.length, keys.length, `prefix ${JSON.stringify(p)}`);
    assert.equal(await store.count('/'), keys.length);
  }));

  it('paginates a consistent snapshot at a fixed revision while writes go on', () => withStore(make, async ({ store }) => {
    for (let i = 0; i < 50; i++) await store.create(`/p/k${String(i).padStart(3, '0')}`, buf(`v${i}`));
    const want = await snapshot(store, '/p/');
    const rev = store.currentRevision();
    const got: [string, string][] = [];
    let startAfter: string | undefined;
    for (let page = 0; ; page++) {
      const r = await store.list('/p/', { limit: 7, startAfter, revision: rev });
      got.push(...r.items.map((kv): [string, string] => [kv.key, kv.value.toString()]));
      assert.equal(r.revision, rev);
      assert.equal(r.remaining, want.length - got.length);
      // Writes between pages: update, delete, create (before and after the cursor).
      const k = `/p/k${String(page * 3).padStart(3, '0')}`;
      const cur = await store.get(k);
      if (cur) await store.update(k, buf('changed'), cur.modRevision);
      const d = await store.get(`/p/k${String(49 - page).padStart(3, '0')}`);
      if (d) await store.delete(d.key);
      await store.create(`/p/k${String(page).padStart(3, '0')}x`, buf('new'));
      if (r.remaining === 0) break;
      startAfter = r.items[r.items.length - 1].key;
    }
    assert.deepEqual(got, want);
  }));

  it('lists the state as of any past revision', () => withStore(make, async ({ store }) => {
    // A seeded random walk of creates, updates and deletes, snapshotting after each step.
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const snaps: { rev: number; state: [string, string][] }[] = [];
    for (let step = 0; step < 150; step++) {
      const k = `/h/k${rand(30)}`;
      const cur = await store.get(k);
      if (!cur) await store.create(k, buf(`s${step}`));
      else if (rand(3) === 0) await store.delete(k, cur.modRevision);
      else await store.update(k, buf(`s${step}`), cur.modRevision);
      if (step % 10 === 0) snaps.push({ rev: store.currentRevision(), state: await snapshot(store, '/h/') });
    }
    for (const { rev, state } of snaps) {
      assert.deepEqual(await snapshot(store, '/h/', rev), state, `at revision ${rev}`);
      if (state.length < 3) continue;
      const page = await store.list('/h/', { revision: rev, limit: 4, startAfter: state[2][0] });
      assert.deepEqual(page.items.map(kv => kv.key), state.slice(3, 7).map(([k]) => k));
      assert.equal(page.remaining, Math.max(0, state.length - 7));
    }
    await rejectsWith(store.list('/h/', { revision: store.currentRevision() + 1 }), 'KL_BAD_REQUEST');
  }));
}
