/** Informers against a real API server: list+watch, handlers, indexers, resume, relist after 410. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.js';
import {
  DeletedFinalStateUnknown, Informer, SharedInformerFactory, deletedObject, indexByNodeName, type EventHandler,
} from '../../src/client/index.js';
import { CONFIGMAPS, PODS, cm, pod, quiet, startCluster, waitFor, type TestCluster } from './helpers.js';

const FAST = { logger: quiet, initialBackoffMs: 20, maxBackoffMs: 200 };

/** A handler that records what it was told as short strings. */
function recorder() {
  const log: string[] = [];
  const h: EventHandler = {
    onAdd: (o, initial) => log.push(`add ${o.metadata?.name}${initial ? ' initial' : ''}`),
    onUpdate: (a, b) => log.push(`update ${b.metadata?.name} ${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
    onDelete: o => log.push(`delete ${deletedObject(o).metadata?.name}${o instanceof DeletedFinalStateUnknown ? ' unknown' : ''}`),
  };
  return { log, h };
}

describe('Informer (real API server)', () => {
  let c: TestCluster;
  before(async () => { c = await startCluster(); });
  after(async () => { await c.cleanup(); });

  it('lists, then sees adds, updates and deletes through the watch', async t => {
    const client = c.client();
    await client.create(CONFIGMAPS, cm('pre', 'other'));
    const inf = new Informer(client, CONFIGMAPS, { ...FAST, namespace: 'other' });
    const { log, h } = recorder();
    inf.addEventHandler(h);
    inf.start();
    t.after(() => inf.stop());
    assert.equal(await inf.waitForSync(), true);
    assert.deepEqual(log, ['add pre initial']);
    assert.equal(inf.get('other/pre')?.kind, 'ConfigMap');
    const created = await client.create(CONFIGMAPS, cm('x', 'other'));
    const updated = await client.update(CONFIGMAPS, { ...created, data: { k: 'v' } });
    await client.delete(CONFIGMAPS, 'x', { namespace: 'other' });
    await waitFor(() => log.length === 4, 'three events');
    assert.deepEqual(log.slice(1), [
      'add x',
      `update x ${created.metadata!.resourceVersion}->${updated.metadata!.resourceVersion}`,
      'delete x',
    ]);
    assert.equal(inf.get('other/x'), undefined);
    assert.deepEqual(inf.listByNamespace('other').map(o => o.metadata?.name), ['pre']);
  });

  it('shares one informer per resource; late handlers get the cache replayed; indexers by node', async t => {
    const client = c.client();
    const f = new SharedInformerFactory(client, FAST);
    const a = f.informerFor(PODS);
    assert.equal(f.informerFor(PODS), a);
    assert.notEqual(f.informerFor(PODS, { namespace: 'other' }), a);
    a.addIndexer('node', indexByNodeName);
    await client.create(PODS, pod('p1', 'n1'));
    await client.create(PODS, pod('p2', 'n1'));
    await client.create(PODS, pod('p3'));
    f.start();
    t.after(() => f.stop());
    assert.equal(await f.waitForSync(), true);
    const late = recorder();
    a.addEventHandler(late.h);
    assert.deepEqual(late.log.sort(), ['add p1 initial', 'add p2 initial', 'add p3 initial']);
    assert.deepEqual(a.byIndex('node', 'n1').map(p => p.metadata?.name).sort(), ['p1', 'p2']);
    await client.delete(PODS, 'p1', { namespace: 'default', gracePeriodSeconds: 0 });
    await waitFor(() => a.byIndex('node', 'n1').length === 1, 'index update');
    assert.deepEqual(a.byIndex('namespace', 'default').map(p => p.metadata?.name).sort(), ['p2', 'p3']);
  });

  it('resumes from the last resourceVersion when connections drop or the server restarts', async t => {
    const client = c.client();
    const lists: string[] = [];
    const inf = new Informer(client, CONFIGMAPS, { ...FAST, namespace: 'default', labelSelector: 'resume=yes' });
    const { log, h } = recorder();
    inf.addEventHandler(h);
    inf.start();
    t.after(() => inf.stop());
    await inf.waitForSync();
    const countLists = (req: { method?: string; url?: string }) => {
      if (req.method === 'GET' && req.url?.includes('configmaps') && !req.url.includes('watch=')) lists.push(req.url);
    };
    c.api.server.on('request', countLists);
    const labeled = (n: string) => ({ ...cm(n), metadata: { name: n, namespace: 'default', labels: { resume: 'yes' } } });

    c.api.server.closeAllConnections(); // the watch breaks mid-stream
    await client.create(CONFIGMAPS, labeled('r1'));
    await waitFor(() => log.includes('add r1'), 'r1 after reconnect');

    await c.stopApi(); // refused connections until it is back: back-off
    c.api.server.off('request', countLists);
    const writer = await c.secondApi();
    await writer.client.create(CONFIGMAPS, labeled('r2'));
    await new Promise(r => setTimeout(r, 100));
    await c.startApi();
    c.api.server.on('request', countLists);
    await waitFor(() => log.includes('add r2'), 'r2 after restart');
    assert.deepEqual(lists, [], 'resumed by watching from the last version, without a relist');
    assert.deepEqual(log, ['add r1', 'add r2']);
    c.api.server.off('request', countLists);
  });

  it('relists after 410 Expired: new objects appear, vanished ones come as DeletedFinalStateUnknown', async t => {
    const client = c.client();
    await client.create(CONFIGMAPS, cm('keep', 'kube-system'));
    await client.create(CONFIGMAPS, cm('gone', 'kube-system'));
    const inf = new Informer(client, CONFIGMAPS, { ...FAST, namespace: 'kube-system' });
    const { log, h } = recorder();
    inf.addEventHandler(h);
    inf.start();
    t.after(() => inf.stop());
    await inf.waitForSync();
    log.length = 0;

    await c.stopApi();
    const writer = await c.secondApi();
    await writer.client.delete(CONFIGMAPS, 'gone', { namespace: 'kube-system' });
    const kept = await writer.client.get<KubeObject>(CONFIGMAPS, 'keep', { namespace: 'kube-system' });
    await writer.client.update(CONFIGMAPS, { ...kept, data: { changed: 'yes' } });
    await writer.client.create(CONFIGMAPS, cm('new', 'kube-system'));
    await c.store.compact(c.store.currentRevision()); // the informer's version is now too old
    await c.startApi();

    await waitFor(() => log.length === 3, 'relist diff');
    assert.deepEqual(log.map(l => l.replace(/ \d+->\d+$/, '')).sort(), ['add new', 'delete gone unknown', 'update keep']);
    assert.equal(inf.get('kube-system/keep')?.data && (inf.get('kube-system/keep') as { data: Record<string, string> }).data.changed, 'yes');
  });
});
