/** @kubernetes/client-node 1.x, unchanged, lists, creates and watches against kubeling. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startTestServer, type TestServer } from './harness.js';

describe('@kubernetes/client-node', () => {
  let ts: TestServer;
  let kc: k8s.KubeConfig;
  before(async () => {
    ts = await startTestServer();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(ts.kubeconfig);
  });
  after(async () => { await ts?.stop(); });

  it('lists, creates and watches', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const nss = await core.listNamespace();
    assert.ok(nss.items.some(n => n.metadata?.name === 'kube-system'));

    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    // Only its own ConfigMap: the namespace also holds kube-root-ca.crt.
    const req = await watch.watch('/api/v1/namespaces/default/configmaps', { fieldSelector: 'metadata.name=from-client-node' }, (type, obj) => {
      seen.push(`${type} ${obj.metadata?.name}`);
    }, () => {});
    await new Promise(r => setTimeout(r, 300));

    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-client-node' }, data: { a: '1' } } });
    await core.patchNamespacedConfigMap({ name: 'from-client-node', namespace: 'default', body: { data: { a: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await apps.createNamespacedDeployment({
      namespace: 'default', body: {
        metadata: { name: 'cn-web' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'cn' } }, template: { metadata: { labels: { app: 'cn' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
      },
    });
    const d = await apps.readNamespacedDeployment({ name: 'cn-web', namespace: 'default' });
    assert.equal(d.spec?.replicas, 2);
    assert.equal(d.spec?.strategy?.type, 'RollingUpdate');
    await core.deleteNamespacedConfigMap({ name: 'from-client-node', namespace: 'default' });
    for (let i = 0; i < 50 && seen.length < 3; i++) await new Promise(r => setTimeout(r, 100));
    req.abort();
    assert.deepEqual(seen, ['ADDED from-client-node', 'MODIFIED from-client-node', 'DELETED from-client-node']);

    const list = await core.listNamespacedConfigMap({ namespace: 'default', limit: 1 });
    assert.ok(Array.isArray(list.items));
  });
});
