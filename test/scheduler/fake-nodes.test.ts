/** Fake nodes against a real in-process API server: registration, lease, running, fake exits, deletion. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.js';
import { FakeNodePool, FAKE_NODE_LABEL, parseDuration, parseLabels, parseTaints } from '../../src/node/fake/index.js';
import { fakePodStatus, statusDiff } from '../../src/node/fake/pod-status.js';
import { Informer, silentLogger } from '../../src/client/index.js';
import { startCluster, type TestCluster } from '../client/helpers.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };
const NODES = { apiVersion: 'v1', kind: 'Node' };
const LEASES = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };

describe('fake nodes', () => {
  let c: TestCluster;
  let pool: FakeNodePool;
  before(async () => {
    c = await startCluster();
    await c.client('setup').create({ apiVersion: 'v1', kind: 'Namespace' }, { metadata: { name: 'kube-node-lease' } });
    pool = new FakeNodePool({
      client: c.client('fake'), leaseRenewMs: 200,
      nodes: [{ name: 'f1', cpu: '4', memory: '8Gi', pods: 20, labels: { tier: 'a' }, taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }],
    });
    await pool.start();
  });
  after(async () => { await pool?.stop({ deleteNodes: true }); await c?.cleanup(); });

  const api = () => c.client('test');
  const bind = async (name: string, annotations: Record<string, string> = {}, restartPolicy = 'Always') => {
    await api().create(PODS, { metadata: { name, namespace: 'default', annotations }, spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox' }] } });
    await api().subresource(PODS, name, 'binding', { namespace: 'default', method: 'POST', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: 'f1' } } });
  };
  const until = async (name: string, pred: (p: Pod) => boolean, ms = 30_000): Promise<Pod> => {
    const end = Date.now() + ms;
    for (;;) {
      const p = await api().get<KubeObject>(PODS, name, { namespace: 'default' }).catch(() => undefined) as Pod | undefined;
      if (p && pred(p)) return p;
      if (Date.now() > end) throw new Error(`timed out: ${name} ${JSON.stringify(p?.status)}`);
      await new Promise(r => setTimeout(r, 50));
    }
  };

  it('registers a node that says it is fake, with capacity, labels, taints and a fresh Lease', async () => {
    const n = await api().get<KubeObject>(NODES, 'f1');
    assert.equal(n.metadata!.labels![FAKE_NODE_LABEL], 'true');
    assert.equal(n.metadata!.labels!.tier, 'a');
    assert.deepEqual(n.status.allocatable, { cpu: '4', memory: '8Gi', pods: '20', 'ephemeral-storage': '100Gi' });
    assert.deepEqual(n.spec.taints, [{ key: 'k', value: 'v', effect: 'NoSchedule' }]);
    assert.match(n.status.nodeInfo.containerRuntimeVersion, /^fake:\/\//);
    const l1 = await api().get<KubeObject>(LEASES, 'f1', { namespace: 'kube-node-lease' });
    await new Promise(r => setTimeout(r, 500));
    const l2 = await api().get<KubeObject>(LEASES, 'f1', { namespace: 'kube-node-lease' });
    assert.notEqual(l1.spec.renewTime, l2.spec.renewTime, 'lease renewed');
    // Renewals leave managedFields out of the body; the server keeps the stored ones.
    assert.deepEqual(l2.metadata!.managedFields!.map(m => m.manager), l1.metadata!.managedFields!.map(m => m.manager));
    assert.ok(l2.metadata!.managedFields!.length > 0);
  });

  it('reports bound pods Running and Ready with a fake IP', async () => {
    await bind('run');
    const p = await until('run', x => x.status?.phase === 'Running');
    assert.match(p.status!.podIP!, /^10\.128\.0\.\d+$/);
    assert.equal(p.status!.conditions!.find(x => x.type === 'Ready')!.status, 'True');
    assert.equal(p.status!.containerStatuses![0]!.ready, true);
  });

  it('fake-exit-after ends the pod (Never → Succeeded/Failed) or restarts it (Always)', async () => {
    await bind('ok', { 'kubeling.io/fake-exit-after': '200ms' }, 'Never');
    await bind('bad', { 'kubeling.io/fake-exit-after': '200ms', 'kubeling.io/fake-exit-code': '3' }, 'Never');
    await bind('again', { 'kubeling.io/fake-exit-after': '200ms' }, 'Always');
    await until('ok', p => p.status?.phase === 'Succeeded');
    const bad = await until('bad', p => p.status?.phase === 'Failed');
    assert.equal(bad.status!.containerStatuses![0]!.state!.terminated!.exitCode, 3);
    await until('again', p => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 && p.status?.phase === 'Running');
  });

  it('finishes graceful deletion at once', async () => {
    await bind('gone');
    await until('gone', p => p.status?.phase === 'Running');
    await api().delete(PODS, 'gone', { namespace: 'default' });
    const end = Date.now() + 30_000;
    for (;;) {
      const r = await api().get(PODS, 'gone', { namespace: 'default' }).then(() => 'there', () => 'gone');
      if (r === 'gone') break;
      if (Date.now() > end) throw new Error('pod not removed');
      await new Promise(res => setTimeout(res, 50));
    }
  });

  it('shares a caller\'s pod informer, renews through a heartbeat client, and counts its writes', async () => {
    const informer = new Informer<KubeObject>(api(), PODS, { logger: silentLogger });
    const heartbeatClient = c.client('fake-heartbeat');
    const shared = new FakeNodePool({
      client: c.client('fake2'), heartbeatClient, podInformer: informer, leaseRenewMs: 200, indexBase: 1, nodes: [{ name: 'f2' }],
    });
    try {
      informer.start();
      await informer.waitForSync();
      await shared.start();
      // The Lease is there as soon as the node is (registration is not followed by a lease-less gap).
      const lease = await api().get<KubeObject>(LEASES, 'f2', { namespace: 'kube-node-lease' });
      assert.equal(lease.spec.holderIdentity, 'f2');
      await api().create(PODS, { metadata: { name: 'on-f2', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
      await api().subresource(PODS, 'on-f2', 'binding', { namespace: 'default', method: 'POST', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'on-f2' }, target: { kind: 'Node', name: 'f2' } } });
      const p = await until('on-f2', x => x.status?.phase === 'Running');
      assert.match(p.status!.podIP!, /^10\.128\.1\.\d+$/);
      await new Promise(r => setTimeout(r, 500));
      assert.equal(shared.writes.podStatus, 1);
      assert.ok(shared.writes.leaseRenewals >= 1, `renewals: ${shared.writes.leaseRenewals}`);
      await shared.stop({ deleteNodes: true });
      // Stopping the pool leaves the caller's informer running.
      await api().create(PODS, { metadata: { name: 'after-stop', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
      for (const end = Date.now() + 30_000; !informer.get('default/after-stop');) {
        if (Date.now() > end) throw new Error('shared informer stopped with the pool');
        await new Promise(r => setTimeout(r, 50));
      }
    } finally {
      await shared.stop();
      informer.stop();
    }
  });

  it('sends only what changed: the binding\'s PodScheduled stays, a restart patches container statuses alone', () => {
    const pod = { metadata: { name: 'p', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } as Pod;
    const st = { uid: 'u1', ip: '10.128.0.2', startedAt: '2026-01-01T00:00:00Z', restarts: 0 };
    const bound = { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-12-31T23:59:59Z' }] };
    const first = statusDiff(bound, fakePodStatus(pod, st, '198.18.0.1'));
    assert.deepEqual(Object.keys(first).sort(), ['conditions', 'containerStatuses', 'hostIP', 'hostIPs', 'phase', 'podIP', 'podIPs', 'startTime']);
    assert.deepEqual((first.conditions as Array<{ type: string }>).map(c => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);
    const running = { ...bound, ...fakePodStatus(pod, st, '198.18.0.1') };
    assert.deepEqual(statusDiff(running, fakePodStatus(pod, st, '198.18.0.1')), {});
    const restarted = statusDiff(running, fakePodStatus(pod, { ...st, restarts: 1 }, '198.18.0.1'));
    assert.deepEqual(Object.keys(restarted), ['containerStatuses']);
  });

  it('keeps the PodScheduled condition the binding set', async () => {
    await bind('sched-cond');
    const p = await until('sched-cond', x => x.status?.phase === 'Running');
    const types = p.status!.conditions!.map(x => x.type).sort();
    assert.deepEqual(types, ['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'PodScheduled', 'Ready']);
    assert.equal(p.status!.conditions!.find(x => x.type === 'PodScheduled')!.status, 'True');
  });

  it('parses flag-shaped options', () => {
    assert.deepEqual(parseLabels('a=1,b=2'), { a: '1', b: '2' });
    assert.deepEqual(parseTaints('k=v:NoSchedule,x:NoExecute'), [{ key: 'k', value: 'v', effect: 'NoSchedule' }, { key: 'x', effect: 'NoExecute' }]);
    assert.throws(() => parseTaints('k=v:Sometimes'));
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('soon'), undefined);
  });
});
