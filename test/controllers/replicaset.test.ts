/**
 * ReplicaSet and ReplicationController controllers, end to end with the real kubectl:
 * cookie-cutter creation, self-healing, adoption of orphans, release of pods whose labels
 * change, scale-down order, status, events.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';
import { FakePodReadiness, apply, items, kjson, names, waitFor } from './controller-utils-testing.js';

const rsYaml = (name: string, replicas: number, extra = '') => `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
${extra}  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}, tier: web}}
    spec: {containers: [{name: main, image: nginx:1.25}]}
`;

const podYaml = (name: string, app: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: ${app}}}
spec: {containers: [{name: main, image: busybox}]}
`;

describe('ReplicaSet and ReplicationController controllers (e2e, kubectl)', () => {
  let ts: TestServer;
  let ready: FakePodReadiness;
  before(async () => {
    ts = await startTestServer(['--disable-agent', '--disable-scheduler']);
    ready = new FakePodReadiness(ts);
  });
  after(async () => { await ready?.stop(); await ts?.stop(); });

  const podsOf = async (app: string) => (await items(ts, ['get', 'pods', '-l', `app=${app}`])).filter(p => !p.metadata!.deletionTimestamp);
  const eventsFor = async (kind: string, name: string) =>
    (await items(ts, ['get', 'events', '--field-selector', `involvedObject.kind=${kind},involvedObject.name=${name}`])).map(e => `${e.reason}: ${e.message}`);

  it('adopts a matching orphan, creates the rest, and reports status', async () => {
    await apply(ts, podYaml('stray', 'rs1'));
    await apply(ts, rsYaml('rs1', 3));
    const rs = await kjson(ts, ['get', 'rs', 'rs1']);
    const pods = await waitFor('3 pods', async () => { const p = await podsOf('rs1'); return p.length === 3 && p; });
    assert.ok(names(pods).includes('stray'), 'the orphan is kept');
    for (const p of pods) {
      const ref = p.metadata!.ownerReferences?.[0];
      assert.deepEqual([ref?.kind, ref?.name, ref?.uid, ref?.controller, ref?.blockOwnerDeletion], ['ReplicaSet', 'rs1', rs.metadata!.uid, true, true], p.metadata!.name);
      if (p.metadata!.name !== 'stray') assert.match(p.metadata!.name!, /^rs1-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    }
    const ev = await eventsFor('ReplicaSet', 'rs1');
    assert.equal(ev.filter(e => e.startsWith('SuccessfulCreate: Created pod: rs1-')).length, 2, ev.join('\n'));
    // The adopted pod lacks the template's tier label: not "fully labeled".
    const st = await waitFor('status', async () => {
      const s = (await kjson(ts, ['get', 'rs', 'rs1'])).status;
      return s?.readyReplicas === 3 && s?.availableReplicas === 3 && s;
    });
    assert.deepEqual([st.replicas, st.fullyLabeledReplicas, st.observedGeneration], [3, 2, 1]);
    assert.match(await k(ts, ['get', 'rs', 'rs1']), /rs1\s+3\s+3\s+3/);
  });

  it('replaces a deleted pod (self-healing)', async () => {
    const before = names(await podsOf('rs1'));
    await k(ts, ['delete', 'pod', before[0]!]);
    const now = await waitFor('a replacement', async () => {
      const p = names(await podsOf('rs1'));
      return p.length === 3 && !p.includes(before[0]!) && p;
    });
    assert.equal(now.filter(n => !before.includes(n)).length, 1);
  });

  it('releases a pod whose labels stop matching, and replaces it', async () => {
    const victim = names(await podsOf('rs1')).find(n => n !== 'stray')!;
    await k(ts, ['label', 'pod', victim, 'app=elsewhere', '--overwrite']);
    await waitFor('released', async () => !(await kjson(ts, ['get', 'pod', victim])).metadata!.ownerReferences);
    const pods = await waitFor('3 matching pods', async () => { const p = await podsOf('rs1'); return p.length === 3 && p; });
    assert.ok(!names(pods).includes(victim));
    await k(ts, ['delete', 'pod', victim]);
  });

  it('scales down not-ready pods first, with SuccessfulDelete events', async t => {
    ready.paused = true;
    t.after(() => ready.resume());
    await k(ts, ['scale', 'rs/rs1', '--replicas=4']);
    const fresh = await waitFor('a 4th pod', async () => {
      const p = await podsOf('rs1');
      return p.length === 4 && p.find(x => !(x.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'));
    });
    await k(ts, ['scale', 'rs/rs1', '--replicas=3']);
    await waitFor('the not-ready pod deleted', async () => !names(await podsOf('rs1')).includes(fresh.metadata!.name!));
    assert.equal((await podsOf('rs1')).length, 3);
    assert.ok((await eventsFor('ReplicaSet', 'rs1')).includes(`SuccessfulDelete: Deleted pod: ${fresh.metadata!.name}`));
  });

  it('counts pods available only after minReadySeconds', async () => {
    await apply(ts, rsYaml('slow', 2, '  minReadySeconds: 3\n'));
    const s1 = await waitFor('ready', async () => { const s = (await kjson(ts, ['get', 'rs', 'slow'])).status; return s?.readyReplicas === 2 && s; });
    assert.ok(!s1.availableReplicas, 'not available right after turning ready');
    await waitFor('available', async () => (await kjson(ts, ['get', 'rs', 'slow'])).status?.availableReplicas === 2, 15_000);
  });

  it('reports failing creates as FailedCreate events and the ReplicaFailure condition, until they succeed', async () => {
    const broken = (pc: string) => `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: broken}
spec:
  replicas: 2
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: broken}}
    spec: {${pc}containers: [{name: main, image: nginx:1.25}]}
`;
    await apply(ts, broken('priorityClassName: does-not-exist, '));
    const cond = await waitFor('ReplicaFailure', async () =>
      (await kjson(ts, ['get', 'rs', 'broken'])).status?.conditions?.find((c: { type: string }) => c.type === 'ReplicaFailure'));
    assert.deepEqual([cond.status, cond.reason], ['True', 'FailedCreate']);
    assert.match(cond.message, /no PriorityClass with name does-not-exist was found/);
    const ev = await eventsFor('ReplicaSet', 'broken');
    assert.ok(ev.some(e => /^FailedCreate: Error creating: .*no PriorityClass with name does-not-exist was found/.test(e)), ev.join('\n'));
    await apply(ts, broken(''));
    await waitFor('2 pods and no failure', async () => {
      const rs = await kjson(ts, ['get', 'rs', 'broken']);
      return rs.status?.replicas === 2 && !rs.status?.conditions;
    });
  });

  it('runs ReplicationControllers the same way (kubectl scale, owner refs)', async () => {
    await apply(ts, `apiVersion: v1
kind: ReplicationController
metadata: {name: rc1}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: rc1}}
    spec: {containers: [{name: main, image: nginx:1.25}]}
`);
    const rc = await kjson(ts, ['get', 'rc', 'rc1']);
    let pods = await waitFor('2 pods', async () => { const p = await podsOf('rc1'); return p.length === 2 && p; });
    for (const p of pods) {
      const ref = p.metadata!.ownerReferences![0]!;
      assert.deepEqual([ref.apiVersion, ref.kind, ref.uid, ref.controller], ['v1', 'ReplicationController', rc.metadata!.uid, true]);
    }
    await k(ts, ['scale', 'rc/rc1', '--replicas=3']);
    pods = await waitFor('3 pods', async () => { const p = await podsOf('rc1'); return p.length === 3 && p; });
    await waitFor('rc status', async () => {
      const s = (await kjson(ts, ['get', 'rc', 'rc1'])).status;
      return s?.replicas === 3 && s.readyReplicas === 3 && s.availableReplicas === 3 && s.fullyLabeledReplicas === 3;
    });
    assert.ok((await eventsFor('ReplicationController', 'rc1')).some(e => e.startsWith('SuccessfulCreate: Created pod: rc1-')));
  });
});
