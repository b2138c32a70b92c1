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

  it('every write to a Deployment leaves the earlier revisions as they were answered', async () => {
    const D = '/apis/apps/v1/namespaces/default/deployments';
    const start = (await json(s.url + D)).body.metadata.resourceVersion;
    const dep = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1', labels: { a: '1' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    };
    const answers: any[] = [];
    const write = async (path: string, method: string, body: unknown, type = 'application/json') => {
      const r = await json(s.url + path, { method, headers: { 'Content-Type': type }, body: JSON.stringify(body) });
      assert.ok(r.status < 300, JSON.stringify(r.body));
      return r.body;
    };
    answers.push(await write(D, 'POST', dep));
    await write(`${D}/d1/scale`, 'PUT', { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd1', namespace: 'default' }, spec: { replicas: 3 } });
    answers.push((await json(`${s.url}${D}/d1`)).body);
    await write(`${D}/d1/scale`, 'PATCH', { spec: { replicas: 2 } }, 'application/merge-patch+json');
    answers.push((await json(`${s.url}${D}/d1`)).body);
    const cur = answers[answers.length - 1];
    answers.push(await write(`${D}/d1/status`, 'PUT', { ...cur, status: { replicas: 2, observedGeneration: cur.metadata.generation } }));
    answers.push(await write(`${D}/d1`, 'PATCH', { metadata: { labels: { b: '2' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } } } }, 'application/strategic-merge-patch+json'));
    answers.push(await write(`${D}/d1`, 'PUT', { ...answers[answers.length - 1], metadata: { ...answers[answers.length - 1].metadata, annotations: { x: 'y' } } }));
    // A no-op PUT writes nothing.
    const again = await write(`${D}/d1`, 'PUT', answers[answers.length - 1]);
    assert.equal(again.metadata.resourceVersion, answers[answers.length - 1].metadata.resourceVersion);
    assert.deepEqual(answers.map(a => a.spec.replicas), [1, 3, 2, 2, 2, 2]);
    assert.deepEqual(answers.map(a => a.metadata.generation), [1, 2, 3, 3, 4, 4]);
    const evs = await watchEvents(`${s.url}${D}?watch=true&resourceVersion=${start}`, e => e.length >= answers.length);
    assert.deepEqual(evs.map(e => e.object), answers);
  });
});
