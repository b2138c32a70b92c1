/** Whole cycles: upstream's FailedScheduling message shape, placements, preemption choices, registry. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  Algorithm, Code, CycleState, DuplicatePluginError, NO_NOMINATIONS, Registry, UnknownPluginError, fitErrorMessage, inTreeRegistry, numFeasibleNodesToFind,
} from '../../src/scheduler/index.js';
import { Nominator } from '../../src/scheduler/queue/nominator.js';
import { harness, makeNode, makePod, pi, runFilter, type Harness } from './builders.js';

/** One cycle including PostFilter, like Scheduler.scheduleOne, returning the node or the message. */
function cycle(h: Harness, pod: Pod): { node?: string; message?: string; nominated?: string } {
  const algo = new Algorithm(h.fw, h.cache, NO_NOMINATIONS);
  const state = new CycleState();
  const p = pi(pod);
  const out = algo.schedule(state, p);
  if (out.kind === 'scheduled') return { node: out.node };
  if (out.kind === 'error') return { message: out.status.message() };
  const pf = h.fw.runPostFilterPlugins(state, p, out.diagnosis.nodeStatuses);
  const postFilterMsg = pf.status.isSuccess() ? undefined : pf.status.message();
  return { message: fitErrorMessage(out.numAllNodes, { ...out.diagnosis, postFilterMsg }), nominated: pf.nominatedNodeName };
}

