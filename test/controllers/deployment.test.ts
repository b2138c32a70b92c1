/**
 * Deployment controller, end to end: a real `kubeling server` (controllers included),
 * the real kubectl, and test-only fake readiness standing in for the kubelet.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';
import { FakePodReadiness, apply, deploymentYaml, items, kjson, names, waitFor } from './controller-utils-testing.js';

const REV = 'deployment.kubernetes.io/revision';
const SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]';

describe('Deployment controller (e2e, kubectl)', () => {
  let ts: TestServer;
  let ready: FakePodReadiness;
  before(async () => {
    ts = await startTestServer(['--disable-agent', '--disable-scheduler']);
    ready = new FakePodReadiness(ts);
  });
  after(async () => { await ready?.stop(); await ts?.stop(); });

  const setsOf = async (app: string) => (await items(ts, ['get', 'rs', '-l', `app=${app}`]))
    .sort((a, b) => Number(a.metadata!.annotations![REV]) - Number(b.metadata!.annotations![REV]));
  const podsOf = async (app: string) => (await items(ts, ['get', 'pods', '-l', `app=${app}`])).filter(p => !p.metadata!.deletionTimestamp);
  const eventsFor = async (kind: string, name: string) =>
    (await items(ts, ['get', 'events', '--field-selector', `involvedObject.kind=${kind},involvedObject.name=${name}`]))
      .map(e => `${e.reason}: ${e.message}`);

  it('runs the controller manager under the kube-controller-manager Lease', async () => {
    // The controller manager starts (in its thread) after the API server is ready.
    const lease = await waitFor('the controller manager Lease', () => kjson(ts, ['-n', 'kube-system', 'get', 'lease', 'kube-controller-manager']).catch(() => undefined));
    assert.ok(lease.spec.holderIdentity, 'someone holds the lease');
    assert.equal(lease.spec.leaseDurationSeconds, 15);
  });

  it('creates its ReplicaSet and pods, and completes once the pods are ready', async t => {
    ready.paused = true;
    t.after(() => ready.resume());
    await apply(ts, deploymentYaml({ name: 'web', replicas: 3 }));
    const [rs] = await waitFor('one ReplicaSet', async () => { const s = await setsOf('web'); return s.length === 1 && s; });
    const rsName = rs!.metadata!.name!;
    const hash = rs!.metadata!.labels!['pod-template-hash']!;
    assert.equal(rsName, `web-${hash}`);
    assert.match(hash, new RegExp(`^${SUFFIX}+$`));
    assert.deepEqual(rs!.spec.selector.matchLabels, { app: 'web', 'pod-template-hash': hash });
    assert.equal(rs!.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(rs!.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '4');
    assert.equal(rs!.metadata!.annotations![REV], '1');
    const owner = rs!.metadata!.ownerReferences![0]!;
    assert.deepEqual([owner.kind, owner.name, owner.controller, owner.blockOwnerDeletion], ['Deployment', 'web', true, true]);

    const pods = await waitFor('3 pods', async () => { const p = await podsOf('web'); return p.length === 3 && p; });
    for (const p of pods) {
      assert.match(p.metadata!.name!, new RegExp(`^${rsName}-${SUFFIX}{5}$`));
      assert.equal(p.metadata!.labels!['pod-template-hash'], hash);
      const ref = p.metadata!.ownerReferences![0]!;
      assert.deepEqual([ref.kind, ref.name, ref.uid, ref.controller, ref.blockOwnerDeletion], ['ReplicaSet', rsName, rs!.metadata!.uid, true, true]);
    }
    const d0 = await kjson(ts, ['get', 'deploy', 'web']);
    assert.equal(d0.metadata!.annotations![REV], '1');

    ready.resume();
    const out = await k(ts, ['rollout', 'status', 'deploy/web', '--timeout=60s']);
    assert.match(out, /deployment "web" successfully rolled out/);
    const d = await kjson(ts, ['get', 'deploy', 'web']);
    assert.equal(d.status.replicas, 3);
    assert.equal(d.status.updatedReplicas, 3);
    assert.equal(d.status.readyReplicas, 3);
    assert.equal(d.status.availableReplicas, 3);
    assert.equal(d.status.observedGeneration, d.metadata!.generation);
    const cond = (t: string) => d.status.conditions.find((c: { type: string }) => c.type === t);
    assert.deepEqual([cond('Available').status, cond('Available').reason], ['True', 'MinimumReplicasAvailable']);
    assert.deepEqual([cond('Progressing').status, cond('Progressing').reason, cond('Progressing').message],
      ['True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`]);
    assert.ok((await eventsFor('Deployment', 'web')).includes(`ScalingReplicaSet: Scaled up replica set ${rsName} from 0 to 3`));
    const rsEvents = await eventsFor('ReplicaSet', rsName);
    for (const p of pods) assert.ok(rsEvents.includes(`SuccessfulCreate: Created pod: ${p.metadata!.name}`), rsEvents.join('\n'));
    const rsNow = await kjson(ts, ['get', 'rs', rsName]);
    assert.deepEqual([rsNow.status.replicas, rsNow.status.fullyLabeledReplicas, rsNow.status.readyReplicas, rsNow.status.availableReplicas],
      [3, 3, 3, 3]);
  });

  it('scales up and down with kubectl scale', async () => {
    const [rs] = await setsOf('web');
    const rsName = rs!.metadata!.name!;
    await k(ts, ['scale', 'deploy/web', '--replicas=5']);
    await waitFor('5 pods', async () => (await podsOf('web')).length === 5);
    await k(ts, ['rollout', 'status', 'deploy/web', '--timeout=60s']);
    await k(ts, ['scale', 'deploy/web', '--replicas=2']);
    await waitFor('2 pods', async () => (await podsOf('web')).length === 2);
    await k(ts, ['rollout', 'status', 'deploy/web', '--timeout=60s']);
    const ev = await eventsFor('Deployment', 'web');
    assert.ok(ev.includes(`ScalingReplicaSet: Scaled up replica set ${rsName} from 3 to 5`), ev.join('\n'));
    assert.ok(ev.includes(`ScalingReplicaSet: Scaled down replica set ${rsName} from 5 to 2`), ev.join('\n'));
    const rsEvents = await eventsFor('ReplicaSet', rsName);
    assert.equal(rsEvents.filter(e => e.startsWith('SuccessfulDelete: Deleted pod: ')).length, 3);
    const after = await kjson(ts, ['get', 'rs', rsName]);
    assert.equal(after.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '2');
  });

  it('rolls out a new image, lists history, and rolls back with rollout undo', async () => {
    await k(ts, ['set', 'image', 'deploy/web', 'main=nginx:1.26']);
    await k(ts, ['rollout', 'status', 'deploy/web', '--timeout=60s']);
    let [oldRS, newRS] = await setsOf('web');
    assert.equal(newRS!.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.deepEqual([oldRS!.spec.replicas, newRS!.spec.replicas], [0, 2]);
    assert.deepEqual([oldRS!.metadata!.annotations![REV], newRS!.metadata!.annotations![REV]], ['1', '2']);
    assert.equal((await kjson(ts, ['get', 'deploy', 'web'])).metadata!.annotations![REV], '2');
    const pods = await podsOf('web');
    assert.deepEqual(pods.map(p => p.metadata!.labels!['pod-template-hash']), [newRS!.metadata!.labels!['pod-template-hash'], newRS!.metadata!.labels!['pod-template-hash']]);
    const ev = await eventsFor('Deployment', 'web');
    assert.ok(ev.includes(`ScalingReplicaSet: Scaled up replica set ${newRS!.metadata!.name} from 0 to 1`), ev.join('\n'));
    assert.ok(ev.some(e => e.startsWith(`ScalingReplicaSet: Scaled down replica set ${oldRS!.metadata!.name} from 2 to`)), ev.join('\n'));

    const history = await k(ts, ['rollout', 'history', 'deploy/web']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    assert.match(await k(ts, ['rollout', 'history', 'deploy/web', '--revision=1']), /Image:\s+nginx:1\.25/);

    assert.match(await k(ts, ['rollout', 'undo', 'deploy/web']), /deployment.apps\/web rolled back/);
    await k(ts, ['rollout', 'status', 'deploy/web', '--timeout=60s']);
    const d = await kjson(ts, ['get', 'deploy', 'web']);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.25');
    assert.equal(d.metadata!.annotations![REV], '3');
    const sets = await setsOf('web');
    assert.equal(sets.length, 2, 'the old ReplicaSet is reused, not a third one');
    [newRS, oldRS] = sets;
    assert.equal(oldRS!.spec.template.spec.containers[0].image, 'nginx:1.25');
    assert.deepEqual([oldRS!.metadata!.annotations![REV], oldRS!.metadata!.annotations!['deployment.kubernetes.io/revision-history']], ['3', '1']);
    assert.deepEqual([oldRS!.spec.replicas, newRS!.spec.replicas], [2, 0]);
    assert.match(await k(ts, ['rollout', 'history', 'deploy/web']), /\n2\s+<none>\n3\s+<none>/);
  });

  it('pause holds a rollout back, resume lets it finish; restart rolls new pods', async () => {
    await k(ts, ['rollout', 'pause', 'deploy/web']);
    await k(ts, ['set', 'image', 'deploy/web', 'main=nginx:1.27']);
    await waitFor('DeploymentPaused', async () => {
      const d = await kjson(ts, ['get', 'deploy', 'web']);
      return d.status.conditions.some((c: { reason: string; status: string }) => c.reason === 'DeploymentPaused' && c.status === 'Unknown')
        && d.status.observedGeneration === d.metadata!.generation;
    });
    assert.equal((await setsOf('web')).length, 2, 'no new ReplicaSet while paused');
    await k(ts, ['rollout', 'resume', 'deploy/web']);
    await k(ts, ['rollout', 'status', 'deploy/web', '--timeout=60s']);
    const sets = await setsOf('web');
    assert.equal(sets.length, 3);
    assert.equal(sets[2]!.spec.template.spec.containers[0].image, 'nginx:1.27');

    await k(ts, ['rollout', 'restart', 'deploy/web']);
    await k(ts, ['rollout', 'status', 'deploy/web', '--timeout=60s']);
    const latest = (await setsOf('web')).at(-1)!;
    assert.ok(latest.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
    assert.equal(latest.spec.replicas, 2);
    const pods = await podsOf('web');
    assert.deepEqual(names(pods).map(n => n.startsWith(latest.metadata!.name! + '-')), [true, true]);
  });

  it('cleans up ReplicaSets beyond revisionHistoryLimit', async () => {
    await k(ts, ['patch', 'deploy/web', '-p', '{"spec":{"revisionHistoryLimit":1}}']);
    await waitFor('one old ReplicaSet kept', async () => (await setsOf('web')).length === 2);
    const sets: KubeObject[] = await setsOf('web');
    assert.equal(sets[1]!.spec.replicas, 2);
  });
});
