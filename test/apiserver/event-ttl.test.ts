/** The event reaper over a real SQLite store: what counts as the last write, paging, and compare-and-swap deletes. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventReaper, lastWriteMs } from '../../src/apiserver/storage/event-ttl.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const ev = (name: string, fields: Record<string, unknown>) => Buffer.from(JSON.stringify({ kind: 'Event', metadata: { name, namespace: 'default', creationTimestamp: at(T0) }, ...fields }));

describe('event TTL reaper', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubeling-event-ttl-'));
    store = await openSqliteStore(join(dir, 'state.db'));
  });
  after(async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); });

  it('the last write is the newest of creation, lastTimestamp, eventTime and series', () => {
    assert.equal(lastWriteMs({ metadata: { creationTimestamp: at(T0) } }), T0);
    assert.equal(lastWriteMs({ metadata: { creationTimestamp: at(T0) }, lastTimestamp: at(T0 + 5000) }), T0 + 5000);
    assert.equal(lastWriteMs({ eventTime: '2026-01-01T00:00:01.000000Z', series: { lastObservedTime: '2026-01-01T00:00:09.500000Z' } }), T0 + 9500);
    assert.equal(lastWriteMs({ lastTimestamp: null, eventTime: 'garbage' }), 0);
  });

  it('deletes expired core and events.k8s.io events across pages, keeps the rest and other resources', async () => {
    for (let i = 0; i < 1200; i++) await store.create(`/registry/core/events/default/old-${String(i).padStart(4, '0')}`, ev(`old-${i}`, { lastTimestamp: at(T0) }));
    await store.create('/registry/core/events/default/recent', ev('recent', { lastTimestamp: at(T0 + 2 * HOUR) }));
    await store.create('/registry/events.k8s.io/events/default/new-api', ev('new-api', { eventTime: '2026-01-01T00:00:00.000000Z' }));
    await store.create('/registry/core/pods/default/p', Buffer.from('{"kind":"Pod","metadata":{"name":"p"}}'));
    const reaper = new EventReaper(store, HOUR);
    assert.equal(await reaper.sweep(T0 + 2 * HOUR + 1000), 1201);
    assert.deepEqual((await store.list('/registry/core/events/')).items.map(kv => kv.key), ['/registry/core/events/default/recent']);
    assert.equal((await store.list('/registry/events.k8s.io/events/')).items.length, 0);
    assert.ok(await store.get('/registry/core/pods/default/p'));
  });

  it('an event updated after it was read is not deleted (compare-and-swap)', async () => {
    const key = '/registry/core/events/default/racing';
    const kv = await store.create(key, ev('racing', { lastTimestamp: at(T0) }));
    // A store that lets the event be refreshed between the sweep's list and its delete (the reaper uses only these two).
    let refreshed = false;
    const racing = {
      list: async (p: string, o?: { limit?: number; startAfter?: string }) => {
        const r = await store.list(p, o);
        if (!refreshed && r.items.some(x => x.key === key)) {
          refreshed = true;
          await store.update(key, ev('racing', { lastTimestamp: at(T0 + 10 * HOUR) }), kv.modRevision);
        }
        return r;
      },
      delete: (k: string, rev?: number) => store.delete(k, rev),
    } as unknown as Store;
    assert.equal(await new EventReaper(racing, HOUR).sweep(T0 + 2 * HOUR + 1000), 0, "only the racing event was due, and it was refreshed");
    assert.ok(await store.get(key), 'the refreshed event stays');
  });
});
