/**
 * PersistentVolume binding and protection, end to end through the real kubectl (no node
 * agent, no scheduler): claims bind to the smallest matching volume; the default class
 * fills in a claim's class; claims and volumes carry the protection finalizers, a claim
 * in use stays Terminating until its pod goes; Retain keeps a Released volume; claims
 * that cannot bind say why in events.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';
import { apply, items, kjson, waitFor } from './controller-utils-testing.js';

const pv = (name: string, size: string, cls = 'manual', reclaim = 'Retain') => `apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec:
  capacity: {storage: ${size}}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: ${reclaim}
  storageClassName: ${cls}
  hostPath: {path: /tmp/kubeling-test-${name}}
`;
const pvc = (name: string, size: string, cls?: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: ${size}}}
${cls === undefined ? '' : `  storageClassName: "${cls}"\n`}`;

describe('PV binder and storage protection (e2e, kubectl)', () => {
  let ts: TestServer;
  before(async () => { ts = await startTestServer(['--disable-agent', '--disable-scheduler']); });
  after(async () => { await ts?.stop(); });

  const events = async (name: string) => (await items(ts, ['get', 'events', '--field-selector', `involvedObject.name=${name}`]))
    .map(e => `${e.type} ${(e as { reason?: string }).reason}: ${(e as { message?: string }).message}`);

  it('binds a claim to the smallest volume that fits, both sides Bound and protected', async () => {
    await apply(ts, pv('big', '5Gi') + '---\n' + pv('fits', '1Gi') + '---\n' + pv('small', '100Mi'));
    await apply(ts, pvc('claim', '500Mi', 'manual'));
    const c = await waitFor('claim Bound', async () => { const x = await kjson(ts, ['get', 'pvc', 'claim']); return x.status?.phase === 'Bound' && x; });
    assert.equal(c.spec!.volumeName, 'fits');
    assert.deepEqual([c.status!.capacity!.storage, c.status!.accessModes], ['1Gi', ['ReadWriteOnce']]);
    assert.deepEqual(c.metadata!.finalizers, ['kubernetes.io/pvc-protection']);
    assert.equal(c.metadata!.annotations!['pv.kubernetes.io/bind-completed'], 'yes');
    const v = await waitFor('volume Bound', async () => { const x = await kjson(ts, ['get', 'pv', 'fits']); return x.status?.phase === 'Bound' && x; });
    assert.deepEqual([v.spec!.claimRef!.namespace, v.spec!.claimRef!.name, v.spec!.claimRef!.uid], ['default', 'claim', c.metadata!.uid]);
    assert.deepEqual(v.metadata!.finalizers, ['kubernetes.io/pv-protection']);
    assert.match(await k(ts, ['get', 'pv']), /\nfits\s+1Gi\s+RWO\s+Retain\s+Bound\s+default\/claim\s+manual\s+/);
    assert.match(await k(ts, ['get', 'pvc', 'claim']), /\nclaim\s+Bound\s+fits\s+1Gi\s+RWO\s+manual\s+/);
    const others = (await items(ts, ['get', 'pv'])).filter(x => x.metadata!.name !== 'fits');
    assert.deepEqual(others.map(x => x.status?.phase), ['Available', 'Available']);
  });

  it('a claim in use stays Terminating until its pod is gone; Retain leaves the volume Released', async () => {
    await apply(ts, `apiVersion: v1
kind: Pod
metadata: {name: user}
spec:
  containers: [{name: c, image: busybox}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: claim}}]
`);
    await k(ts, ['delete', 'pvc', 'claim', '--wait=false']);
    await waitFor('Terminating shown', async () => /\nclaim\s+Terminating\s+fits\s+/.test(await k(ts, ['get', 'pvc', 'claim'])));
    await new Promise(r => setTimeout(r, 1000));
    assert.equal((await ts.kubectl(['get', 'pvc', 'claim'])).code, 0, 'still there while the pod uses it');
    await k(ts, ['delete', 'pod', 'user', '--grace-period=0', '--force']);
    await waitFor('claim gone', async () => (await ts.kubectl(['get', 'pvc', 'claim'])).code !== 0);
    const v = await waitFor('volume Released', async () => { const x = await kjson(ts, ['get', 'pv', 'fits']); return x.status?.phase === 'Released' && x; });
    assert.equal(v.spec!.claimRef!.name, 'claim', 'a Released volume keeps its claimRef');
    // Nothing binds a Released volume again; deleting it is allowed now (not Bound).
    await k(ts, ['delete', 'pv', 'fits', 'big', 'small', '--timeout=30s']);
    assert.deepEqual(await items(ts, ['get', 'pv']), []);
  });

  it('a claim without a class gets the default one (local-path) and waits for its first consumer', async () => {
    await apply(ts, pvc('later', '1Gi'));
    const c = await kjson(ts, ['get', 'pvc', 'later']);
    assert.equal(c.spec!.storageClassName, 'local-path');
    await waitFor('WaitForFirstConsumer event', async () =>
      (await events('later')).includes('Normal WaitForFirstConsumer: waiting for first consumer to be created before binding'));
    assert.equal((await kjson(ts, ['get', 'pvc', 'later'])).status!.phase, 'Pending');
  });

  it('claims that cannot bind say why', async () => {
    await apply(ts, pvc('no-class', '1Gi', '') + '---\n' + pvc('bad-class', '1Gi', 'nope'));
    await waitFor('FailedBinding event', async () =>
      (await events('no-class')).includes('Normal FailedBinding: no persistent volumes available for this claim and no storage class is set'));
    await waitFor('ProvisioningFailed event', async () =>
      (await events('bad-class')).includes('Warning ProvisioningFailed: storageclass.storage.k8s.io "nope" not found'));
    for (const n of ['no-class', 'bad-class']) assert.equal((await kjson<KubeObject>(ts, ['get', 'pvc', n])).status!.phase, 'Pending');
    // An unbound claim is not in use: deleting it is immediate.
    await k(ts, ['delete', 'pvc', 'no-class', 'bad-class', 'later', '--timeout=30s']);
  });
});
