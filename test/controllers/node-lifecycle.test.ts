/**
 * Node lifecycle and NoExecute taint eviction e2e: fake nodes whose Leases a fake kubelet
 * renews; stopping one node's renewals makes it Unknown after a short grace period.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { startNodeLifecycleController } from '../../src/controllers/node-lifecycle.js';
import { startTaintEvictionController } from '../../src/controllers/node-lifecycle-taint-eviction.js';
import { k } from '../e2e/harness.js';
import {
  NODE, POD, apply, bindPod, createFakeNode, fakeKubeletPostNodeReady, fakeKubeletSetPodStatus, sleep, startEnv,
  startFakeHeartbeats, waitFor, type Env,
} from './index-b-harness.js';

const NS = 'nlc';
const pod = (name: string, tolerations = '') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${NS}}
spec:
  containers: [{name: c, image: busybox}]
${tolerations}`;

type Taint = { key: string; effect: string; timeAdded?: string };
const taintsOf = (n: KubeObject) => ((n.spec?.taints ?? []) as Taint[]).map(t => `${t.key}:${t.effect}`).sort();
const ready = (n: KubeObject) => (n.status.conditions as Array<{ type: string; status: string; reason: string; message: string }>).find(c => c.type === 'Ready')!;

describe('node lifecycle and taint eviction', () => {
  let env: Env;
  const alive = new Set(['fake-lost', 'fake-alive']);
  let stopBeats: () => Promise<void>;
  const node = (name: string) => env.client.get(NODE, name);
  const getPod = (name: string) => env.client.get(POD, name, { namespace: NS });

  before(async () => {
    env = await startEnv(ctx => [
      startNodeLifecycleController(ctx, { monitorPeriodMs: 300, evictionRate: 100 }),
      startTaintEvictionController(ctx),
    ], { nodeMonitorGracePeriod: 2, podEvictionTimeout: 300 });
    await k(env.ts, ['create', 'ns', NS]);
    for (const n of alive) await createFakeNode(env.client, n);
    stopBeats = startFakeHeartbeats(env.client, alive);
    await apply(env.ts, pod('tolerates-2s', `  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}]`));
    await apply(env.ts, pod('admission-default'));
    await apply(env.ts, pod('tolerates-forever', `  tolerations: [{operator: Exists}]`));
    await apply(env.ts, pod('elsewhere'));
    for (const p of ['tolerates-2s', 'admission-default', 'tolerates-forever']) await bindPod(env.client, NS, p, 'fake-lost');
    await bindPod(env.client, NS, 'elsewhere', 'fake-alive');
    for (const p of ['tolerates-2s', 'admission-default', 'tolerates-forever', 'elsewhere']) await fakeKubeletSetPodStatus(env.client, NS, p, { phase: 'Running' });
  });
  after(async () => { await stopBeats?.(); await env?.stop(); });

  it('keeps nodes with fresh Leases Ready and untainted', async () => {
    await sleep(2500); // longer than the grace period
    for (const n of alive) {
      const got = await node(n);
      assert.equal(ready(got).status, 'True');
      assert.deepEqual(taintsOf(got), []);
    }
  });

  it('a node whose Lease stops renewing becomes Unknown, tainted unreachable, its pods not Ready', async () => {
    alive.delete('fake-lost');
    const lost = await waitFor('Ready=Unknown', async () => { const n = await node('fake-lost'); return ready(n).status === 'Unknown' ? n : undefined; }, 10_000);
    assert.equal(ready(lost).reason, 'NodeStatusUnknown');
    assert.equal(ready(lost).message, 'Kubelet stopped posting node status.');
    for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      assert.equal((lost.status.conditions as Array<{ type: string; status: string }>).find(c => c.type === type)!.status, 'Unknown');
    }
    const tainted = await waitFor('unreachable taints', async () => {
      const n = await node('fake-lost');
      return taintsOf(n).join() === 'node.kubernetes.io/unreachable:NoExecute,node.kubernetes.io/unreachable:NoSchedule' ? n : undefined;
    });
    assert.ok((tainted.spec.taints as Taint[]).find(t => t.effect === 'NoExecute')!.timeAdded);
    await waitFor('pods not ready', async () => {
      const p = await getPod('admission-default');
      return (p.status.conditions as Array<{ type: string; status: string }>).find(c => c.type === 'Ready')!.status === 'False';
    });
    assert.equal(ready(await node('fake-alive')).status, 'True');
    assert.deepEqual(taintsOf(await node('fake-alive')), []);
    await waitFor('NodeNotReady event', async () =>
      /NodeNotReady/.test(await k(env.ts, ['get', 'events', '-A', '--field-selector', 'involvedObject.name=fake-lost'])));
  });

  it('evicts pods after their tolerationSeconds; they stay Terminating while the node is gone', async () => {
    const evicted = await waitFor('tolerates-2s deleted', async () => {
      const p = await getPod('tolerates-2s');
      return p.metadata?.deletionTimestamp ? p : undefined;
    }, 10_000);
    const dt = (evicted.status.conditions as Array<{ type: string; reason: string }>).find(c => c.type === 'DisruptionTarget');
    assert.equal(dt?.reason, 'DeletionByTaintManager');
    await sleep(1000);
    assert.ok((await getPod('tolerates-2s')).metadata?.deletionTimestamp, 'still there, Terminating: no kubelet confirms');
    assert.equal((await getPod('admission-default')).metadata?.deletionTimestamp, undefined, '300 s default toleration not yet up');
    assert.equal((await getPod('tolerates-forever')).metadata?.deletionTimestamp, undefined);
    assert.equal((await getPod('elsewhere')).metadata?.deletionTimestamp, undefined);
    assert.match(await k(env.ts, ['-n', NS, 'get', 'events', '--field-selector', 'involvedObject.name=tolerates-2s']), /TaintManagerEviction/);
  });

  it('removes the taints when the node reports Ready again', async () => {
    alive.add('fake-lost');
    await fakeKubeletPostNodeReady(env.client, 'fake-lost');
    await waitFor('untainted', async () => taintsOf(await node('fake-lost')).length === 0);
    assert.equal(ready(await node('fake-lost')).status, 'True');
    await waitFor('NodeReady event', async () =>
      /NodeReady/.test(await k(env.ts, ['get', 'events', '-A', '--field-selector', 'involvedObject.name=fake-lost,reason=NodeReady'])));
  });

  it('a node reporting Ready=False gets the not-ready taints', async () => {
    await createFakeNode(env.client, 'fake-sick', { ready: false });
    alive.add('fake-sick');
    await waitFor('not-ready taints', async () =>
      taintsOf(await node('fake-sick')).join() === 'node.kubernetes.io/not-ready:NoExecute,node.kubernetes.io/not-ready:NoSchedule');
    assert.equal(ready(await node('fake-sick')).status, 'False', 'the kubelet\'s own report stands while it heartbeats');
    alive.delete('fake-sick');
    await env.client.delete(NODE, 'fake-sick');
  });

  it('when every node goes silent, nodes get NoSchedule but no NoExecute taints (no mass eviction)', async () => {
    alive.clear();
    await waitFor('both Unknown', async () => ready(await node('fake-lost')).status === 'Unknown' && ready(await node('fake-alive')).status === 'Unknown', 10_000);
    await waitFor('NoSchedule only', async () => {
      const all = [await node('fake-lost'), await node('fake-alive')];
      return all.every(n => taintsOf(n).join() === 'node.kubernetes.io/unreachable:NoSchedule');
    });
    await sleep(1000);
    assert.equal((await getPod('elsewhere')).metadata?.deletionTimestamp, undefined);
  });
});
