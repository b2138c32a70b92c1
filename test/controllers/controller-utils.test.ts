/** Unit tests for the helpers the index-a controllers share: deletion ranking, expectations, batching. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { FakeClock } from '../../src/client/index.js';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from '../../src/controllers/controller-utils-expectations.js';
import { podsToDelete } from '../../src/controllers/controller-utils-ranking.js';
import { canonicalJson, isPodAvailable, slowStartBatch } from '../../src/controllers/controller-utils.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, o: { node?: string; phase?: string; readySince?: number; created?: number; restarts?: number; cost?: number } = {}): KubeObject {
  return {
    metadata: {
      name, uid: name, creationTimestamp: ago(o.created ?? 1000),
      annotations: o.cost !== undefined ? { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } : undefined,
    },
    spec: { nodeName: o.node },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readySince !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: ago(o.readySince) }] : [],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
}

describe('podsToDelete (upstream ActivePodsWithRanks)', () => {
  const cases: Array<{ name: string; pods: KubeObject[]; want: string }> = [
    { name: 'unassigned before assigned', pods: [pod('a', { node: 'n1', readySince: 10 }), pod('b', { readySince: 10 })], want: 'b' },
    { name: 'pending before running', pods: [pod('a', { node: 'n', phase: 'Running' }), pod('b', { node: 'n', phase: 'Pending' })], want: 'b' },
    { name: 'not ready before ready', pods: [pod('a', { node: 'n', readySince: 100 }), pod('b', { node: 'n' })], want: 'b' },
    { name: 'lower deletion cost first', pods: [pod('a', { node: 'n', readySince: 100, cost: 5 }), pod('b', { node: 'n', readySince: 100, cost: -1 })], want: 'b' },
    { name: 'doubled-up node first', pods: [pod('a', { node: 'n1', readySince: 100 }), pod('b', { node: 'n2', readySince: 100 })], want: 'b' },
    { name: 'ready for less time first (log buckets)', pods: [pod('a', { node: 'n', readySince: 4000 }), pod('b', { node: 'n', readySince: 10 })], want: 'b' },
    { name: 'more restarts first', pods: [pod('a', { node: 'n', readySince: 100 }), pod('b', { node: 'n', readySince: 100, restarts: 3 })], want: 'b' },
    { name: 'newer first', pods: [pod('a', { node: 'n', readySince: 100, created: 5000 }), pod('b', { node: 'n', readySince: 100, created: 20 })], want: 'b' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      // n2 has two related pods: its pod is "doubled up".
      const related = [...c.pods, pod('x', { node: 'n2' })];
      assert.equal(podsToDelete(c.pods, related, 1, NOW)[0]!.metadata!.name, c.want);
      assert.equal(podsToDelete([...c.pods].reverse(), related, 1, NOW)[0]!.metadata!.name, c.want);
    });
  }
  it('returns every pod when all go', () => {
    assert.equal(podsToDelete([pod('a'), pod('b')], [], 2, NOW).length, 2);
  });
});

describe('isPodAvailable', () => {
  it('needs minReadySeconds of readiness', () => {
    assert.equal(isPodAvailable(pod('a', { readySince: 5 }), 10, NOW), false);
    assert.equal(isPodAvailable(pod('a', { readySince: 15 }), 10, NOW), true);
    assert.equal(isPodAvailable(pod('a'), 0, NOW), false);
  });
});

describe('ControllerExpectations', () => {
  it('is satisfied once every expected create and delete was observed', () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations(clock);
    assert.ok(e.satisfied('ns/rs'));
    e.expectCreations('ns/rs', 2);
    assert.ok(!e.satisfied('ns/rs'));
    e.creationObserved('ns/rs');
    e.creationObserved('ns/rs');
    assert.ok(e.satisfied('ns/rs'));
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a'); // the same pod seen twice counts once
    assert.ok(!e.satisfied('ns/rs'));
    e.deletionObserved('ns/rs', 'ns/b');
    assert.ok(e.satisfied('ns/rs'));
  });
  it('expires after five minutes', () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations(clock);
    e.expectCreations('k', 1);
    clock.advance(EXPECTATIONS_TIMEOUT_MS + 1);
    assert.ok(e.satisfied('k'));
  });
});

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4… and stops after a failing batch', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, async () => { if (++calls > 4) throw new Error('quota'); });
    // Batches 1 + 2 succeed (3 calls), the batch of 4 has one success and three failures.
    assert.equal(calls, 7);
    assert.equal(r.successes, 4);
    assert.match(String(r.error), /quota/);
  });
});

describe('canonicalJson', () => {
  it('ignores key order and empty or absent values, like Semantic.DeepEqual', () => {
    assert.equal(canonicalJson({ b: 1, a: { resources: {}, x: [] }, c: null }), canonicalJson({ a: {}, b: 1 }));
    assert.notEqual(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }));
  });
});
