/** DaemonSet controller e2e on fake nodes (Node objects only), pod progress from a fake kubelet. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { startDaemonSetController } from '../../src/controllers/daemonset.js';
import { k } from '../e2e/harness.js';
import {
  NODE, POD, apply, createFakeNode, isReady, kubectlJson, listPods, startEnv, startFakeKubelet, waitFor, type Env,
} from './index-b-harness.js';

const ds = (image: string, extra = '') => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: dsns}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {disk: ssd}
      containers: [{name: agent, image: ${image}}]
${extra}`;

const targetOf = (p: KubeObject): string =>
  p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0];
const livePods = async (env: Env) => (await listPods(env.client, 'dsns')).filter(p => !p.metadata?.deletionTimestamp);
const nodesWithPods = async (env: Env) => (await livePods(env)).map(targetOf).sort().join(',');

/** Watches the namespace's pods: the most eligible nodes ever without an available pod, and most live pods on one node. */
async function watchAvailability(env: Env, eligible: string[]) {
  const { client } = env;
  const seen = new Map<string, KubeObject>();
  const list = await client.list(POD, { namespace: 'dsns' });
  for (const p of list.items) seen.set(p.metadata!.name!, p);
  let worst = 0, maxPerNode = 0;
  const w = client.watch(POD, { namespace: 'dsns', resourceVersion: list.metadata.resourceVersion });
  const watching = (async () => {
    try {
      for await (const ev of w) {
        if (ev.type === 'DELETED') seen.delete(ev.object.metadata!.name!); else seen.set(ev.object.metadata!.name!, ev.object);
        const live = [...seen.values()].filter(p => !p.metadata?.deletionTimestamp);
        const ok = new Set(live.filter(isReady).map(targetOf));
        worst = Math.max(worst, eligible.filter(n => !ok.has(n)).length);
        for (const n of eligible) maxPerNode = Math.max(maxPerNode, live.filter(p => targetOf(p) === n).length);
      }
    } catch { /* stopped */ }
  })();
  return { async stop() { w.stop(); await watching; return { worst, maxPerNode }; } };
}

