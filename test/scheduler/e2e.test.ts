/**
 * The scheduler inside a real `kubeling server`, driven with the real kubectl, placing
 * pods on fake nodes run by this test process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../src/client/index.js';
import { FakeNodePool, type FakeNodeSpec } from '../../src/node/fake/index.js';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';

interface PodJson { metadata: { name: string }; spec: { nodeName?: string }; status: { phase?: string; nominatedNodeName?: string; podIP?: string } }

const pod = (name: string, extra: string, cpu = '100m') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: ${name.replace(/-\d+$/, '')}}}
spec:
  containers: [{name: c, image: busybox, resources: {requests: {cpu: "${cpu}"}}}]
${extra}
`;

describe('scheduler e2e (kubectl + fake nodes)', () => {
  let ts: TestServer;
  let client: Client;
  const pools: FakeNodePool[] = [];
  let nodeIndex = 0;

  const addNodes = async (specs: FakeNodeSpec[]) => {
    const p = new FakeNodePool({ client, nodes: specs, indexBase: nodeIndex, leaseRenewMs: 5000 });
    nodeIndex += specs.length;
    await p.start();
    pools.push(p);
  };
  const getPod = async (name: string) => JSON.parse(await k(ts, ['get', 'pod', name, '-o', 'json'])) as PodJson;
  const waitFor = async <T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await f().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise(r => setTimeout(r, 200));
    }
  };
  const waitNode = (name: string) => waitFor(`${name} to be bound and running`, async () => {
    const p = await getPod(name);
    return p.spec.nodeName && p.status.phase === 'Running' ? p.spec.nodeName : undefined;
  });

  before(async () => {
    // One retry: on a loaded machine a server start can fail (e.g. dist/ being rebuilt meanwhile).
    ts = await startTestServer(['--disable-agent']).catch(() => startTestServer(['--disable-agent']));
    client = Client.fromKubeconfig(ts.kubeconfig, { component: 'fake-nodes' });
    await addNodes([
      { name: 'n1', cpu: '2', memory: '8Gi', labels: { disk: 'ssd' } },
      { name: 'n2', cpu: '2', memory: '8Gi', labels: { disk: 'hdd' } },
      { name: 'n3', cpu: '2', memory: '8Gi', labels: { disk: 'hdd' }, taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] },
    ]);
  });
  after(async () => {
    for (const p of pools) await p.stop();
    client?.close();
    await ts?.stop();
  });

  it('spreads equal pods over the three nodes, and the fake nodes run them', async () => {
    const tol = '  tolerations: [{key: dedicated, operator: Exists}]';
    await k(ts, ['apply', '-f', '-'], [1, 2, 3, 4, 5, 6].map(i => pod(`spread-${i}`, tol)).join('---\n'));
    const nodes = await Promise.all([1, 2, 3, 4, 5, 6].map(i => waitNode(`spread-${i}`)));
    const count: Record<string, number> = {};
    for (const n of nodes) count[n] = (count[n] ?? 0) + 1;
    assert.deepEqual(count, { n1: 2, n2: 2, n3: 2 });
    const p = await getPod('spread-1');
    assert.match(p.status.podIP ?? '', /^10\.1\d\d\.\d+\.\d+$/, 'a fake pod IP');
    const events = await k(ts, ['get', 'events', '-o', 'json']);
    assert.ok((JSON.parse(events).items as Array<{ reason: string; message: string }>)
      .some(e => e.reason === 'Scheduled' && /^Successfully assigned default\/spread-\d to n\d$/.test(e.message)));
  });

  it('respects nodeSelector, node affinity and taints', async () => {
    await k(ts, ['apply', '-f', '-'], [
      pod('sel', '  nodeSelector: {disk: ssd}'),
      pod('aff', '  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: disk, operator: In, values: [hdd]}]}]}}}'),
      pod('tol', `  nodeSelector: {kubernetes.io/hostname: n3}
  tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]`),
    ].join('---\n'));
    assert.equal(await waitNode('sel'), 'n1');
    assert.equal(await waitNode('aff'), 'n2', 'n3 also has disk=hdd but is tainted');
    assert.equal(await waitNode('tol'), 'n3');
  });

  it("an unschedulable pod shows upstream's FailedScheduling message, then lands when a fitting node appears", async () => {
    await k(ts, ['apply', '-f', '-'], pod('big', '  tolerations: [{key: dedicated, operator: Exists}]', '3'));
    const msg = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    const described = await waitFor('FailedScheduling in describe', async () => {
      const out = await k(ts, ['describe', 'pod', 'big']);
      return out.includes(msg) ? out : undefined;
    }).catch(async e => { console.error(await k(ts, ['describe', 'pod', 'big'])); throw e; });
    assert.match(described, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available/);
    assert.match(described, /PodScheduled\s+False/);
    const cond = JSON.parse(await k(ts, ['get', 'pod', 'big', '-o', 'jsonpath={.status.conditions}'])) as Array<{ type: string; reason: string; message: string }>;
    assert.deepEqual(cond.find(c => c.type === 'PodScheduled'), { ...cond.find(c => c.type === 'PodScheduled'), reason: 'Unschedulable', message: msg });
    // No polling: the new node's Add event moves the pod back to the active queue.
    await addNodes([{ name: 'big-node', cpu: '4', memory: '8Gi' }]);
    assert.equal(await waitNode('big'), 'big-node');
  });

  it('preempts a lower-priority pod for a higher-priority one', async () => {
    await addNodes([{ name: 'small', cpu: '1', memory: '8Gi', labels: { role: 'small' } }]);
    await k(ts, ['apply', '-f', '-'], `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: low}
value: 10
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
`);
    await k(ts, ['apply', '-f', '-'], pod('victim', '  nodeSelector: {role: small}\n  priorityClassName: low', '800m'));
    assert.equal(await waitNode('victim'), 'small');
    await k(ts, ['apply', '-f', '-'], pod('vip', '  nodeSelector: {role: small}\n  priorityClassName: high', '800m'));
    assert.equal(await waitNode('vip').catch(async e => {
      console.error(await k(ts, ['describe', 'pod', 'vip']).catch(x => String(x)));
      throw e;
    }), 'small');
    const gone = await ts.kubectl(['get', 'pod', 'victim']);
    assert.notEqual(gone.code, 0, 'victim deleted');
    const events = JSON.parse(await k(ts, ['get', 'events', '-o', 'json'])).items as Array<{ reason: string; message: string; involvedObject: { name: string } }>;
    const vipUid = (await k(ts, ['get', 'pod', 'vip', '-o', 'jsonpath={.metadata.uid}'])).trim();
    assert.ok(events.some(e => e.reason === 'Preempted' && e.involvedObject.name === 'victim' && e.message === `Preempted by pod ${vipUid} on node small`),
      JSON.stringify(events.filter(e => e.involvedObject.name === 'victim' || e.involvedObject.name === 'vip')));
    assert.equal((await getPod('vip')).status.nominatedNodeName, 'small');
  });

  it("/metrics splits a pod's scheduling into upstream's algorithm and Bind durations", async () => {
    const text = await k(ts, ['get', '--raw', '/metrics']);
    const count = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    // Every pod bound above (spread-1..6 at least) went through both.
    assert.ok(count(/^scheduler_scheduling_algorithm_duration_seconds_count (\d+)$/m) >= 6, text.slice(0, 2000));
    assert.ok(count(/^scheduler_framework_extension_point_duration_seconds_count\{extension_point="Bind",status="Success",profile="default-scheduler"\} (\d+)$/m) >= 6);
    assert.match(text, /^scheduler_framework_extension_point_duration_seconds_bucket\{extension_point="Bind",status="Success",profile="default-scheduler",le="0.0001"\} \d+$/m);
  });
});
