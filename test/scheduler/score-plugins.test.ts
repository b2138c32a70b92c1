/** Score plugins on hand-made node sets: the normalized per-plugin scores. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { CycleState, Framework, inTreeRegistry, type NodeScore } from '../../src/scheduler/index.js';
import { cacheOf, harness, makeNode, makePod, pi } from './builders.js';

/** Runs one score plugin (with PreScore) alone; its weight is 1. */
function scores(plugin: string, pod: Pod, nodes: Node[], existing: Pod[] = []): Record<string, number> {
  const h = harness(nodes, existing);
  const fw = new Framework(inTreeRegistry(), {
    schedulerName: 'test', plugins: [{ name: 'PrioritySort' }, { name: plugin }, { name: 'DefaultBinder' }],
  }, h.handle);
  const state = new CycleState();
  const p = pi(pod);
  const list = h.cache.list();
  assert.ok(fw.runPreFilterPlugins(state, p, list).isSuccess());
  assert.ok(fw.runPreScorePlugins(state, p, list).isSuccess());
  const out = fw.runScorePlugins(state, p, list) as NodeScore[];
  return Object.fromEntries(out.map(s => [s.name, s.score]));
}

describe('TaintToleration score', () => {
  it('fewer untolerated PreferNoSchedule taints score higher', () => {
    const got = scores('TaintToleration', makePod().toleration({ key: 'b', operator: 'Exists', effect: 'PreferNoSchedule' }).obj(), [
      makeNode('clean').obj(),
      makeNode('one').taint({ key: 'a', effect: 'PreferNoSchedule' }).obj(),
      makeNode('two').taint({ key: 'a', effect: 'PreferNoSchedule' }).taint({ key: 'c', effect: 'PreferNoSchedule' }).obj(),
      makeNode('tolerated').taint({ key: 'b', effect: 'PreferNoSchedule' }).obj(),
    ]);
    assert.deepEqual(got, { clean: 100, one: 50, two: 0, tolerated: 100 });
  });
});

describe('NodeAffinity score', () => {
  it('sums matching preferred weights, normalized to the best node', () => {
    const pod = makePod().preferredNodeAffinity(2, 'zone', ['a']).preferredNodeAffinity(6, 'disk', ['ssd']).obj();
    const got = scores('NodeAffinity', pod, [
      makeNode('both').label('zone', 'a').label('disk', 'ssd').obj(),
      makeNode('ssd').label('disk', 'ssd').obj(),
      makeNode('none').obj(),
    ]);
    assert.deepEqual(got, { both: 100, ssd: 75, none: 0 });
  });
});

describe('NodeResourcesFit score (LeastAllocated)', () => {
  it('prefers the emptier node, counting request-less pods with defaults', () => {
    const nodes = [makeNode('a').capacity({ cpu: '4', memory: '8Gi' }).obj(), makeNode('b').capacity({ cpu: '4', memory: '8Gi' }).obj()];
    const existing = [makePod('x').req({ cpu: '2', memory: '4Gi' }).node('a').obj()];
    const got = scores('NodeResourcesFit', makePod().req({ cpu: '1', memory: '2Gi' }).obj(), nodes, existing);
    // a: cpu (4-3)/4=25, mem 25 → 25; b: 75
    assert.deepEqual(got, { a: 25, b: 75 });
    const empty = scores('NodeResourcesFit', makePod().container().obj(), nodes, [makePod('y').container().node('a').obj()]);
    assert.ok(empty.b! > empty.a!, 'zero-request pods still spread');
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it('prefers equal cpu and memory shares', () => {
    const nodes = [makeNode('bal').capacity({ cpu: '4', memory: '4Gi' }).obj(), makeNode('skew').capacity({ cpu: '4', memory: '16Gi' }).obj()];
    const got = scores('NodeResourcesBalancedAllocation', makePod().req({ cpu: '2', memory: '2Gi' }).obj(), nodes);
    // bal: 0.5/0.5 → 100; skew: 0.5/0.125 → 1 - 0.1875 → 81
    assert.deepEqual(got, { bal: 100, skew: 81 });
  });
});

describe('ImageLocality', () => {
  it('prefers nodes holding the image, scaled by spread', () => {
    const big = 500 * 1024 * 1024;
    const nodes = [
      makeNode('has').images([{ names: ['docker.io/library/nginx:1.25', 'nginx:1.25'], sizeBytes: big }]).obj(),
      makeNode('hasnt').obj(),
    ];
    const got = scores('ImageLocality', makePod().container({}, 'nginx:1.25').obj(), nodes);
    assert.equal(got.hasnt, 0);
    assert.ok(got.has! > 0 && got.has! < 100, `score ${got.has}`);
  });
});

describe('cache', () => {
  it('counts assumed pods until forgotten', () => {
    const c = cacheOf([makeNode('a').obj()]);
    c.assumePod(pi(makePod('x').req({ cpu: '1' }).obj()), 'a');
    assert.equal(c.get('a')!.requested.milliCPU, 1000);
    assert.equal(c.isAssumed('default/x'), true);
    c.addPod(pi(makePod('x').req({ cpu: '1' }).node('a').obj()), 'a');
    assert.equal(c.isAssumed('default/x'), false, 'confirmed by the watch');
    assert.equal(c.get('a')!.requested.milliCPU, 1000, 'counted once');
    c.assumePod(pi(makePod('y').req({ cpu: '1' }).obj()), 'a');
    c.forgetPod('default/y');
    assert.equal(c.get('a')!.requested.milliCPU, 1000);
  });
});
