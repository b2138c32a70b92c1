/**
 * Who manages what the control plane writes, as upstream shows it: objects made or changed
 * by the controllers carry `kube-controller-manager` (operation Update), whichever controller
 * wrote them; the scheduler's PodScheduled=False condition `kube-scheduler` on the status
 * subresource. The name comes from the client's User-Agent program (client.withComponent).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { Client } from '../../src/client/index.js';
import { FakeNodePool } from '../../src/node/fake/index.js';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';
import { apply, items, kjson, waitFor } from './controller-utils-testing.js';

interface Entry { manager: string; operation: string; subresource?: string }
const managers = (o: KubeObject) => ((o.metadata as { managedFields?: Entry[] }).managedFields ?? [])
  .map(m => `${m.manager} ${m.operation}${m.subresource ? ` ${m.subresource}` : ''}`).sort();

describe('managedFields of control-plane writes (e2e, kubectl)', () => {
  let ts: TestServer;
  let client: Client;
  let pool: FakeNodePool | undefined;
  before(async () => {
    ts = await startTestServer(['--disable-agent']);
    client = Client.fromKubeconfig(ts.kubeconfig, { component: 'fake-nodes' });
    pool = new FakeNodePool({ client, nodes: [{ name: 'mf-n1', cpu: '4', memory: '8Gi' }], indexBase: 0, leaseRenewMs: 5000 });
    await pool.start();
  });
  after(async () => {
    await pool?.stop();
    client?.close();
    await ts?.stop();
  });

  it('a Deployment\'s ReplicaSet and pods are managed by kube-controller-manager', async () => {
    await k(ts, ['create', 'deployment', 'mf-web', '--image=busybox', '--replicas=2']);
    const pods = await waitFor('two running pods', async () => {
      const ps = await items(ts, ['get', 'pods', '-l', 'app=mf-web', '--show-managed-fields']);
      return ps.length === 2 && ps.every(p => p.status?.phase === 'Running') && ps;
    });
    // The binding writes no entry of its own (as upstream); the fake node reports status.
    for (const p of pods) assert.deepEqual(managers(p), ['fake-nodes Update status', 'kube-controller-manager Update']);
    const [rs] = await items(ts, ['get', 'rs', '-l', 'app=mf-web', '--show-managed-fields']);
    assert.deepEqual(managers(rs!), ['kube-controller-manager Update', 'kube-controller-manager Update status']);
    const d = await waitFor('deployment status written', async () => {
      const o = await kjson(ts, ['get', 'deployment', 'mf-web', '--show-managed-fields']);
      return managers(o).includes('kube-controller-manager Update status') && o;
    });
    // kubectl's own entry stays; the controller's (revision annotation, status) are its own.
    assert.deepEqual(managers(d), ['kube-controller-manager Update', 'kube-controller-manager Update status', 'kubectl-create Update']);
  });

  it('the scheduler\'s PodScheduled=False is managed by kube-scheduler on the status subresource', async () => {
    await k(ts, ['run', 'mf-nowhere', '--image=busybox', '--overrides={"spec":{"nodeSelector":{"disk":"none"}}}']);
    const p = await waitFor('PodScheduled=False', async () => {
      const o = await kjson(ts, ['get', 'pod', 'mf-nowhere', '--show-managed-fields']);
      const cond = (o.status?.conditions as { type: string; status: string }[] | undefined)?.find(c => c.type === 'PodScheduled');
      return cond?.status === 'False' && o;
    });
    assert.deepEqual(managers(p), ['kube-scheduler Update status', 'kubectl-run Update']);
  });

  it('controllers with their own client part (job, root CA publisher) still write as kube-controller-manager', async () => {
    await apply(ts, `apiVersion: batch/v1
kind: Job
metadata: {name: mf-job}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
`);
    const [pod] = await waitFor('the job\'s pod', async () => {
      const ps = await items(ts, ['get', 'pods', '-l', 'job-name=mf-job', '--show-managed-fields']);
      return ps.length === 1 && ps;
    });
    assert.ok(managers(pod!).includes('kube-controller-manager Update'), managers(pod!).join(', '));
    await k(ts, ['create', 'namespace', 'mf-ns']);
    // (The default ServiceAccount has no field beyond its name to own, so no entry.)
    const cm = await waitFor('kube-root-ca.crt in mf-ns', async () => {
      const r = await ts.kubectl(['-n', 'mf-ns', 'get', 'configmap', 'kube-root-ca.crt', '-o', 'json', '--show-managed-fields']);
      return r.code === 0 && JSON.parse(r.stdout) as KubeObject;
    });
    assert.deepEqual(managers(cm), ['kube-controller-manager Update']);
  });
});
