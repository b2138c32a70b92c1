/**
 * Garbage collector, end to end: `kubectl delete` with each cascade mode leaves exactly
 * what upstream leaves, and dangling owner references are collected for any kind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';
import { FakePodReadiness, apply, deploymentYaml, items, kjson, names, waitFor } from './controller-utils-testing.js';

describe('garbage collector (e2e, kubectl)', () => {
  let ts: TestServer;
  let ready: FakePodReadiness;
  before(async () => {
    ts = await startTestServer(['--disable-agent', '--disable-scheduler']);
    ready = new FakePodReadiness(ts);
  });
  after(async () => { await ready?.stop(); await ts?.stop(); });

  const setsOf = (app: string) => items(ts, ['get', 'rs', '-l', `app=${app}`]);
  const podsOf = (app: string) => items(ts, ['get', 'pods', '-l', `app=${app}`]);
  const rollout = async (name: string) => {
    await apply(ts, deploymentYaml({ name, replicas: 2 }));
    await k(ts, ['rollout', 'status', `deploy/${name}`, '--timeout=60s']);
  };

  it('background (the default): the Deployment goes at once, its ReplicaSet and pods after it', async () => {
    await rollout('bg');
    assert.match(await k(ts, ['delete', 'deploy', 'bg']), /deployment.apps "bg" deleted/);
    await waitFor('dependents collected', async () => (await setsOf('bg')).length === 0 && (await podsOf('bg')).length === 0);
  });

  it('foreground: the owner waits, marked, until its dependents are gone', async () => {
    await rollout('fg');
    ready.paused = true; // keep the pods from being replaced while we look
    try {
      await k(ts, ['delete', 'deploy', 'fg', '--cascade=foreground', '--wait=false']);
      const marked = await kjson(ts, ['get', 'deploy', 'fg']).catch(() => undefined);
      if (marked) {
        // Caught mid-deletion (usually): marked, with the finalizer the collector removes
        // (kubeling's API server may briefly show it without, just before removing it).
        assert.ok(marked.metadata!.deletionTimestamp);
        if (marked.metadata!.finalizers) assert.deepEqual(marked.metadata!.finalizers, ['foregroundDeletion']);
      }
    } finally { ready.resume(); }
    await apply(ts, deploymentYaml({ name: 'fg2', replicas: 2 }));
    await k(ts, ['rollout', 'status', 'deploy/fg2', '--timeout=60s']);
    // kubectl waits for the owner to disappear; by then nothing it owned is left.
    await k(ts, ['delete', 'deploy', 'fg2', '--cascade=foreground', '--timeout=60s']);
    assert.deepEqual([(await setsOf('fg2')).length, (await podsOf('fg2')).length], [0, 0]);
    await waitFor('fg gone', async () => (await ts.kubectl(['get', 'deploy', 'fg'])).code !== 0);
    assert.deepEqual([(await setsOf('fg')).length, (await podsOf('fg')).length], [0, 0]);
  });

  it('orphan: the Deployment goes, its ReplicaSet stays (unowned) and keeps its pods', async () => {
    await rollout('or');
    const [rs] = await setsOf('or');
    const podsBefore = names(await podsOf('or'));
    await k(ts, ['delete', 'deploy', 'or', '--cascade=orphan', '--timeout=60s']);
    assert.notEqual((await ts.kubectl(['get', 'deploy', 'or'])).code, 0);
    const rsAfter = await kjson(ts, ['get', 'rs', rs!.metadata!.name!]);
    assert.equal(rsAfter.metadata!.ownerReferences, undefined);
    assert.deepEqual(rsAfter.metadata!.finalizers, undefined);
    const pods = await podsOf('or');
    assert.deepEqual(names(pods), podsBefore);
    for (const p of pods) assert.equal(p.metadata!.ownerReferences![0]!.uid, rs!.metadata!.uid);

    // Orphaning a ReplicaSet leaves its pods unowned (and nothing recreates them).
    await k(ts, ['delete', 'rs', rs!.metadata!.name!, '--cascade=orphan', '--timeout=60s']);
    const left = await podsOf('or');
    assert.deepEqual(names(left), podsBefore);
    for (const p of left) assert.equal(p.metadata!.ownerReferences, undefined);
    await k(ts, ['delete', 'pods', '-l', 'app=or']);
  });

  it('collects objects of any kind whose owners are gone, and drops only the dangling reference when one owner remains', async () => {
    const cm = (name: string, owners: Array<{ name: string; uid: string }>) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  ownerReferences:
${owners.map(o => `  - {apiVersion: v1, kind: ConfigMap, name: ${o.name}, uid: ${o.uid}}`).join('\n')}
`;
    await k(ts, ['create', 'configmap', 'owner-a']);
    await k(ts, ['create', 'configmap', 'owner-b']);
    const a = await kjson(ts, ['get', 'cm', 'owner-a']);
    const b = await kjson(ts, ['get', 'cm', 'owner-b']);
    const refA = { name: 'owner-a', uid: a.metadata!.uid! }, refB = { name: 'owner-b', uid: b.metadata!.uid! };
    await apply(ts, cm('child-of-a', [refA]));
    await apply(ts, cm('child-of-both', [refA, refB]));
    await apply(ts, cm('child-of-nobody', [{ name: 'never-was', uid: '00000000-0000-0000-0000-000000000000' }]));
    await waitFor('child-of-nobody collected', async () => (await ts.kubectl(['get', 'cm', 'child-of-nobody'])).code !== 0);
    await sleepMs(500);
    assert.equal((await ts.kubectl(['get', 'cm', 'child-of-a'])).code, 0, 'an owned object with a live owner stays');

    await k(ts, ['delete', 'cm', 'owner-a']);
    await waitFor('child-of-a collected', async () => (await ts.kubectl(['get', 'cm', 'child-of-a'])).code !== 0);
    const both: KubeObject = await waitFor('dangling ref dropped', async () => {
      const o = await kjson(ts, ['get', 'cm', 'child-of-both']);
      return o.metadata!.ownerReferences?.length === 1 && o;
    });
    assert.equal(both.metadata!.ownerReferences![0]!.uid, refB.uid);
  });
});

const sleepMs = (ms: number) => new Promise(r => setTimeout(r, ms));
