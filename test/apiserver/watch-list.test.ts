/** List and watch semantics at the protocol level: pagination, selectors, replay, 410, bookmarks. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { json, startInProc, watchEvents, type InProcServer } from './server-helper.js';

const CM = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { v: name } });

describe('list and watch', () => {
  let s: InProcServer;
  before(async () => {
    s = await startInProc();
    for (let i = 0; i < 25; i++) {
      const r = await json(s.url + CM, { method: 'POST', body: JSON.stringify(cm(`c${String(i).padStart(2, '0')}`, { parity: i % 2 ? 'odd' : 'even' })) });
      assert.equal(r.status, 201);
    }
  });
  after(async () => { await s?.close(); });

  it('pages with limit and continue at one revision', async () => {
    const names: string[] = [];
    let cont = '';
    let rv = '';
    for (let pages = 0; ; pages++) {
      const r = await json(`${s.url}${CM}?limit=10${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      names.push(...r.body.items.map((i: any) => i.metadata.name));
      if (!rv) rv = r.body.metadata.resourceVersion;
      assert.equal(r.body.metadata.resourceVersion, rv);
      if (pages === 0) {
        assert.equal(r.body.metadata.remainingItemCount, 15);
        await json(s.url + CM, { method: 'POST', body: JSON.stringify(cm('zz-late')) });
      }
      cont = r.body.metadata.continue;
      if (!cont) break;
    }
    assert.equal(names.length, 25);
    assert.ok(!names.includes('zz-late'));
  });

  it('filters by label and field selectors', async () => {
    const odd = await json(`${s.url}${CM}?labelSelector=parity%3Dodd`);
    assert.equal(odd.body.items.length, 12);
    const notIn = await json(`${s.url}${CM}?labelSelector=${encodeURIComponent('parity notin (odd),parity')}`);
    assert.equal(notIn.body.items.length, 13);
    const one = await json(`${s.url}${CM}?fieldSelector=metadata.name%3Dc03`);
    assert.deepEqual(one.body.items.map((i: any) => i.metadata.name), ['c03']);
    const bad = await json(`${s.url}${CM}?fieldSelector=spec.nope%3Dx`);
    assert.equal(bad.status, 400);
    const badLabel = await json(`${s.url}${CM}?labelSelector=${encodeURIComponent('a in (')}`);
    assert.equal(badLabel.status, 400);
  });

  it('watch from 0 replays state as ADDED, from N replays what came after', async () => {
    const list = await json(`${s.url}${CM}?fieldSelector=metadata.name%3Dc05`);
    const rv = list.body.metadata.resourceVersion;
    const initial = await watchEvents(`${s.url}${CM}?watch=true&resourceVersion=0&labelSelector=parity%3Dodd`, e => e.length >= 12);
    assert.equal(initial.length, 12);
    assert.ok(initial.every(e => e.type === 'ADDED'));
    await json(`${s.url}${CM}/c05`, { method: 'PATCH', body: JSON.stringify({ data: { v: 'x' } }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    await json(`${s.url}${CM}/c05`, { method: 'DELETE' });
    const after = await watchEvents(`${s.url}${CM}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dc05`, e => e.length >= 2);
    assert.deepEqual(after.map(e => e.type), ['MODIFIED', 'DELETED']);
  });

  it('turns a label change across the selector into ADDED/DELETED', async () => {
    const rv = (await json(`${s.url}${CM}`)).body.metadata.resourceVersion;
    await json(`${s.url}${CM}/c06`, { method: 'PATCH', body: JSON.stringify({ metadata: { labels: { parity: 'odd' } } }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    await json(`${s.url}${CM}/c06`, { method: 'PATCH', body: JSON.stringify({ metadata: { labels: { parity: 'even' } } }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    const evs = await watchEvents(`${s.url}${CM}?watch=true&resourceVersion=${rv}&labelSelector=parity%3Dodd`, e => e.length >= 2);
    assert.deepEqual(evs.map(e => `${e.type} ${e.object.metadata.name}`), ['ADDED c06', 'DELETED c06']);
  });

  it('sends initial-events-end with sendInitialEvents and bookmarks', async () => {
    const evs = await watchEvents(`${s.url}${CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=parity%3Deven`,
      e => e.some(x => x.type === 'BOOKMARK'));
    const bm = evs.at(-1);
    assert.equal(bm.type, 'BOOKMARK');
    assert.equal(bm.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    assert.ok(evs.slice(0, -1).every(e => e.type === 'ADDED'));
  });

  it('answers a compacted resourceVersion with a 410 Expired ERROR event', async () => {
    const old = '2';
    for (let i = 0; i < 5; i++) await json(`${s.url}${CM}/c07`, { method: 'PATCH', body: JSON.stringify({ data: { v: String(i) } }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    await s.store.compact(s.store.currentRevision() - 1);
    const evs = await watchEvents(`${s.url}${CM}?watch=true&resourceVersion=${old}`, e => e.length >= 1);
    assert.equal(evs[0].type, 'ERROR');
    assert.equal(evs[0].object.code, 410);
    assert.equal(evs[0].object.reason, 'Expired');
    const list = await json(`${s.url}${CM}?resourceVersion=${old}&resourceVersionMatch=Exact`);
    assert.equal(list.status, 410);
  });

  it('keeps generation for spec changes only, and status apart from spec', async () => {
    const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'g' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
    const D = '/apis/apps/v1/namespaces/default/deployments';
    assert.equal((await json(s.url + D, { method: 'POST', body: JSON.stringify(d) })).body.metadata.generation, 1);
    const lab = await json(`${s.url}${D}/g`, { method: 'PATCH', body: JSON.stringify({ metadata: { labels: { x: 'y' } }, status: { replicas: 7 } }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal(lab.body.metadata.generation, 1);
    assert.equal(lab.body.status, undefined);
    const st = await json(`${s.url}${D}/g/status`, { method: 'PATCH', body: JSON.stringify({ status: { replicas: 7 }, spec: { replicas: 9 } }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal(st.body.status.replicas, 7);
    assert.equal(st.body.spec.replicas, 1);
    const sc = await json(`${s.url}${D}/g`, { method: 'PATCH', body: JSON.stringify({ spec: { replicas: 4 } }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal(sc.body.metadata.generation, 2);
  });

  it('marks objects with finalizers instead of deleting them', async () => {
    const obj = cm('fin');
    (obj.metadata as any).finalizers = ['example.com/hold'];
    await json(s.url + CM, { method: 'POST', body: JSON.stringify(obj) });
    const del = await json(`${s.url}${CM}/fin`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.ok(del.body.metadata.deletionTimestamp);
    assert.equal((await json(`${s.url}${CM}/fin`)).status, 200);
    await json(`${s.url}${CM}/fin`, { method: 'PATCH', body: JSON.stringify({ metadata: { finalizers: null } }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal((await json(`${s.url}${CM}/fin`)).status, 404);
  });

  it('gives each watcher of the same writes the events its selector sees (the lines are shared)', async () => {
    const rv = (await json(`${s.url}${CM}?limit=1`)).body.metadata.resourceVersion;
    const from = `${s.url}${CM}?watch=true&resourceVersion=${rv}`;
    const done = (n: number) => (e: any[]) => e.filter(x => x.object.metadata?.name === 'shared').length >= n;
    const all = watchEvents(from, done(3));
    const odd = watchEvents(`${from}&labelSelector=parity%3Dodd`, done(2));
    const named = watchEvents(`${from}&fieldSelector=metadata.name%3Dshared`, done(3));
    const created = await json(s.url + CM, { method: 'POST', body: JSON.stringify(cm('shared', { parity: 'odd' })) });
    const patched = await json(`${s.url}${CM}/shared`, { method: 'PATCH', body: JSON.stringify({ metadata: { labels: { parity: 'even' } } }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    await json(`${s.url}${CM}/shared`, { method: 'DELETE' });
    const mine = (evs: any[]) => evs.filter(e => e.object.metadata?.name === 'shared').map(e => [e.type, e.object.metadata.labels.parity, e.object.metadata.resourceVersion]);
    const [c, p] = [created.body.metadata.resourceVersion, patched.body.metadata.resourceVersion];
    const deleted = (await all).filter(e => e.type === 'DELETED')[0]?.object.metadata.resourceVersion;
    assert.ok(Number(deleted) > Number(p));
    assert.deepEqual(mine(await all), [['ADDED', 'odd', c], ['MODIFIED', 'even', p], ['DELETED', 'even', deleted]]);
    assert.deepEqual(mine(await named), mine(await all));
    // Leaving the selector is a DELETED of the object as it was, at the change's resourceVersion
    // (upstream's cacheWatcher); its later deletion is not seen.
    assert.deepEqual(mine(await odd), [['ADDED', 'odd', c], ['DELETED', 'odd', p]]);
  });
});
