/**
 * VolumeBinding inside a real `kubeling server` (scheduler, PV controller, local-path
 * provisioner) with pods on fake nodes, driven with the real kubectl: a pod whose claim
 * does not exist is unschedulable with upstream's message and is placed once the claim
 * appears (no polling: the claim's arrival requeues it); a static volume with node
 * affinity decides the node; the provisioner pins a new volume to the node picked.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { Client } from '../../src/client/index.js';
import { FakeNodePool } from '../../src/node/fake/index.js';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';
import { items, kjson, waitFor } from '../controllers/controller-utils-testing.js';

const podWith = (name: string, claim: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers: [{name: c, image: busybox}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: ${claim}}}]
`;
const claim = (name: string, cls: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec: {accessModes: [ReadWriteOnce], storageClassName: ${cls}, resources: {requests: {storage: 1Gi}}}
`;

describe('VolumeBinding e2e (kubectl + fake nodes)', () => {
  let ts: TestServer;
  let client: Client;
  let pool: FakeNodePool;
  const nodeOf = (name: string) => waitFor(`${name} bound`, async () => (await kjson(ts, ['get', 'pod', name])).spec?.nodeName as string | undefined);

  before(async () => {
    ts = await startTestServer(['--disable-agent']);
    client = Client.fromKubeconfig(ts.kubeconfig, { component: 'fake-nodes' });
    pool = new FakeNodePool({ client, nodes: [{ name: 'vb-1' }, { name: 'vb-2' }, { name: 'vb-3' }], leaseRenewMs: 5000 });
    await pool.start();
  });
  after(async () => {
    await pool?.stop();
    client?.close();
    await ts?.stop();
  });

  it('a missing claim makes the pod unschedulable; creating the claim gets it placed', async () => {
    await k(ts, ['apply', '-f', '-'], podWith('waits', 'later'));
    const ev = await waitFor('FailedScheduling', async () =>
      (await items(ts, ['get', 'events', '--field-selector', 'involvedObject.name=waits,reason=FailedScheduling']))[0]);
    assert.match(String((ev as { message?: string }).message), /^0\/3 nodes are available: persistentvolumeclaim "later" not found\./);
    await k(ts, ['apply', '-f', '-'], claim('later', 'local-path'));
    const node = await nodeOf('waits');
    const c = await waitFor('claim Bound', async () => { const x = await kjson(ts, ['get', 'pvc', 'later']); return x.status?.phase === 'Bound' && x; });
    assert.equal(c.metadata!.annotations!['volume.kubernetes.io/selected-node'], node);
    const pv = await kjson(ts, ['get', 'pv', c.spec!.volumeName]);
    assert.deepEqual(pv.spec!.nodeAffinity!.required!.nodeSelectorTerms[0].matchExpressions[0].values, [node]);
  });

  it('a static volume reachable from one node only takes the pod there', async () => {
    await k(ts, ['apply', '-f', '-'], `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: manual}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: on-vb-2}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  local: {path: /mnt/disk}
  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [vb-2]}]}]}}
`);
    await k(ts, ['apply', '-f', '-'], claim('static', 'manual') + '---\n' + podWith('pinned', 'static'));
    assert.equal(await nodeOf('pinned'), 'vb-2');
    const pv = await waitFor('volume Bound', async () => { const x = await kjson(ts, ['get', 'pv', 'on-vb-2']); return x.status?.phase === 'Bound' && x; });
    assert.equal(pv.spec!.claimRef!.name, 'static');
    // A second pod wanting another claim of that class finds no volume left anywhere.
    await k(ts, ['apply', '-f', '-'], claim('none-left', 'manual') + '---\n' + podWith('stuck', 'none-left'));
    const ev = await waitFor('FailedScheduling', async () =>
      (await items(ts, ['get', 'events', '--field-selector', 'involvedObject.name=stuck,reason=FailedScheduling']))[0] as KubeObject & { message?: string });
    assert.match(String(ev.message), /^0\/3 nodes are available: 3 node\(s\) didn't find available persistent volumes to bind\./);
  });
});
