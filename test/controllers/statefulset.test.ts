/** StatefulSet controller e2e: the real kubectl, pod progress written by a fake kubelet. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { startStatefulSetController } from '../../src/controllers/statefulset.js';
import { k } from '../e2e/harness.js';
import {
  apply, bindPod, createFakeNode, fakeKubeletSetPodStatus, kubectlJson, listPods, sleep, startEnv, startFakeKubelet, waitFor,
  POD, type Env,
} from './index-b-harness.js';

const sts = (ns: string, o: { replicas: number; image?: string; policy?: string; strategy?: string; partition?: number; claims?: boolean }) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: ${ns}}
spec:
  serviceName: nginx
  replicas: ${o.replicas}
  podManagementPolicy: ${o.policy ?? 'OrderedReady'}
  updateStrategy:
    type: ${o.strategy ?? 'RollingUpdate'}
    ${o.strategy === 'OnDelete' ? '' : `rollingUpdate: {partition: ${o.partition ?? 0}}`}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: ${o.image ?? 'nginx:1.0'}}]
${o.claims ? `  volumeClaimTemplates:
  - metadata: {name: www}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}` : ''}
`;

const names = (pods: KubeObject[]) => pods.map(p => p.metadata!.name).join(',');
const image = (p: KubeObject) => p.spec.containers[0].image as string;

describe('StatefulSet controller', () => {
  let env: Env;
  before(async () => { env = await startEnv(ctx => [startStatefulSetController(ctx)]); });
  after(async () => { await env?.stop(); });

  it('creates pods one at a time in ordinal order, each Running and Ready before the next, with claims', async () => {
    const { ts, client } = env;
    await k(ts, ['create', 'ns', 'ordered']);
    await apply(ts, sts('ordered', { replicas: 3, claims: true }));
    for (let i = 0; i < 3; i++) {
      await waitFor(`web-${i}`, async () => (await listPods(client, 'ordered')).length === i + 1);
      await sleep(300); // nothing further may appear while web-i is not ready
      assert.equal(names(await listPods(client, 'ordered')), ['web-0', 'web-1', 'web-2'].slice(0, i + 1).join(','));
      await fakeKubeletSetPodStatus(client, 'ordered', `web-${i}`, { phase: 'Running' });
    }
    const pod = await kubectlJson(ts, ['-n', 'ordered', 'get', 'pod', 'web-1']);
    assert.equal(pod.metadata!.labels!['statefulset.kubernetes.io/pod-name'], 'web-1');
    assert.equal(pod.metadata!.labels!['apps.kubernetes.io/pod-index'], '1');
    assert.match(pod.metadata!.labels!['controller-revision-hash'], /^web-/);
    assert.equal(pod.spec.hostname, 'web-1');
    assert.equal(pod.spec.subdomain, 'nginx');
    assert.deepEqual(pod.spec.volumes.find((v: { name: string }) => v.name === 'www').persistentVolumeClaim, { claimName: 'www-web-1' });
    assert.equal(pod.metadata!.ownerReferences![0].kind, 'StatefulSet');
    const pvcs = await k(ts, ['-n', 'ordered', 'get', 'pvc', '-o', 'name']);
    assert.deepEqual(pvcs.trim().split('\n').sort(), ['persistentvolumeclaim/www-web-0', 'persistentvolumeclaim/www-web-1', 'persistentvolumeclaim/www-web-2']);
    const set = await waitFor('ready status', async () => {
      const s = await kubectlJson(ts, ['-n', 'ordered', 'get', 'sts', 'web']);
      return s.status?.readyReplicas === 3 && s.status.availableReplicas === 3 ? s : undefined;
    });
    assert.equal(set.status.replicas, 3);
    assert.equal(set.status.currentReplicas, 3);
    assert.equal(set.status.updatedReplicas, 3);
    assert.equal(set.status.observedGeneration, set.metadata!.generation);
    assert.equal(set.status.currentRevision, set.status.updateRevision);
    assert.match(await k(ts, ['-n', 'ordered', 'get', 'controllerrevisions']), /web-/);
  });

  it('scales down from the highest ordinal, one at a time, waiting for termination; claims stay', async () => {
    const { ts, client } = env;
    await createFakeNode(client, 'fake-node-sts');
    // Bound pods terminate gracefully, so "Terminating" lasts until the fake kubelet finishes it.
    for (const p of await listPods(client, 'ordered')) await bindPod(client, 'ordered', p.metadata!.name!, 'fake-node-sts');
    await k(ts, ['-n', 'ordered', 'scale', 'sts', 'web', '--replicas=1']);
    await waitFor('web-2 terminating', async () => (await client.get(POD, 'web-2', { namespace: 'ordered' })).metadata?.deletionTimestamp);
    await sleep(400);
    assert.equal((await client.get(POD, 'web-1', { namespace: 'ordered' })).metadata?.deletionTimestamp, undefined, 'web-1 waits for web-2');
    await client.delete(POD, 'web-2', { namespace: 'ordered', gracePeriodSeconds: 0 }); // the fake kubelet finishes web-2
    await waitFor('web-1 terminating', async () => (await client.get(POD, 'web-1', { namespace: 'ordered' })).metadata?.deletionTimestamp);
    await client.delete(POD, 'web-1', { namespace: 'ordered', gracePeriodSeconds: 0 });
    await waitFor('one pod left', async () => names(await listPods(client, 'ordered')) === 'web-0');
    assert.match(await k(ts, ['-n', 'ordered', 'get', 'pvc']), /www-web-2/, 'Retain keeps the claims');
    await waitFor('status replicas 1', async () => (await kubectlJson(ts, ['-n', 'ordered', 'get', 'sts', 'web'])).status?.replicas === 1);
  });

  it('replaces a deleted pod under the same name', async () => {
    const { ts, client } = env;
    const before = await client.get(POD, 'web-0', { namespace: 'ordered' });
    await k(ts, ['-n', 'ordered', 'delete', 'pod', 'web-0', '--grace-period=0', '--force']);
    const after = await waitFor('web-0 again', async () => {
      const p = (await listPods(client, 'ordered')).find(x => x.metadata!.name === 'web-0');
      return p && p.metadata!.uid !== before.metadata!.uid ? p : undefined;
    });
    assert.equal(after.spec.volumes.find((v: { name: string }) => v.name === 'www').persistentVolumeClaim.claimName, 'www-web-0');
  });

  it('rolls out with a partition: highest ordinal first, only ordinals ≥ partition', async () => {
    const { ts, client } = env;
    await k(ts, ['create', 'ns', 'roll']);
    const stopKubelet = startFakeKubelet(client, 'roll');
    try {
      await apply(ts, sts('roll', { replicas: 3, partition: 2 }));
      await waitFor('3 ready', async () => (await kubectlJson(ts, ['-n', 'roll', 'get', 'sts', 'web'])).status?.readyReplicas === 3);
      const old = await listPods(client, 'roll');
      await apply(ts, sts('roll', { replicas: 3, partition: 2, image: 'nginx:2.0' }));
      await waitFor('web-2 updated', async () => {
        const s = await kubectlJson(ts, ['-n', 'roll', 'get', 'sts', 'web']);
        return s.status?.updatedReplicas === 1 && s.status.readyReplicas === 3;
      });
      const mid = await listPods(client, 'roll');
      assert.deepEqual(mid.map(image), ['nginx:1.0', 'nginx:1.0', 'nginx:2.0']);
      assert.deepEqual(mid.slice(0, 2).map(p => p.metadata!.uid), old.slice(0, 2).map(p => p.metadata!.uid));
      const s1 = await kubectlJson(ts, ['-n', 'roll', 'get', 'sts', 'web']);
      assert.notEqual(s1.status.currentRevision, s1.status.updateRevision);
      assert.equal(mid[2].metadata!.labels!['controller-revision-hash'], s1.status.updateRevision);

      // Record the order pods are replaced in once the partition drops to 0.
      const deleted: string[] = [];
      const w = client.watch(POD, { namespace: 'roll', resourceVersion: s1.metadata!.resourceVersion });
      const watching = (async () => { try { for await (const ev of w) if (ev.type === 'DELETED') deleted.push(ev.object.metadata!.name!); } catch { /* stopped */ } })();
      await k(ts, ['-n', 'roll', 'patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
      const done = await waitFor('rollout complete', async () => {
        const s = await kubectlJson(ts, ['-n', 'roll', 'get', 'sts', 'web']);
        return s.status?.updatedReplicas === 3 && s.status.readyReplicas === 3 && s.status.currentRevision === s.status.updateRevision ? s : undefined;
      });
      assert.equal(done.status.currentReplicas, 3);
      w.stop();
      await watching;
      assert.deepEqual(deleted, ['web-1', 'web-0']);
      assert.deepEqual((await listPods(client, 'roll')).map(image), ['nginx:2.0', 'nginx:2.0', 'nginx:2.0']);
      const revs = (await kubectlJson<{ items: KubeObject[] }>(ts, ['-n', 'roll', 'get', 'controllerrevisions'])).items;
      assert.equal(revs.length, 2);
      assert.deepEqual(revs.map(r => r.revision).sort(), [1, 2]);

      // kubectl's rollout verbs read the same status and revisions.
      // With a partition set (even 0) kubectl reports a partitioned roll-out.
      assert.match(await k(ts, ['-n', 'roll', 'rollout', 'status', 'sts/web', '--timeout=20s']), /partitioned roll out complete: 3 new pods have been updated/);
      assert.match(await k(ts, ['-n', 'roll', 'rollout', 'history', 'sts/web']), /REVISION[\s\S]*\n1\s[\s\S]*\n2\s/);
      assert.match(await k(ts, ['-n', 'roll', 'rollout', 'undo', 'sts/web']), /rolled back/);
      await waitFor('rolled back to nginx:1.0', async () => (await listPods(client, 'roll')).map(image).join() === 'nginx:1.0,nginx:1.0,nginx:1.0');
      await k(ts, ['-n', 'roll', 'rollout', 'status', 'sts/web', '--timeout=20s']);
      const after = (await kubectlJson<{ items: KubeObject[] }>(ts, ['-n', 'roll', 'get', 'controllerrevisions'])).items;
      assert.deepEqual(after.map(r => r.revision).sort(), [2, 3], 'the old revision is reused and renumbered');
    } finally { await stopKubelet(); }
  });

  it('Parallel creates every pod at once; OnDelete updates a pod only when it is deleted', async () => {
    const { ts, client } = env;
    await k(ts, ['create', 'ns', 'par']);
    await apply(ts, sts('par', { replicas: 3, policy: 'Parallel', strategy: 'OnDelete' }));
    await waitFor('3 pods without readiness', async () => names(await listPods(client, 'par')) === 'web-0,web-1,web-2');
    await apply(ts, sts('par', { replicas: 3, policy: 'Parallel', strategy: 'OnDelete', image: 'nginx:3.0' }));
    await waitFor('new update revision', async () => {
      const s = await kubectlJson(ts, ['-n', 'par', 'get', 'sts', 'web']);
      return s.status?.updateRevision && s.status.updateRevision !== s.status.currentRevision;
    });
    await sleep(300);
    assert.deepEqual((await listPods(client, 'par')).map(image), ['nginx:1.0', 'nginx:1.0', 'nginx:1.0']);
    await k(ts, ['-n', 'par', 'delete', 'pod', 'web-1']);
    await waitFor('web-1 recreated at the new template', async () =>
      (await listPods(client, 'par')).map(image).join() === 'nginx:1.0,nginx:3.0,nginx:1.0');
  });
});
