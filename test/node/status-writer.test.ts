/**
 * The agent's pod status writer against a real API server (no agent, no runc): writes are
 * merge patches of what changed with uid and resourceVersion preconditions, statuses set
 * in one turn or while a write is in flight coalesce (the latest wins), a deferred status
 * gives way to the next one, its own writes' echoes are known,
 * a conflicting writer makes it re-read, and a pod replaced under the same name is left alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { Client } from '../../src/client/index.js';
import { mergeDiff, PodStatusWriter } from '../../src/node/pods/status-writer.js';
import { startTestServer, type TestServer } from '../e2e/harness.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };
const silent = { info() {}, warn() {}, error() {} };

const status = (phase: string, extra: Partial<PodStatus> = {}): PodStatus => ({
  phase, qosClass: 'BestEffort', hostIP: '10.0.0.1', hostIPs: [{ ip: '10.0.0.1' }], startTime: '2026-01-01T00:00:00Z',
  conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }],
  containerStatuses: [{ name: 'c', image: 'docker.io/library/busybox:latest', imageID: '', ready: phase === 'Running', restartCount: 0, started: phase === 'Running',
    state: phase === 'Running' ? { running: { startedAt: '2026-01-01T00:00:01Z' } } : { waiting: { reason: 'ContainerCreating' } } }],
  ...extra,
});

describe('pod status writer (real API server)', () => {
  let ts: TestServer;
  let client: Client;
  let n = 0;
  /** A writer over `client` with a cache the test controls, and the patches' bodies as sent. */
  const writer = (cache: Map<string, Pod>) => new PodStatusWriter({ client, logger: silent, cached: (_ns, name) => cache.get(name) });
  const newPod = async (): Promise<Pod> => client.create(PODS, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `sw-${++n}` }, spec: { nodeName: 'nowhere', containers: [{ name: 'c', image: 'busybox' }] },
  } as never, { namespace: 'default' }) as Promise<Pod>;
  const read = async (name: string) => client.get(PODS, name, { namespace: 'default' }) as Promise<Pod>;

  before(async () => {
    ts = await startTestServer(['--disable-agent', '--disable-controllers', '--disable-scheduler']);
    client = Client.fromKubeconfig(ts.kubeconfig);
  });
  after(async () => {
    client?.close();
    await ts?.stop();
  });

  it('mergeDiff: changed keys, null for removed ones, lists whole, nested objects by key', () => {
    assert.deepEqual(mergeDiff({ a: 1, b: [1, 2], c: 'x', o: { p: 1, q: 2 } }, { a: 1, b: [1, 3], o: { p: 1, r: 3 } }), { b: [1, 3], c: null, o: { q: null, r: 3 } });
    assert.deepEqual(mergeDiff({ a: [1] }, { a: [1] }), {});
  });

  it('statuses set during a write coalesce: the latest is written next, the pod ends with it', async () => {
    const pod = await newPod();
    const cache = new Map([[pod.metadata!.name!, pod]]);
    const w = writer(cache);
    const watch = client.watch(PODS, { namespace: 'default', fieldSelector: `metadata.name=${pod.metadata!.name}`, resourceVersion: pod.metadata!.resourceVersion });
    // Set in one turn: one write, of the latest (the message).
    w.set(pod, status('Pending'));
    w.set(pod, status('Pending', { message: 'between' }));
    await new Promise(r => setImmediate(r)); // that write is in flight
    w.set(pod, status('Running', { podIP: '10.42.0.7', podIPs: [{ ip: '10.42.0.7' }] }));
    await w.idle();
    const got = await read(pod.metadata!.name!);
    assert.equal(got.status?.phase, 'Running');
    assert.equal(got.status?.podIP, '10.42.0.7');
    assert.equal(got.status?.message, undefined);
    assert.deepEqual(got.status?.containerStatuses?.[0]?.state, { running: { startedAt: '2026-01-01T00:00:01Z' } });
    assert.deepEqual(w.get(pod.metadata!.uid!), got.status);
    // Two writes: the first turn's latest, and the latest of what came while it was in flight.
    const seen: Array<[string, string | undefined]> = [];
    for await (const ev of watch) {
      const st = (ev.object as Pod).status!;
      seen.push([st.phase!, st.message]);
      if (ev.object.metadata!.resourceVersion === got.metadata!.resourceVersion) break;
    }
    watch.stop();
    assert.deepEqual(seen, [['Pending', 'between'], ['Running', undefined]]);
  });

  it('a deferred status is replaced by the next one (one write), written when its deferral ends, or flushed', async () => {
    const pending: Array<{ fn: () => void; ms: number }> = [];
    const timers = { set: (fn: () => void, ms: number) => { const t = { fn, ms }; pending.push(t); return t; }, clear: (t: unknown) => { pending.splice(pending.indexOf(t as never) >>> 0, 1); } };
    const w = new PodStatusWriter({ client, logger: silent, cached: () => undefined, timers });
    const rv = async (p: Pod) => (await read(p.metadata!.name!)).metadata!.resourceVersion;

    // Replaced: the pod's start ended in time, only its Running status is written.
    const started = await newPod();
    const watch = client.watch(PODS, { namespace: 'default', fieldSelector: `metadata.name=${started.metadata!.name}`, resourceVersion: started.metadata!.resourceVersion });
    w.set(started, status('Pending'), { deferMs: 5000 });
    await new Promise(r => setTimeout(r, 20));
    assert.equal(await rv(started), started.metadata!.resourceVersion, 'nothing written while deferred');
    assert.deepEqual(pending.map(t => t.ms), [5000]);
    w.set(started, status('Running'));
    assert.equal(pending.length, 0, 'the deferral ended with the newer status');
    await w.idle();
    for await (const ev of watch) {
      assert.equal((ev.object as Pod).status?.phase, 'Running', 'the first write is the Running status');
      break;
    }
    watch.stop();

    // Not replaced in time: written when the deferral ends.
    const slow = await newPod();
    w.set(slow, status('Pending'), { deferMs: 5000 });
    pending.shift()!.fn();
    await w.idle();
    assert.equal((await read(slow.metadata!.name!)).status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');

    // Flushed (an image pull began): written at once.
    const pulling = await newPod();
    w.set(pulling, status('Pending'), { deferMs: 5000 });
    w.flush(pulling.metadata!.uid!);
    assert.equal(pending.length, 0);
    await w.idle();
    assert.equal((await read(pulling.metadata!.name!)).status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');

    // Shutdown (idle) writes what is still deferred.
    const left = await newPod();
    w.set(left, status('Pending'), { deferMs: 5000 });
    await w.idle();
    assert.equal(pending.length, 0);
    assert.equal((await read(left.metadata!.name!)).status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
  });

  it('a removed field is removed (null in the patch), and a write of the same status is skipped', async () => {
    const pod = await newPod();
    const w = writer(new Map());
    w.set(pod, status('Pending', { message: 'waiting', reason: 'Because' }));
    await w.idle();
    const first = await read(pod.metadata!.name!);
    assert.equal(first.status?.reason, 'Because');
    w.set(pod, status('Pending'));
    await w.idle();
    const second = await read(pod.metadata!.name!);
    assert.equal(second.status?.reason, undefined);
    assert.equal(second.status?.message, undefined);
    w.set(pod, status('Pending'));
    await w.idle();
    assert.equal((await read(pod.metadata!.name!)).metadata!.resourceVersion, second.metadata!.resourceVersion);
  });

  it('knows the echo of its own write (only over the version the caller held)', async () => {
    const pod = await newPod();
    const w = writer(new Map());
    w.set(pod, status('Running'));
    await w.idle();
    const echo = await read(pod.metadata!.name!);
    assert.equal(w.isEcho(echo, { ...pod, metadata: { ...pod.metadata, resourceVersion: '1' } }), false, 'held another version');
    w.set(pod, status('Running', { message: 'again' }));
    await w.idle();
    const echo2 = await read(pod.metadata!.name!);
    assert.equal(w.isEcho(echo2, echo), true);
    const labelled = await client.patch(PODS, pod.metadata!.name!, { metadata: { labels: { x: 'y' } } }, { namespace: 'default' }) as Pod;
    assert.equal(w.isEcho(labelled, echo2), false, 'someone else\'s write');
  });

  it('a stale version (another writer came between) is re-read and the status still lands; the other change stays', async () => {
    const pod = await newPod();
    const w = writer(new Map([[pod.metadata!.name!, pod]])); // the cache keeps the old version
    await client.patch(PODS, pod.metadata!.name!, { metadata: { labels: { other: 'writer' } } }, { namespace: 'default' });
    w.set(pod, status('Running'));
    await w.idle();
    const got = await read(pod.metadata!.name!);
    assert.equal(got.status?.phase, 'Running');
    assert.equal(got.metadata?.labels?.other, 'writer');
  });

  it('a condition another writer set after the status was computed (readiness gate, DisruptionTarget) survives the write', async () => {
    const pod = await newPod();
    const name = pod.metadata!.name!;
    const w = writer(new Map());
    w.set(pod, status('Pending'));
    await w.idle();
    // A controller sets its conditions (status subresource) after the agent computed its next status from `pod`.
    const gate = { type: 'example.com/gate', status: 'True', lastTransitionTime: '2026-01-01T00:00:02Z' };
    const disruption = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', lastTransitionTime: '2026-01-01T00:00:03Z' };
    const current = await read(name);
    await client.patch(PODS, name, { status: { conditions: [...current.status!.conditions!, gate, disruption] } }, { namespace: 'default', subresource: 'status', type: 'merge' });
    w.set(pod, status('Running'));
    await w.idle();
    const got = await read(name);
    assert.equal(got.status?.phase, 'Running');
    const types = got.status!.conditions!.map(c => c.type);
    assert.deepEqual(got.status!.conditions!.find(c => c.type === 'Ready')?.status, 'True');
    assert.ok(types.includes('example.com/gate') && types.includes('DisruptionTarget'), `conditions kept: ${types.join(',')}`);
  });

  it('a failing write (422) is retried with a back-off doubling to the cap, warned once, reset by a success; a 404 ends the retries', async () => {
    const pod = await newPod();
    const uid = pod.metadata!.uid!;
    // Timers the test fires itself: no waiting, and every delay asked for is seen.
    const pending: Array<{ fn: () => void; ms: number }> = [];
    const timers = { set: (fn: () => void, ms: number) => { const t = { fn, ms }; pending.push(t); return t; }, clear: (t: unknown) => { pending.splice(pending.indexOf(t as never) >>> 0, 1); } };
    const warnings: unknown[] = [];
    const w = new PodStatusWriter({ client, logger: { ...silent, warn: (_m: string, f?: unknown) => { warnings.push(f); } }, cached: () => undefined, retryBaseMs: 500, retryMaxMs: 10_000, timers });
    const bad = status('Running', { podIP: 'not-an-ip', podIPs: [{ ip: 'not-an-ip' }] }); // Invalid every time
    w.set(pod, bad);
    await w.idle();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      assert.equal(pending.length, 1, 'one retry waits');
      delays.push(pending[0]!.ms);
      assert.equal(w.retryDelay(uid), pending[0]!.ms);
      pending.shift()!.fn();
      await w.idle();
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    assert.equal(warnings.length, 1, 'one warning for the run of failures');
    // A good status is written at once (not after the back-off), and the success resets it.
    w.set(pod, status('Running'));
    await w.idle();
    assert.equal((await read(pod.metadata!.name!)).status?.phase, 'Running');
    assert.equal(pending.length, 0, 'no retry after a success');
    assert.equal(w.retryDelay(uid), undefined);
    w.set(pod, bad);
    await w.idle();
    assert.deepEqual(pending.map(t => t.ms), [500], 'the back-off starts over');
    // The pod is gone: the retry gets a 404 and nothing more is tried.
    await client.delete(PODS, pod.metadata!.name!, { namespace: 'default', gracePeriodSeconds: 0 });
    pending.shift()!.fn();
    await w.idle();
    assert.equal(pending.length, 0, 'no retry for a pod that is gone');
    assert.equal(w.get(uid), undefined);
  });

  it('status fields the agent does not build (nominatedNodeName, resize, resourceClaimStatuses, newer ones) stay as the API has them', async () => {
    const pod = await newPod();
    const name = pod.metadata!.name!;
    const w = writer(new Map());
    w.set(pod, status('Pending'));
    await w.idle();
    // Other writers set their fields after the agent computed its next status from `pod`.
    const theirs = { nominatedNodeName: 'node-b', resize: 'Proposed', resourceClaimStatuses: [{ name: 'gpu', resourceClaimName: 'gpu-claim' }] };
    await client.patch(PODS, name, { status: theirs }, { namespace: 'default', subresource: 'status', type: 'merge' });
    w.set(pod, status('Running'));
    await w.idle();
    const got = await read(name);
    assert.equal(got.status?.phase, 'Running');
    assert.equal(got.status?.nominatedNodeName, 'node-b');
    assert.equal(got.status?.resize, 'Proposed');
    assert.deepEqual(got.status?.resourceClaimStatuses, theirs.resourceClaimStatuses);
    // Fields the agent owns still go when it no longer reports them.
    w.set(pod, status('Running', { message: 'm' }));
    await w.idle();
    w.set(pod, status('Running'));
    await w.idle();
    const after2 = await read(name);
    assert.equal(after2.status?.message, undefined);
    assert.equal(after2.status?.nominatedNodeName, 'node-b');
  });

  it('a pod deleted and created again under its name does not get the old pod\'s status', async () => {
    const pod = await newPod();
    const name = pod.metadata!.name!;
    await client.delete(PODS, name, { namespace: 'default', gracePeriodSeconds: 0 });
    const again = await client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'nowhere', containers: [{ name: 'c', image: 'busybox' }] } } as never, { namespace: 'default' }) as Pod;
    const w = writer(new Map([[name, pod]])); // the old version, still cached
    w.set(pod, status('Running'));
    await w.idle();
    const got = await read(name);
    assert.equal(got.metadata?.uid, again.metadata?.uid);
    assert.notEqual(got.status?.phase, 'Running');
    assert.equal(w.get(pod.metadata!.uid!), undefined, 'the old pod was forgotten');
  });
});
