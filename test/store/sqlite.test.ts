/** The Store contract on SQLite, plus what only a file-backed store can show: kill -9, locking, auto-compaction. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore, type SqliteStoreOptions } from '../../src/store/index.js';
import { runStoreContract } from './contract.js';
import { buf, record, rejectsWith, snapshot, waitFor } from './helpers.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kubeling-store-'));
}

async function makeSqlite(opts: SqliteStoreOptions = { compactInterval: 0 }) {
  const dir = await tempDir();
  const path = join(dir, 'state.db');
  let current = await openSqliteStore(path, opts);
  return {
    store: current,
    path,
    reopen: async () => {
      await current.close();
      current = await openSqliteStore(path, opts);
      return current;
    },
    cleanup: async () => {
      await current.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

runStoreContract('sqlite', () => makeSqlite());
// Again with the recent-event cache off and tiny, so past reads and catch-up also take the SQL paths.
runStoreContract('sqlite, history from SQL only', () => makeSqlite({ compactInterval: 0, recentEvents: 0 }));
runStoreContract('sqlite, 64 recent events', () => makeSqlite({ compactInterval: 0, recentEvents: 64 }));

describe('sqlite store', () => {
  it('keeps every acknowledged write when the writer is killed with SIGKILL mid-burst', async () => {
    const dir = await tempDir();
    const path = join(dir, 'state.db');
    try {
      const childJs = fileURLToPath(new URL('./writer-child.js', import.meta.url));
      const child = spawn(process.execPath, [childJs, path], { stdio: ['ignore', 'pipe', 'inherit'] });
      const acked = new Map<string, string>();
      let lines = 0;
      let pending = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        pending += chunk;
        for (let nl; (nl = pending.indexOf('\n')) >= 0; pending = pending.slice(nl + 1)) {
          const [key, value] = pending.slice(0, nl).split(' ');
          if (value !== undefined) { acked.set(key, value); lines++; }
        }
      });
      const exited = once(child, 'close');
      await waitFor(() => lines >= 5000, '5000 acknowledged writes', 30_000);
      child.kill('SIGKILL');
      const [code, signal] = await exited; // 'close' = stdout fully drained
      assert.deepEqual([code, signal], [null, 'SIGKILL']);

      const store = await openSqliteStore(path, { compactInterval: 0 });
      try {
        assert.ok(store.currentRevision() >= lines, `revision ${store.currentRevision()} < ${lines} acknowledged writes`);
        for (const [key, value] of acked) {
          const got = (await store.get(key))?.value.toString();
          // An update may have committed but been killed before it printed its ack.
          const ok = got === value || (value.startsWith('v') && got === 'u' + value.slice(1));
          assert.ok(ok, `${key}: acknowledged ${value}, found ${got}`);
        }
        assert.ok((await store.count('/crash/')) >= acked.size);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a second opener while the first holds the file', async () => {
    const f = await makeSqlite();
    try {
      await f.store.create('/a', buf('1'));
      await assert.rejects(openSqliteStore(f.path), /locked|busy/i);
    } finally {
      await f.cleanup();
    }
  });

  it('compacts automatically, keeping the larger of the time and revision windows', async () => {
    let now = 0;
    const dir = await tempDir();
    const store = await openSqliteStore(join(dir, 'db'), { compactInterval: 0, retainRevisions: 10, retainMs: 1000, now: () => now });
    const write = async (n: number) => { for (let i = 0; i < n; i++) await store.create(`/a/${store.currentRevision()}`, buf('x')); };
    try {
      await write(50);
      assert.equal(await store.autoCompact(), 0, 'nothing is 1s old yet');
      now = 500; await write(50);
      assert.equal(await store.autoCompact(), 0);
      now = 1000;
      assert.equal(await store.autoCompact(), 50, 'the revision seen 1s ago');
      now = 1600; await write(50);
      assert.equal(await store.autoCompact(), 100);
      assert.equal(store.compactRevision(), 100);
      await rejectsWith(store.list('/a/', { revision: 99 }), 'KL_GONE');
      now = 10_000;
      assert.equal(await store.autoCompact(), 140, 'the revision floor keeps the last 10');
      assert.equal(await store.count('/a/'), 150);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('compacts across many chunks, keeping every later state and one row per live key', async () => {
    const f = await makeSqlite({ compactInterval: 0, recentEvents: 0 });
    try {
      const { store } = f;
      let seed = 3;
      const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
      const snaps: { rev: number; state: [string, string][] }[] = [];
      for (let step = 1; step <= 5000; step++) {
        const k = `/m/k${rand(200)}`;
        const cur = await store.get(k);
        if (!cur) await store.create(k, buf(`s${step}`));
        else if (rand(4) === 0) await store.delete(k);
        else await store.update(k, buf(`s${step}`), cur.modRevision);
        if (step % 500 === 0) snaps.push({ rev: store.currentRevision(), state: await snapshot(store, '/m/') });
      }
      await store.compact(snaps[4].rev);
      for (const { rev, state } of snaps.slice(4)) assert.deepEqual(await snapshot(store, '/m/', rev), state, `at ${rev}`);
      const w = record(store, '/m/', snaps[4].rev);
      await waitFor(() => w.events.length === store.currentRevision() - snaps[4].rev, 'replay after compaction');
      assert.ok(w.events.every(e => e.created || e.prevKv), 'prevKv survives compaction');
      // Each replayed event's previous value (and a DELETE's last value) is the key's value just before it.
      const state = new Map(snaps[4].state);
      for (const e of w.events) {
        const k = e.kv.key, before = state.get(k);
        assert.equal(e.created ? undefined : e.prevKv?.value.toString(), before, `prevKv of ${k} at ${e.kv.modRevision}`);
        if (e.type === 'DELETE') { assert.equal(e.kv.value.toString(), before, `last value of ${k}`); state.delete(k); }
        else state.set(k, e.kv.value.toString());
      }
      w.cancel();
      await store.compact(store.currentRevision());
      const live = await store.count('/m/');
      await f.store.close();
      const raw = new Database(f.path, { readonly: true });
      assert.deepEqual(raw.prepare('SELECT COUNT(*) AS n, SUM(deleted) AS d FROM log').get(), { n: live, d: 0 });
      raw.close();
    } finally {
      await f.cleanup();
    }
  });

  it('ends a catching-up watch with Gone when compaction overtakes it', async () => {
    const f = await makeSqlite();
    try {
      for (let i = 0; i < 3000; i++) void f.store.create(`/g/${i}`, buf('x'));
      await f.store.create('/g/last', buf('x'));
      const w = record(f.store, '/g/', 0);
      await f.store.compact(f.store.currentRevision());
      await waitFor(() => w.errors.length === 1, 'Gone');
      assert.equal((w.errors[0] as { code?: string }).code, 'KL_GONE');
      assert.equal(f.store.watchCount(), 0);
    } finally {
      await f.cleanup();
    }
  });

  it('ends only the watch whose callback throws; writes go on', async () => {
    const f = await makeSqlite();
    try {
      const errors: Error[] = [];
      f.store.watch('', { afterRevision: 0 }, () => { throw new Error('consumer bug'); }, e => errors.push(e));
      const ok = record(f.store, '', 0);
      await f.store.create('/t/1', buf('1'));
      await f.store.create('/t/2', buf('2'));
      await waitFor(() => ok.events.length === 2, 'events');
      assert.deepEqual(errors.map(e => e.message), ['consumer bug']);
      assert.equal(f.store.watchCount(), 1);
    } finally {
      await f.cleanup();
    }
  });

  it('fails only the write SQLite refuses, not the rest of its batch', async () => {
    const f = await makeSqlite();
    try {
      const store = await f.reopen();
      await store.close();
      const raw = new Database(f.path);
      raw.exec(`CREATE TRIGGER poison BEFORE INSERT ON log WHEN NEW.name = '/poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END`);
      raw.close();
      const s2 = await f.reopen();
      const [ok1, bad, ok2] = await Promise.allSettled(['/ok1', '/poison', '/ok2'].map(k => s2.create(k, buf(k))));
      assert.deepEqual([ok1.status, bad.status, ok2.status], ['fulfilled', 'rejected', 'fulfilled']);
      assert.equal((bad as PromiseRejectedResult).reason.code, 'KL_INTERNAL');
      assert.deepEqual((await s2.list('/')).items.map(kv => [kv.key, kv.modRevision]), [['/ok1', 1], ['/ok2', 2]]);
    } finally {
      await f.cleanup();
    }
  });

  it('commits queued writes on close and rejects later calls', async () => {
    const f = await makeSqlite();
    const p = f.store.create('/q/1', buf('1'));
    const store = await f.reopen(); // closes the first store with the write still queued
    assert.equal((await p).modRevision, 1);
    assert.equal((await store.get('/q/1'))?.value.toString(), '1');
    await rejectsWith(f.store.create('/q/2', buf('2')), 'KL_UNAVAILABLE');
    await f.cleanup();
  });
});
