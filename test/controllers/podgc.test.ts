/** Pod GC e2e: a small terminated-pod threshold, short quarantine, fake nodes. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { startPodGCController } from '../../src/controllers/podgc.js';
import { k } from '../e2e/harness.js';
import {
  NODE, POD, apply, bindPod, createFakeNode, fakeKubeletSetPodStatus, listPods, sleep, startEnv, waitFor, type Env,
} from './index-b-harness.js';

const NS = 'gc';
const pod = (name: string, extra = '') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${NS}${extra}}
spec:
  containers: [{name: c, image: busybox}]
`;
const names = async (env: Env) => (await listPods(env.client, NS)).map(p => p.metadata!.name).join(',');
const gone = async (env: Env, name: string) => !(await listPods(env.client, NS)).some(p => p.metadata!.name === name);

describe('pod GC', () => {
  let env: Env;
  before(async () => {
    env = await startEnv(ctx => [startPodGCController(ctx, { terminatedPodThreshold: 2, periodMs: 200, quarantineMs: 1000 })]);
    await k(env.ts, ['create', 'ns', NS]);
  });
  after(async () => { await env?.stop(); });

  it('deletes the oldest terminated pods beyond the threshold', async () => {
    for (let i = 0; i < 4; i++) {
      await apply(env.ts, pod(`done-${i}`));
      await sleep(1100); // creation timestamps have second precision
    }
    await apply(env.ts, pod('running'));
    await fakeKubeletSetPodStatus(env.client, NS, 'running', { phase: 'Running' });
    for (let i = 3; i >= 0; i--) await fakeKubeletSetPodStatus(env.client, NS, `done-${i}`, { phase: i % 2 ? 'Failed' : 'Succeeded' });
    await waitFor('two oldest gone', async () => (await names(env)) === 'done-2,done-3,running');
    await sleep(500);
    assert.equal(await names(env), 'done-2,done-3,running');
    for (const p of ['done-2', 'done-3']) await env.client.delete(POD, p, { namespace: NS });
  });

  it('marks pods on a deleted node Failed (DisruptionTarget) and deletes them after the quarantine', async () => {
    await createFakeNode(env.client, 'fake-doomed');
    await apply(env.ts, pod('orphan'));
    await bindPod(env.client, NS, 'orphan', 'fake-doomed');
    await fakeKubeletSetPodStatus(env.client, NS, 'orphan', { phase: 'Running' });
    const seen: KubeObject[] = [];
    const list = await env.client.list(POD, { namespace: NS });
    const w = env.client.watch(POD, { namespace: NS, resourceVersion: list.metadata.resourceVersion });
    const watching = (async () => { try { for await (const ev of w) if (ev.object.metadata!.name === 'orphan') seen.push(ev.object); } catch { /* stopped */ } })();
    await env.client.delete(NODE, 'fake-doomed');
    await sleep(500);
    assert.ok(!(await gone(env, 'orphan')), 'kept during the quarantine');
    await waitFor('orphan gone', async () => gone(env, 'orphan'), 10_000);
    w.stop();
    await watching;
    const failed = seen.find(p => p.status?.phase === 'Failed');
    assert.ok(failed, 'marked Failed before deletion');
    const dt = (failed.status.conditions as Array<{ type: string; reason: string; message: string }>).find(c => c.type === 'DisruptionTarget');
    assert.equal(dt?.reason, 'DeletionByPodGC');
    assert.equal(dt?.message, 'PodGC: node no longer exists');
  });

  it('force-deletes terminating pods that were never scheduled', async () => {
    await apply(env.ts, pod('stuck', ', finalizers: [example.com/hold]'));
    await k(env.ts, ['-n', NS, 'delete', 'pod', 'stuck', '--wait=false']);
    await waitFor('marked Failed', async () => (await env.client.get(POD, 'stuck', { namespace: NS })).status?.phase === 'Failed');
    await env.client.patch(POD, 'stuck', { metadata: { finalizers: null } }, { namespace: NS });
    await waitFor('gone', async () => gone(env, 'stuck'));
  });

  it('force-deletes terminating pods on a not-ready node tainted out-of-service', async () => {
    await createFakeNode(env.client, 'fake-oos', { ready: false, taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] });
    await createFakeNode(env.client, 'fake-down', { ready: false });
    for (const [p, n] of [['oos', 'fake-oos'], ['down', 'fake-down']]) {
      await apply(env.ts, pod(p));
      await bindPod(env.client, NS, p, n);
      await fakeKubeletSetPodStatus(env.client, NS, p, { phase: 'Running' });
      await k(env.ts, ['-n', NS, 'delete', 'pod', p, '--wait=false']);
    }
    await waitFor('oos pod gone', async () => gone(env, 'oos'));
    await sleep(500);
    assert.ok((await env.client.get(POD, 'down', { namespace: NS })).metadata?.deletionTimestamp, 'without the taint it stays Terminating');
  });
});