describe('DaemonSet controller', () => {
  let env: Env;
  let stopKubelet: () => Promise<void>;
  before(async () => {
    env = await startEnv(ctx => [startDaemonSetController(ctx)]);
    await k(env.ts, ['create', 'ns', 'dsns']);
    stopKubelet = startFakeKubelet(env.client, 'dsns');
  });
  after(async () => { await stopKubelet?.(); await env?.stop(); });

  it('runs one pod per eligible fake node: selector, taints, and the tolerations daemons get', async () => {
    const { client, ts } = env;
    await createFakeNode(client, 'fake-a', { labels: { disk: 'ssd' } });
    await createFakeNode(client, 'fake-b', { labels: { disk: 'ssd' } });
    await createFakeNode(client, 'fake-hdd', { labels: { disk: 'hdd' } });
    await createFakeNode(client, 'fake-gpu', { labels: { disk: 'ssd' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    // Cordoned and under memory pressure: daemons tolerate both automatically.
    await createFakeNode(client, 'fake-cordoned', {
      labels: { disk: 'ssd' }, unschedulable: true,
      taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }],
    });
    await apply(ts, ds('agent:1'));
    await waitFor('pods on fake-a, fake-b, fake-cordoned', async () => (await nodesWithPods(env)) === 'fake-a,fake-b,fake-cordoned');
    const pod = (await livePods(env))[0];
    assert.equal(pod.spec.nodeName, undefined, 'the scheduler binds; the controller only sets affinity');
    assert.deepEqual(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0],
      { key: 'metadata.name', operator: 'In', values: [targetOf(pod)] });
    const tolKeys = pod.spec.tolerations.map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`);
    for (const want of ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']) assert.ok(tolKeys.includes(want), want);
    assert.ok(pod.metadata!.labels!['controller-revision-hash']);
    const st = await waitFor('status', async () => {
      const s = (await kubectlJson(ts, ['-n', 'dsns', 'get', 'ds', 'agent'])).status;
      return s?.numberReady === 3 && s.numberAvailable === 3 ? s : undefined;
    });
    assert.equal(st.desiredNumberScheduled, 3);
    assert.equal(st.currentNumberScheduled, 3);
    assert.equal(st.updatedNumberScheduled, 3);
    assert.equal(st.numberMisscheduled, 0);
  });

  it('gives a new node a pod, and removes the pod when the node stops qualifying', async () => {
    const { client } = env;
    await createFakeNode(client, 'fake-new', { labels: { disk: 'ssd' } });
    await waitFor('pod on the new node', async () => (await nodesWithPods(env)).includes('fake-new'));
    // Relabel fake-new: its pod no longer belongs there.
    await client.patch(NODE, 'fake-new', { metadata: { labels: { disk: 'hdd' } } });
    await waitFor('pod removed from fake-new', async () => !(await nodesWithPods(env)).includes('fake-new'));
    // An untolerated NoExecute taint evicts the daemon too.
    await client.patch(NODE, 'fake-b', { spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } });
    await waitFor('pod removed from fake-b', async () => (await nodesWithPods(env)) === 'fake-a,fake-cordoned');
    await client.patch(NODE, 'fake-b', { spec: { taints: null } });
    await waitFor('pod back on fake-b', async () => (await nodesWithPods(env)) === 'fake-a,fake-b,fake-cordoned');
  });

  it('replaces a deleted pod and a failed pod', async () => {
    const { client, ts } = env;
    const victim = (await livePods(env)).find(p => targetOf(p) === 'fake-a')!;
    await k(ts, ['-n', 'dsns', 'delete', 'pod', victim.metadata!.name!]);
    await waitFor('replacement on fake-a', async () => (await livePods(env)).some(p => targetOf(p) === 'fake-a' && p.metadata!.uid !== victim.metadata!.uid));
    const failing = (await livePods(env)).find(p => targetOf(p) === 'fake-b')!;
    await client.patch(POD, failing.metadata!.name!, { status: { phase: 'Failed' } }, { namespace: 'dsns', subresource: 'status' });
    await waitFor('failed pod replaced', async () => (await livePods(env)).some(p => targetOf(p) === 'fake-b' && p.metadata!.uid !== failing.metadata!.uid));
  });

  it('rolls out a new template within maxUnavailable, keeping ControllerRevisions', async () => {
    const { client, ts } = env;
    await waitFor('all ready', async () => (await kubectlJson(ts, ['-n', 'dsns', 'get', 'ds', 'agent'])).status?.numberAvailable === 3);
    const watch = await watchAvailability(env, ['fake-a', 'fake-b', 'fake-cordoned']);
    await apply(ts, ds('agent:2'));
    const st = await waitFor('rolled out', async () => {
      const s = await kubectlJson(ts, ['-n', 'dsns', 'get', 'ds', 'agent']);
      const pods = await livePods(env);
      return s.status?.updatedNumberScheduled === 3 && s.status.numberAvailable === 3 && pods.length === 3 &&
        pods.every(p => p.spec.containers[0].image === 'agent:2') ? s : undefined;
    });
    const { worst } = await watch.stop();
    assert.ok(worst <= 1, `at most maxUnavailable=1 node without an available pod (saw ${worst})`);
    assert.equal(st.status.observedGeneration, st.metadata!.generation);
    const revs = (await kubectlJson<{ items: KubeObject[] }>(ts, ['-n', 'dsns', 'get', 'controllerrevisions'])).items;
    assert.deepEqual(revs.map(r => r.revision).sort(), [1, 2]);
    const hashes = new Set((await livePods(env)).map(p => p.metadata!.labels!['controller-revision-hash']));
    assert.equal(hashes.size, 1);
    assert.ok(revs.some(r => r.metadata!.labels!['controller-revision-hash'] === [...hashes][0]));
  });

  it('surges: a new pod starts beside the old one, which goes once the new one is available', async () => {
    const { ts } = env;
    await waitFor('all available', async () => (await kubectlJson(ts, ['-n', 'dsns', 'get', 'ds', 'agent'])).status?.numberAvailable === 3);
    const watch = await watchAvailability(env, ['fake-a', 'fake-b', 'fake-cordoned']);
    await apply(ts, ds('agent:3', '').replace('rollingUpdate: {maxUnavailable: 1}', 'rollingUpdate: {maxUnavailable: 0, maxSurge: 1}'));
    await waitFor('rolled out with surge', async () => {
      const pods = await livePods(env);
      return pods.length === 3 && pods.every(p => p.spec.containers[0].image === 'agent:3');
    });
    const { worst, maxPerNode } = await watch.stop();
    assert.equal(worst, 0, 'maxUnavailable=0: every node keeps an available pod');
    assert.equal(maxPerNode, 2, 'a new pod ran beside the old one');
    const events = await k(ts, ['-n', 'dsns', 'get', 'events', '--field-selector', 'involvedObject.kind=DaemonSet']);
    assert.match(events, /SuccessfulCreate/);
    assert.match(events, /SuccessfulDelete/);
  });

  it('works with kubectl rollout status, history and undo', async () => {
    const { ts } = env;
    assert.match(await k(ts, ['-n', 'dsns', 'rollout', 'status', 'ds/agent', '--timeout=20s']), /successfully rolled out/);
    assert.match(await k(ts, ['-n', 'dsns', 'rollout', 'history', 'ds/agent']), /REVISION[\s\S]*\n1\s[\s\S]*\n3\s/);
    assert.match(await k(ts, ['-n', 'dsns', 'rollout', 'undo', 'ds/agent', '--to-revision=1']), /rolled back/);
    await waitFor('back at agent:1', async () => {
      const pods = await livePods(env);
      return pods.length === 3 && pods.every(p => p.spec.containers[0].image === 'agent:1');
    });
    await k(ts, ['-n', 'dsns', 'rollout', 'status', 'ds/agent', '--timeout=20s']);
  });
});
