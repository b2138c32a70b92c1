/** InterPodAffinity and PodTopologySpread on hand-made clusters (zones z1, z2; nodes a, b, c). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Code, CycleState, type NodeScore } from '../../src/scheduler/index.js';
import { harness, makeNode, makePod, pi, runFilter } from './builders.js';

const nodes = () => [
  makeNode('a').label('zone', 'z1').obj(),
  makeNode('b').label('zone', 'z1').obj(),
  makeNode('c').label('zone', 'z2').obj(),
];
const web = (name: string, node: string, ns = 'default') => makePod(name).namespace(ns).label('app', 'web').node(node).obj();

function feasible(pod: Pod, existing: Pod[], nsLabels: Record<string, Record<string, string>> = {}): Record<string, string> {
  const h = harness(nodes(), existing, nsLabels);
  return Object.fromEntries(['a', 'b', 'c'].map(n => {
    const r = runFilter(h, pod, n);
    return [n, r.code === Code.Success ? 'ok' : r.reasons.join(',')];
  }));
}

const AFF = "node(s) didn't match pod affinity rules";
const ANTI = "node(s) didn't match pod anti-affinity rules";
const EXISTING = "node(s) didn't satisfy existing pods anti-affinity rules";

describe('InterPodAffinity filter', () => {
  it('required affinity: only the topology domain of a matching pod', () => {
    const pod = makePod().podAffinity('podAffinity', { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } }).obj();
    assert.deepEqual(feasible(pod, [web('w', 'c')]), { a: AFF, b: AFF, c: 'ok' });
  });
  it('required affinity: a pod selecting itself may start the group anywhere', () => {
    const pod = makePod().label('app', 'web').podAffinity('podAffinity', { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } }).obj();
    assert.deepEqual(feasible(pod, []), { a: 'ok', b: 'ok', c: 'ok' });
  });
  it('required anti-affinity by hostname and by zone', () => {
    const host = makePod().podAffinity('podAntiAffinity', { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } }).obj();
    assert.deepEqual(feasible(host, [web('w', 'a')]), { a: ANTI, b: 'ok', c: 'ok' });
    const zone = makePod().podAffinity('podAntiAffinity', { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } }).obj();
    assert.deepEqual(feasible(zone, [web('w', 'a')]), { a: ANTI, b: ANTI, c: 'ok' });
  });
  it("existing pods' anti-affinity keeps the incoming pod out", () => {
    const guard = makePod('g').node('c').podAffinity('podAntiAffinity', { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } }).obj();
    assert.deepEqual(feasible(makePod().label('app', 'web').obj(), [guard]), { a: 'ok', b: 'ok', c: EXISTING });
  });
  it('namespaces: own namespace by default, namespaceSelector widens', () => {
    const own = makePod().podAffinity('podAffinity', { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } }).obj();
    assert.deepEqual(feasible(own, [web('w', 'c', 'other')]), { a: AFF, b: AFF, c: AFF });
    const sel = makePod().podAffinity('podAffinity', {
      topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } }, namespaceSelector: { matchLabels: { team: 'x' } },
    }).obj();
    assert.deepEqual(feasible(sel, [web('w', 'c', 'other')], { other: { team: 'x' } }), { a: AFF, b: AFF, c: 'ok' });
    const listed = makePod().podAffinity('podAffinity', { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } }, namespaces: ['other'] }).obj();
    assert.deepEqual(feasible(listed, [web('w', 'c', 'other')]), { a: AFF, b: AFF, c: 'ok' });
  });
});

function scores(pod: Pod, existing: Pod[]): Record<string, number> {
  const h = harness(nodes(), existing);
  const state = new CycleState();
  const p = pi(pod);
  assert.ok(h.fw.runPreFilterPlugins(state, p, h.cache.list()).isSuccess());
  assert.ok(h.fw.runPreScorePlugins(state, p, h.cache.list()).isSuccess());
  const out = h.fw.runScorePlugins(state, p, h.cache.list()) as NodeScore[];
  return Object.fromEntries(out.map(s => [s.name, s.score]));
}

describe('InterPodAffinity score', () => {
  it('preferred affinity pulls toward the zone, preferred anti-affinity pushes away', () => {
    const near = makePod().podAffinity('podAffinity', { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } }, 10).obj();
    const s1 = scores(near, [web('w', 'c')]);
    assert.ok(s1.c! > s1.a! && s1.a === s1.b, JSON.stringify(s1));
    const far = makePod().podAffinity('podAntiAffinity', { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } }, 10).obj();
    const s2 = scores(far, [web('w', 'c')]);
    assert.ok(s2.c! < s2.a!, JSON.stringify(s2));
  });
});

const SPREAD = "node(s) didn't match pod topology spread constraints";

describe('PodTopologySpread', () => {
  it('DoNotSchedule keeps the skew within maxSkew', () => {
    const pod = makePod().label('app', 'web').spread(1, 'zone', 'DoNotSchedule', { app: 'web' }).obj();
    // z1 has 1, z2 has 0: z1 would become 2 - 0 = skew 2.
    assert.deepEqual(feasible(pod, [web('w', 'a')]), { a: SPREAD, b: SPREAD, c: 'ok' });
    const loose = makePod().label('app', 'web').spread(2, 'zone', 'DoNotSchedule', { app: 'web' }).obj();
    assert.deepEqual(feasible(loose, [web('w', 'a')]), { a: 'ok', b: 'ok', c: 'ok' });
  });
  it('nodes without the topology key are unresolvable', () => {
    const pod = makePod().label('app', 'web').spread(1, 'rack', 'DoNotSchedule', { app: 'web' }).obj();
    const r = feasible(pod, []);
    assert.equal(r.a, SPREAD + ' (missing required label)');
  });
  it('minDomains: fewer domains than asked make the global minimum 0', () => {
    const pod = makePod().label('app', 'web').spread(1, 'zone', 'DoNotSchedule', { app: 'web' }, { minDomains: 3 }).obj();
    // z1: 1, z2: 1 → normally any zone is fine; with minDomains 3 the minimum is 0, so 1 + 1 - 0 = 2 > 1.
    assert.deepEqual(feasible(pod, [web('w1', 'a'), web('w2', 'c')]), { a: SPREAD, b: SPREAD, c: SPREAD });
  });
  it('terminating pods do not count', () => {
    const pod = makePod().label('app', 'web').spread(1, 'zone', 'DoNotSchedule', { app: 'web' }).obj();
    const leaving = makePod('w').label('app', 'web').node('a').terminating().obj();
    assert.deepEqual(feasible(pod, [leaving]), { a: 'ok', b: 'ok', c: 'ok' });
  });
  it('ScheduleAnyway scores the emptier domain higher', () => {
    const pod = makePod().label('app', 'web').spread(1, 'zone', 'ScheduleAnyway', { app: 'web' }).obj();
    const s = scores(pod, [web('w1', 'a'), web('w2', 'b')]);
    assert.ok(s.c! > s.a!, JSON.stringify(s));
  });
});
