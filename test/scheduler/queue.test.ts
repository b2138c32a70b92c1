/** The scheduling queue with a fake clock: ordering, back-off, event-driven retries, the 5-minute flush. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/client/index.js';
import { PodInfo, SchedulingQueue, defaultProfile, Framework, inTreeRegistry, type QueuedPodInfo } from '../../src/scheduler/index.js';
import { harness, makePod } from './builders.js';

function newQueue(clock = new FakeClock()) {
  const h = harness([]);
  const fw: Framework = new Framework(inTreeRegistry(), defaultProfile(), h.handle);
  // Unset options (as the scheduler passes them) keep the defaults.
  const q = new SchedulingQueue({ less: fw.queueLess, pluginEvents: fw.events, clock, initialBackoffMs: undefined, maxBackoffMs: undefined });
  return { q, clock };
}

const info = (name: string, prio = 0) => new PodInfo(makePod(name).priority(prio).obj());

async function popName(q: SchedulingQueue): Promise<string> { return (await q.pop())!.podInfo.pod.metadata!.name!; }

/** Pops and fails the pod as unschedulable by `plugin`. */
async function failAs(q: SchedulingQueue, plugin: string): Promise<QueuedPodInfo> {
  const p = (await q.pop())!;
  p.unschedulablePlugins = new Set([plugin]);
  q.requeue(p, q.schedulingCycle, true);
  return p;
}

describe('scheduling queue', () => {
  it('orders by priority, then by arrival', async () => {
    const { q, clock } = newQueue();
    q.add(info('low-1', 1)); clock.advance(1);
    q.add(info('high', 10)); clock.advance(1);
    q.add(info('low-2', 1));
    assert.deepEqual([await popName(q), await popName(q), await popName(q)], ['high', 'low-1', 'low-2']);
    q.close();
  });

  it('pop waits for a pod', async () => {
    const { q } = newQueue();
    const p = q.pop();
    q.add(info('late'));
    assert.equal((await p)!.podInfo.key, 'default/late');
    q.close();
    assert.equal(await q.pop(), undefined, 'closed');
  });

  it('an aborted pop (leadership lost) leaves the queue usable', async () => {
    const { q } = newQueue();
    const ac = new AbortController();
    const p = q.pop(ac.signal);
    ac.abort();
    assert.equal(await p, undefined);
    q.add(info('next'));
    assert.equal(await popName(q), 'next', 'not handed to the aborted waiter');
    q.close();
  });

  it('errors back off 1s, 2s, 4s … capped at 10s', async () => {
    const { q, clock } = newQueue();
    q.add(info('p'));
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const p = (await q.pop())!;
      assert.equal(p.attempts, attempt);
      q.requeue(p, q.schedulingCycle, false);
      assert.equal(q.where('default/p'), 'backoff');
      waits.push(q.backoffExpiry(p) - clock.now());
      clock.advance(waits.at(-1)! - 1);
      assert.equal(q.where('default/p'), 'backoff', 'not before its time');
      clock.advance(1);
      assert.equal(q.where('default/p'), 'active');
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 10_000, 10_000]);
    q.close();
  });

  it('unschedulable pods wait for a relevant event, not for time', async () => {
    const { q, clock } = newQueue();
    q.add(info('fit'));
    await failAs(q, 'NodeResourcesFit');
    q.add(info('taint'));
    await failAs(q, 'TaintToleration');
    assert.deepEqual(q.lengths, { active: 0, backoff: 0, unschedulable: 2 });
    clock.advance(60_000);
    assert.equal(q.lengths.unschedulable, 2, 'no polling');
    // A pod deletion frees resources but cannot remove a taint.
    q.moveAllOnEvent({ resource: 'AssignedPod', action: 'Delete' });
    assert.equal(q.where('default/fit'), 'active', 'back-off already over → active');
    assert.equal(q.where('default/taint'), 'unschedulable');
    q.moveAllOnEvent({ resource: 'Node', action: 'Add' });
    assert.equal(q.where('default/taint'), 'active');
    q.close();
  });

  it('a node update moves pods only for the kind of change their plugins care about', async () => {
    const { q } = newQueue();
    q.add(info('p'));
    await failAs(q, 'NodeAffinity');
    q.moveAllOnEvent({ resource: 'Node', action: 'UpdateNodeTaint' });
    assert.equal(q.where('default/p'), 'unschedulable');
    q.moveAllOnEvent({ resource: 'Node', action: 'UpdateNodeLabel' });
    assert.notEqual(q.where('default/p'), 'unschedulable');
    q.close();
  });

  it('a pod moved while still backing off goes to backoffQ', async () => {
    const { q, clock } = newQueue();
    q.add(info('p'));
    await failAs(q, 'NodeResourcesFit');
    clock.advance(100);
    q.moveAllOnEvent({ resource: 'Node', action: 'Add' });
    assert.equal(q.where('default/p'), 'backoff');
    clock.advance(900);
    assert.equal(q.where('default/p'), 'active');
    q.close();
  });

  it('a move during the cycle sends the failed pod to backoff instead of waiting for another event', async () => {
    const { q } = newQueue();
    q.add(info('p'));
    const p = (await q.pop())!;
    const cycle = q.schedulingCycle;
    q.moveAllOnEvent({ resource: 'Node', action: 'Add' }); // e.g. a node arrived meanwhile
    p.unschedulablePlugins = new Set(['NodeResourcesFit']);
    q.requeue(p, cycle, true);
    assert.equal(q.where('default/p'), 'backoff');
    q.close();
  });

  it('unschedulable pods are flushed after 5 minutes', async () => {
    const { q, clock } = newQueue();
    q.add(info('p'));
    await failAs(q, 'TaintToleration');
    clock.advance(4 * 60_000);
    assert.equal(q.where('default/p'), 'unschedulable');
    clock.advance(61_000);
    assert.equal(q.where('default/p'), 'active');
    q.close();
  });

  it('status-only updates do not requeue; spec or label changes do', async () => {
    const { q } = newQueue();
    const pod = makePod('p').obj();
    q.add(new PodInfo(pod));
    await failAs(q, 'TaintToleration');
    const withCondition = structuredClone(pod);
    (withCondition.metadata as { resourceVersion?: string }).resourceVersion = '9';
    (withCondition as { status: object }).status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] };
    q.update(pod, new PodInfo(withCondition));
    assert.equal(q.where('default/p'), 'unschedulable');
    const relabeled = structuredClone(withCondition);
    relabeled.metadata!.labels = { x: 'y' };
    q.update(withCondition, new PodInfo(relabeled));
    assert.notEqual(q.where('default/p'), 'unschedulable');
    q.close();
  });

  it('gated pods wait until their scheduling gates are removed', () => {
    const { q } = newQueue();
    const gated = makePod('g').obj();
    (gated.spec as { schedulingGates?: unknown }).schedulingGates = [{ name: 'example.com/wait' }];
    q.add(new PodInfo(gated));
    q.moveAllOnEvent({ resource: 'Node', action: 'Add' });
    assert.equal(q.where('default/g'), 'unschedulable');
    const open = structuredClone(gated);
    delete (open.spec as { schedulingGates?: unknown }).schedulingGates;
    q.update(gated, new PodInfo(open));
    assert.equal(q.where('default/g'), 'active');
    q.close();
  });
});
