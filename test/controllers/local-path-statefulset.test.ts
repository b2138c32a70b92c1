/**
 * Local-path volumes for real: a `kubeling server` with its node agent, scheduler and
 * controllers runs a StatefulSet with volumeClaimTemplates in real busybox containers.
 * The default `local-path` class binds on first consumer: the scheduler picks the node,
 * the provisioner makes a hostPath PV under the data dir pinned to that node, the PV
 * controller binds it, the agent mounts it. A file written by web-0 survives the pod's
 * deletion; deleting the claims (reclaim policy Delete) removes the volumes and directories.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.js';
import { eventually, NodeCluster, rootSkip } from '../node/cluster.js';

const STS = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: [sh, -c, '[ -f /data/first ] || hostname > /data/first; echo started >> /data/starts; exec sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 64Mi}}}
`;

describe('local-path volumes for a StatefulSet on a real node', { skip: rootSkip }, () => {
  let c: NodeCluster;
  const json = async <T = KubeObject>(args: string[]) => JSON.parse(await c.k([...args, '-o', 'json'])) as T;
  const running = (name: string, notUid?: string) => eventually(async () => {
    const p = await json(['get', 'pod', name]).catch(() => undefined);
    return p?.status?.phase === 'Running' && p.metadata!.uid !== notUid && p;
  }, 60_000, `${name} Running`);

  before(async () => {
    c = new NodeCluster();
    await c.start({ controllers: true, scheduler: true });
  });
  after(async () => {
    await c.kubectl(['delete', 'statefulset', 'web', '--wait=false']);
    await c.kubectl(['delete', 'pods', '--all', '--grace-period=1', '--wait=true']);
    await c.destroy();
    assert.deepEqual(c.leftovers(), []);
  });

  it('the default class is local-path, binding on first consumer', async () => {
    const out = await c.k(['get', 'storageclass']);
    assert.match(out, /^local-path \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+/m);
  });

  let pv0: KubeObject;
  it('claims from volumeClaimTemplates are provisioned on the pod\'s node and Bound; the pods run with them', async () => {
    await c.k(['apply', '-f', '-'], STS);
    await running('web-0');
    await running('web-1');
    const pvcs = await eventually(async () => {
      const l = await json<{ items: KubeObject[] }>(['get', 'pvc']);
      return l.items.length === 2 && l.items.every(x => x.status?.phase === 'Bound') && l.items;
    }, 30_000, 'claims Bound');
    const claim0 = pvcs.find(x => x.metadata!.name === 'data-web-0')!;
    assert.equal(claim0.spec!.storageClassName, 'local-path');
    assert.equal(claim0.metadata!.annotations!['volume.kubernetes.io/selected-node'], c.nodeName);
    assert.equal(claim0.spec!.volumeName, `pvc-${claim0.metadata!.uid}`);
    assert.deepEqual([claim0.status!.capacity!.storage, claim0.status!.accessModes], ['64Mi', ['ReadWriteOnce']]);

    pv0 = await json(['get', 'pv', claim0.spec!.volumeName]);
    assert.equal(pv0.status!.phase, 'Bound');
    assert.equal(pv0.metadata!.annotations!['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    assert.deepEqual(pv0.spec!.claimRef!.uid, claim0.metadata!.uid);
    assert.equal(pv0.spec!.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv0.spec!.hostPath!.path, join(c.dataDir, 'storage', `${pv0.metadata!.name}_default_data-web-0`));
    assert.deepEqual(pv0.spec!.nodeAffinity!.required!.nodeSelectorTerms[0].matchExpressions,
      [{ key: 'kubernetes.io/hostname', operator: 'In', values: [c.nodeName] }]);

    const pvcTable = await c.k(['get', 'pvc', 'data-web-0']);
    assert.match(pvcTable, new RegExp(`^data-web-0\\s+Bound\\s+${pv0.metadata!.name}\\s+64Mi\\s+RWO\\s+local-path\\s+<unset>\\s+`, 'm'));
    const pvTable = await c.k(['get', 'pv', pv0.metadata!.name!]);
    assert.match(pvTable, new RegExp(`^${pv0.metadata!.name}\\s+64Mi\\s+RWO\\s+Delete\\s+Bound\\s+default/data-web-0\\s+local-path\\s+`, 'm'));
    // What the container wrote is in the volume's directory on the node.
    assert.equal((await eventually(async () => readFileSync(join(pv0.spec!.hostPath!.path, 'first'), 'utf8'), 10_000, 'file')).trim(), 'web-0');
  });

  it('the data survives deleting the pod: the new web-0 mounts the same volume', async () => {
    const old = await json(['get', 'pod', 'web-0']);
    await c.k(['delete', 'pod', 'web-0']);
    const again = await running('web-0', old.metadata!.uid);
    assert.equal(again.spec!.volumes!.find((v: { name: string }) => v.name === 'data').persistentVolumeClaim.claimName, 'data-web-0');
    const starts = await eventually(async () => {
      const s = (await c.k(['exec', 'web-0', '--', 'cat', '/data/starts'])).trim().split('\n');
      return s.length === 2 && s;
    }, 20_000, 'second start recorded');
    assert.deepEqual(starts, ['started', 'started']);
    assert.equal((await c.k(['exec', 'web-0', '--', 'cat', '/data/first'])).trim(), 'web-0', 'the first incarnation\'s file is still there');
  });

  it('deleting the claims releases the volumes, and reclaim policy Delete removes them and their directories', async () => {
    await c.k(['delete', 'statefulset', 'web']);
    await eventually(async () => (await json<{ items: unknown[] }>(['get', 'pods'])).items.length === 0, 60_000, 'pods gone');
    await c.k(['delete', 'pvc', 'data-web-0', 'data-web-1']);
    await eventually(async () => (await json<{ items: unknown[] }>(['get', 'pv'])).items.length === 0, 30_000, 'volumes deleted');
    assert.ok(!existsSync(pv0.spec!.hostPath!.path), 'directory removed');
  });
});
