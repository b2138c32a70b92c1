/**
 * pods/status and metadata, as upstream's podStatusStrategy (v1.32) has it: a status write
 * keeps the request's metadata (labels, annotations, finalizers) but for ownerReferences
 * and deletionTimestamp, which stay as stored; the spec stays as stored.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { json, startInProc, type InProcServer } from './server-helper.js';

const PODS = '/api/v1/namespaces/default/pods';
const OWNER = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: '6a1c7b0e-0000-4000-8000-000000000001', controller: true };

describe('pods/status metadata', () => {
  let s: InProcServer;
  before(async () => { s = await startInProc(); });
  after(async () => { await s?.close(); });

  const create = async (name: string) => {
    const r = await json(s.url + PODS, {
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name, labels: { app: 'a' }, annotations: { note: 'old' }, ownerReferences: [OWNER] },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      }),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };

  it('a status PUT keeps its labels, annotations and finalizers, not its ownerReferences or spec', async () => {
    const pod = await create('psm-put');
    const body = structuredClone(pod);
    body.metadata.labels = { app: 'b', extra: 'yes' };
    body.metadata.annotations = { note: 'new' };
    body.metadata.finalizers = ['example.com/hold'];
    body.metadata.ownerReferences = [];
    body.spec.containers[0].image = 'evil';
    body.status = { ...pod.status, phase: 'Running' };
    const r = await json(`${s.url}${PODS}/psm-put/status`, { method: 'PUT', body: JSON.stringify(body) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.metadata.labels, { app: 'b', extra: 'yes' });
    assert.deepEqual(r.body.metadata.annotations, { note: 'new' });
    assert.deepEqual(r.body.metadata.finalizers, ['example.com/hold']);
    assert.deepEqual(r.body.metadata.ownerReferences, [OWNER]);
    assert.equal(r.body.spec.containers[0].image, 'busybox');
    assert.equal(r.body.status.phase, 'Running');
    const got = (await json(`${s.url}${PODS}/psm-put`)).body;
    assert.deepEqual(got, r.body);
    // Release the finalizer so the pod can go.
    const free = await json(`${s.url}${PODS}/psm-put`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { finalizers: null } }),
    });
    assert.equal(free.status, 200);
  });

  it('a status merge patch may change labels but not delete-time metadata', async () => {
    await create('psm-patch');
    const r = await json(`${s.url}${PODS}/psm-patch/status`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({
        metadata: { labels: { app: 'c' }, ownerReferences: null, deletionTimestamp: '2030-01-01T00:00:00Z' },
        status: { phase: 'Running' },
      }),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.metadata.labels, { app: 'c' });
    assert.deepEqual(r.body.metadata.ownerReferences, [OWNER]);
    assert.equal(r.body.metadata.deletionTimestamp, undefined);
    // The status writer owns the label it changed.
    const entry = r.body.metadata.managedFields.find((e: any) => e.subresource === 'status');
    assert.ok(entry?.fieldsV1?.['f:metadata']?.['f:labels']?.['f:app'], JSON.stringify(r.body.metadata.managedFields));
  });

  it('bad metadata in a status write is a 422 naming the field', async () => {
    await create('psm-bad');
    const r = await json(`${s.url}${PODS}/psm-bad/status`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { labels: { 'bad key!': 'x' } } }),
    });
    assert.equal(r.status, 422);
    assert.equal(r.body.details.causes[0].field, 'metadata.labels');
  });
});
