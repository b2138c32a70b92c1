/** The event recorder against a real API server: core/v1 Events, dedupe into count, never throwing. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.js';
import { Client, EventRecorder } from '../../src/client/index.js';
import { PODS, pod, quiet, startCluster, type TestCluster } from './helpers.js';

const EVENTS = { apiVersion: 'v1', kind: 'Event' };

describe('EventRecorder (real API server)', () => {
  let c: TestCluster;
  before(async () => { c = await startCluster(); });
  after(async () => { await c.cleanup(); });

  it('writes one Event per distinct occurrence and counts repeats', async () => {
    const client = c.client('scheduler');
    const p = await client.create<KubeObject>(PODS, pod('web-1'));
    const rec = new EventRecorder({ client, component: 'default-scheduler', host: 'node-a', logger: quiet });
    rec.event(p, 'Warning', 'FailedScheduling', '0/3 nodes are available');
    rec.event(p, 'Warning', 'FailedScheduling', '0/3 nodes are available');
    rec.event(p, 'Warning', 'FailedScheduling', '0/3 nodes are available');
    rec.event(p, 'Normal', 'Scheduled', 'Successfully assigned default/web-1 to n1', { fieldPath: 'spec' });
    await rec.flush();
    const list = await client.list<KubeObject>(EVENTS, { namespace: 'default' });
    const byReason = new Map(list.items.map(e => [e.reason as string, e]));
    assert.equal(list.items.length, 2);
    const failed = byReason.get('FailedScheduling')!;
    assert.equal(failed.count, 3);
    assert.equal(failed.type, 'Warning');
    assert.match(failed.metadata!.name!, /^web-1\.[0-9a-f]+$/);
    assert.deepEqual(failed.involvedObject, {
      kind: 'Pod', namespace: 'default', name: 'web-1', uid: p.metadata!.uid, apiVersion: 'v1', resourceVersion: p.metadata!.resourceVersion,
    });
    assert.deepEqual(failed.source, { component: 'default-scheduler', host: 'node-a' });
    assert.equal(failed.reportingComponent, 'default-scheduler');
    assert.equal(failed.reportingInstance, 'node-a');
    assert.match(failed.firstTimestamp as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok((failed.lastTimestamp as string) >= (failed.firstTimestamp as string));
    const scheduled = byReason.get('Scheduled')!;
    assert.equal(scheduled.count, 1);
    assert.equal((scheduled.involvedObject as { fieldPath?: string }).fieldPath, 'spec');
  });

  it('files events about cluster-scoped objects in "default", and never throws at the caller', async () => {
    const client = c.client();
    const rec = new EventRecorder({ client, component: 'node-controller', logger: quiet });
    rec.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n9', uid: 'u9' } }, 'Normal', 'RegisteredNode', 'Node n9 registered');
    await rec.flush();
    const evs = await client.list<KubeObject>(EVENTS, { namespace: 'default', fieldSelector: 'involvedObject.name=n9' });
    assert.equal(evs.items.length, 1);

    const dead = new Client({ url: 'http://127.0.0.1:1' });
    const broken = new EventRecorder({ client: dead, component: 'x', logger: quiet });
    assert.doesNotThrow(() => broken.event({ metadata: { name: 'p', namespace: 'default' } }, 'Normal', 'R', 'm'));
    assert.doesNotThrow(() => broken.event(null as unknown as KubeObject, 'Normal', 'R', 'm'));
    await broken.flush();
    dead.close();
  });

  it('drops events beyond its queue (as client-go\'s broadcaster does) and says so once, with the count', async () => {
    const client = c.client('flood');
    const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
    const logger = { ...quiet, warn: (msg: string, fields?: Record<string, unknown>) => { warnings.push({ msg, fields }); } };
    const rec = new EventRecorder({ client, component: 'flooder', logger, maxQueued: 3, concurrency: 1 });
    // The first write leaves the queue at once; three wait; the other sixteen are dropped.
    for (let i = 0; i < 20; i++) rec.event({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `flood-${i}`, namespace: 'default', uid: `u${i}` } }, 'Normal', 'Flood', `m${i}`);
    await rec.flush();
    const evs = (await client.list<KubeObject>(EVENTS, { namespace: 'default' })).items.filter(e => e.reason === 'Flood');
    assert.deepEqual(evs.map(e => (e.involvedObject as { name: string }).name).sort(), ['flood-0', 'flood-1', 'flood-2', 'flood-3']);
    assert.deepEqual(warnings.map(w => [w.msg, w.fields?.dropped]), [['event queue full; dropping events', 1]]);
  });

  it('writes many events at once, all of them, each repeat after its create', async () => {
    const client = c.client('burst');
    const warnings: string[] = [];
    const logger = { ...quiet, warn: (msg: string) => { warnings.push(msg); } };
    const rec = new EventRecorder({ client, component: 'default-scheduler', logger, series: true, concurrency: 8 });
    // 1,500 distinct events (more than client-go's 1,000-event channel), and repeats
    // of a few of them: the repeats become series patches that must follow the creates.
    for (let i = 0; i < 1500; i++) {
      rec.event({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `burst-${i}`, namespace: 'default', uid: `b${i}` } }, 'Normal', 'Scheduled', `assigned burst-${i}`, { action: 'Binding' });
    }
    for (let i = 0; i < 10; i++) {
      rec.event({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `burst-${i}`, namespace: 'default', uid: `b${i}` } }, 'Normal', 'Scheduled', `assigned burst-${i}`, { action: 'Binding' });
    }
    await rec.flush();
    const evs = (await client.list<KubeObject>(EVENTS, { namespace: 'default' })).items.filter(e => (e.involvedObject as { name: string }).name.startsWith('burst-'));
    assert.equal(evs.length, 1500);
    assert.deepEqual(warnings, []);
    const repeated = evs.filter(e => (e.series as { count?: number } | undefined)?.count === 2).map(e => (e.involvedObject as { name: string }).name).sort();
    assert.deepEqual(repeated, Array.from({ length: 10 }, (_, i) => `burst-${i}`).sort());
    await rec.close();
  });
});
