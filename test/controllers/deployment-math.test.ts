/** Unit tests for the Deployment controller's arithmetic, hashing and annotations. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { setNewReplicaSetAnnotations } from '../../src/controllers/deployment/annotations.js';
import { setCondition, type DeploymentStatus } from '../../src/controllers/deployment/conditions.js';
import { computeHash, equalIgnoreHash } from '../../src/controllers/deployment/hash.js';
import { newRSNewReplicas, proportion, resolveFenceposts, scaledValue } from '../../src/controllers/deployment/replicas.js';

const deployment = (replicas: number, maxSurge: unknown = '25%', maxUnavailable: unknown = '25%', extra: Partial<KubeObject> = {}): KubeObject => ({
  metadata: { name: 'd', annotations: {} }, spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } },
  status: {}, ...extra,
});
const rs = (replicas: number, annotations: Record<string, string> = {}): KubeObject => ({ metadata: { name: `rs${replicas}`, annotations }, spec: { replicas } });

describe('rolling-update fenceposts', () => {
  const cases: Array<[unknown, unknown, number, [number, number]]> = [
    ['25%', '25%', 10, [3, 2]],  // surge rounds up, unavailable down
    ['25%', '25%', 1, [1, 0]],
    ['0%', '0%', 3, [0, 1]],    // both zero would deadlock
    [0, 0, 3, [0, 1]],
    [2, '50%', 5, [2, 2]],
    ['100%', 0, 4, [4, 0]],
  ];
  for (const [s, u, n, want] of cases) {
    it(`maxSurge=${s} maxUnavailable=${u} of ${n} → ${want}`, () => assert.deepEqual(resolveFenceposts(s, u, n), want));
  }
  it('rejects a non-percentage string', () => assert.throws(() => scaledValue('abc', 10, true), /not a percentage/));
});

describe('newRSNewReplicas', () => {
  it('scales the new set up within the surge', () => {
    const d = deployment(10, 3, 2);
    const old = rs(10), neu = rs(0);
    assert.equal(newRSNewReplicas(d, [old, neu], neu), 3);
    assert.equal(newRSNewReplicas(d, [rs(8), rs(5)], rs(5)), 5);
  });
  it('Recreate wants everything at once', () => {
    const d = deployment(4);
    d.spec.strategy = { type: 'Recreate' };
    assert.equal(newRSNewReplicas(d, [rs(0)], rs(0)), 4);
  });
});

describe('proportional scaling', () => {
  it('splits 20 more replicas between sets of 8 and 5 (max-replicas 13) as 12 and 8', () => {
    const d = deployment(30, 3, 2);
    const a = rs(8, { 'deployment.kubernetes.io/max-replicas': '13' }), b = rs(5, { 'deployment.kubernetes.io/max-replicas': '13' });
    const pa = proportion(a, d, 20, 0);
    assert.equal(pa, 12);
    assert.equal(proportion(b, d, 20, pa), 8);
  });
});

describe('pod-template-hash', () => {
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx' }] } };
  it('is stable, key-order independent, and changes with the template or collision count', () => {
    const h = computeHash(t);
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(computeHash({ spec: t.spec, metadata: t.metadata }), h);
    assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: 'main', image: 'nginx:2' }] } }), h);
    assert.notEqual(computeHash(t, 1), h);
  });
  it('template equality ignores the hash label and empty fields', () => {
    const withHash = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'main', image: 'nginx', resources: {} }] } };
    assert.ok(equalIgnoreHash(t, withHash));
  });
});

describe('revision annotations', () => {
  it('a reused set (rollback) takes the new revision and remembers the old one', () => {
    const d = deployment(2, '25%', '25%', { metadata: { name: 'd', annotations: { 'kubernetes.io/change-cause': 'undo', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } });
    const set = rs(2, { 'deployment.kubernetes.io/revision': '1' });
    assert.ok(setNewReplicaSetAnnotations(d, set, '3', true, 1));
    const a = set.metadata!.annotations!;
    assert.equal(a['deployment.kubernetes.io/revision'], '3');
    assert.equal(a['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(a['kubernetes.io/change-cause'], 'undo');
    assert.equal(a['kubectl.kubernetes.io/last-applied-configuration'], undefined);
    assert.ok(setNewReplicaSetAnnotations(d, set, '5', true, 1));
    assert.equal(a['deployment.kubernetes.io/revision-history'], '1,3');
    assert.ok(!setNewReplicaSetAnnotations(d, set, '5', true, 1), 'unchanged the second time');
  });
});

describe('setCondition', () => {
  it('keeps an unchanged condition and the transition time of a same-status one', () => {
    const s: DeploymentStatus = {};
    setCondition(s, { type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 't1', lastUpdateTime: 't1' });
    setCondition(s, { type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 't2', lastUpdateTime: 't2' });
    assert.equal(s.conditions![0]!.lastUpdateTime, 't1');
    setCondition(s, { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: 't3', lastUpdateTime: 't3' });
    assert.deepEqual([s.conditions![0]!.reason, s.conditions![0]!.lastTransitionTime, s.conditions![0]!.lastUpdateTime], ['B', 't1', 't3']);
  });
});
