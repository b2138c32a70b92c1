/**
 * A write's answer, its watch event and a later GET are the same object: the server
 * serialises a write once and reuses those bytes (storage/codec.ts), so check they agree.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { json, startInProc, watchEvents, type InProcServer } from './server-helper.js';

const PODS = '/api/v1/namespaces/default/pods';
const pod = (name: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'w' }, annotations: {} },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1'], env: [{ name: 'A', value: 'x' }] }] },
});

describe('write answers', () => {
  let s: InProcServer;
  before(async () => { s = await startInProc(); });
  after(async () => { await s?.close(); });

  it('create, status patch and binding answer what GET and watch later show', async () => {
    const start = (await json(s.url + PODS)).body.metadata.resourceVersion;
    const created = await json(s.url + PODS, { method: 'POST', body: JSON.stringify(pod('w1')) });
    assert.equal(created.status, 201);
    assert.ok(created.body.metadata.resourceVersion);
    assert.ok(created.body.metadata.managedFields?.length === 1);
    const got = await json(`${s.url}${PODS}/w1`);
    assert.deepEqual(created.body, got.body);

    const patched = await json(`${s.url}${PODS}/w1/status`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify({ status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } }),
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body, (await json(`${s.url}${PODS}/w1`)).body);

    const bound = await json(`${s.url}${PODS}/w1/binding`, {
      method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'w1' }, target: { kind: 'Node', name: 'n1' } }),
    });
    assert.equal(bound.status, 201);
    const final = (await json(`${s.url}${PODS}/w1`)).body;
    assert.equal(final.spec.nodeName, 'n1');

    const evs = await watchEvents(`${s.url}${PODS}?watch=true&resourceVersion=${start}`, e => e.length >= 3);
    assert.deepEqual(evs.map(e => e.type), ['ADDED', 'MODIFIED', 'MODIFIED']);
    assert.deepEqual(evs[0].object, created.body);
    assert.deepEqual(evs[1].object, patched.body);
    assert.deepEqual(evs[2].object, final);
  });

  it('a watcher connected during the writes sees the same objects as the answers', async () => {
    const rv = (await json(s.url + PODS)).body.metadata.resourceVersion;
    const seen = watchEvents(`${s.url}${PODS}?watch=true&resourceVersion=${rv}`, e => e.length >= 2);
    await new Promise(r => setTimeout(r, 100));
    const a = await json(s.url + PODS, { method: 'POST', body: JSON.stringify(pod('w2')) });
    const b = await json(`${s.url}${PODS}/w2`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { x: 'y' } } }),
    });
    const evs = await seen;
    assert.deepEqual(evs.map(e => e.object), [a.body, b.body]);
    assert.equal(b.body.metadata.labels.x, 'y');
  });
});