describe('scheduling cycle', () => {
  it("reports upstream's message shape", () => {
    // node1 fails on cpu (asks more than it has), the others on affinity.
    const h2 = harness([
      makeNode('node1').label('disk', 'ssd').capacity({ cpu: '1' }).obj(),
      makeNode('node2').label('disk', 'none').obj(),
      makeNode('node3').label('disk', 'none').obj(),
    ]);
    const got = cycle(h2, makePod().req({ cpu: '2' }).nodeAffinityIn('disk', ['ssd']).obj());
    assert.equal(got.message,
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. " +
      'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
  });

  it('no nodes at all', () => {
    assert.equal(cycle(harness([]), makePod().obj()).message, 'no nodes available to schedule pods');
  });

  it('places pods where they fit and prefers emptier nodes', () => {
    const h = harness([makeNode('a').capacity({ cpu: '2' }).obj(), makeNode('b').capacity({ cpu: '2' }).obj()],
      [makePod('x').req({ cpu: '1' }).node('a').obj()]);
    assert.equal(cycle(h, makePod().req({ cpu: '500m' }).obj()).node, 'b');
    assert.equal(cycle(h, makePod().req({ cpu: '1500m' }).obj()).node, 'b');
  });

  it('keeps room for pods nominated by preemption, and skips the lookup when none are', () => {
    // Two nodes with room for one 1-cpu pod each; a higher-priority pod is nominated to 'a'.
    const h = harness([makeNode('a').capacity({ cpu: '1' }).obj(), makeNode('b').capacity({ cpu: '1' }).obj()]);
    const nominator = new Nominator();
    let lookups = 0;
    const counting = { podsOn: (n: string) => { lookups++; return nominator.podsOn(n); }, get size() { return nominator.size; } };
    const algo = new Algorithm(h.fw, h.cache, counting);
    const low = () => pi(makePod('low').req({ cpu: '1' }).priority(1).obj());
    // Nothing nominated: both nodes fit and no node was looked up.
    const free = algo.schedule(new CycleState(), low());
    assert.equal(free.kind, 'scheduled');
    assert.equal(lookups, 0);
    nominator.set(pi(makePod('vip').req({ cpu: '1' }).priority(100).nominated('a').obj()), 'a');
    assert.equal(nominator.size, 1);
    // 'a' is held for the nominated pod: a lower-priority pod goes to 'b', every time.
    for (let i = 0; i < 4; i++) {
      const out = algo.schedule(new CycleState(), low());
      assert.equal(out.kind === 'scheduled' && out.node, 'b');
    }
    assert.ok(lookups > 0);
    // As upstream, nominated pods of equal priority count too.
    const peer = algo.schedule(new CycleState(), pi(makePod('peer').req({ cpu: '1' }).priority(100).obj()));
    assert.equal(peer.kind === 'scheduled' && peer.node, 'b');
    nominator.delete('default/vip');
    assert.equal(nominator.size, 0);
  });

  it('drops the Filter plugins PreFilter skipped for the whole cycle, and rebuilds the list after more skips', () => {
    // A hostPort pod on a node whose port is taken: NodePorts must still filter it (not skipped).
    const h = harness([makeNode('a').obj()], [makePod('x').hostPort(8080).node('a').obj()]);
    assert.equal(runFilter(h, makePod('y').hostPort(8080).obj(), 'a').code, Code.Unschedulable);
    // Without host ports NodePorts is skipped; the same state reused after a new skip drops it too.
    const state = new CycleState();
    const p = pi(makePod('z').hostPort(8080).obj());
    assert.equal(h.fw.runFilterPlugins(state, p, h.cache.get('a')!).code, Code.Unschedulable);
    state.skipFilter.add('NodePorts');
    assert.equal(h.fw.runFilterPlugins(state, p, h.cache.get('a')!).code, Code.Success);
  });

  it('tries only enough nodes on big clusters, rotating the start', () => {
    assert.equal(numFeasibleNodesToFind(50), 50);
    assert.equal(numFeasibleNodesToFind(1000), 420); // 50 - 1000/125 = 42%
    assert.equal(numFeasibleNodesToFind(5000), 500); // 10%
    assert.equal(numFeasibleNodesToFind(100_000), 5000); // at least 5%
  });
});

describe('preemption', () => {
  const node = (n: string) => makeNode(n).capacity({ cpu: '2' }).obj();
  const running = (name: string, n: string, prio: number, cpu = '1') => makePod(name).req({ cpu }).priority(prio).node(n).startTime('2024-01-01T00:00:00Z').obj();

  it('evicts the fewest, least important pods on one node and nominates it', () => {
    const h = harness([node('a'), node('b')], [
      running('a-low', 'a', 1), running('a-high', 'a', 100),
      running('b-low1', 'b', 1), running('b-low2', 'b', 2),
    ]);
    const got = cycle(h, makePod('vip').req({ cpu: '1' }).priority(50).obj());
    // On a, only a-low (priority 1) must go; on b one of two low pods would do, but
    // a's highest victim (1) ties b's lowest choice (b-low1, 1); fewer priorities sum wins → tie → first.
    assert.equal(got.nominated, h.evicted[0]!.node);
    assert.equal(h.evicted.length, 1);
    assert.equal(h.evicted[0]!.victims.length, 1, 'minimal victims');
    assert.match(got.message!, /^0\/2 nodes are available: 2 Insufficient cpu\.$/);
  });

  it('prefers the node whose victims have the lowest priority', () => {
    const h = harness([node('a'), node('b')], [running('a1', 'a', 10, '2'), running('b1', 'b', 5, '2')]);
    cycle(h, makePod('vip').req({ cpu: '1' }).priority(50).obj());
    assert.deepEqual(h.evicted, [{ node: 'b', victims: ['b1'] }]);
  });

  it('never evicts equal or higher priority pods', () => {
    const h = harness([node('a')], [running('a1', 'a', 50, '2')]);
    const got = cycle(h, makePod('vip').req({ cpu: '1' }).priority(50).obj());
    assert.equal(h.evicted.length, 0);
    assert.equal(got.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  });

  it('preemptionPolicy Never', () => {
    const h = harness([node('a')], [running('a1', 'a', 1, '2')]);
    const got = cycle(h, makePod('vip').req({ cpu: '1' }).priority(50).preemptionPolicy('Never').obj());
    assert.equal(h.evicted.length, 0);
    assert.equal(got.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });
});

describe('registry', () => {
  it('rejects duplicates and unknown names', () => {
    const r = inTreeRegistry();
    assert.throws(() => r.register('NodeName', () => ({ name: 'NodeName' })), DuplicatePluginError);
    assert.throws(() => r.get('Nope'), UnknownPluginError);
    const other = new Registry({ TaintToleration: () => ({ name: 'TaintToleration' }) });
    assert.throws(() => r.merge(other), (e: Error & { code?: string }) => e.code === 'KL_SCHED_DUPLICATE_PLUGIN');
    assert.ok(r.names().includes('DefaultPreemption'));
  });
});
