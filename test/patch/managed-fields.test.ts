/** managedFields bookkeeping for ordinary writes, FieldsV1 encoding, content types. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyPatch, decodeManagedFields, FieldSet, formatPath, patchTypeFromContentType, recordUpdate,
} from '../../src/api/patch/index.js';
import { assertFails, container as c, deepFreeze, deployment, DEPLOY, pod } from './helpers.js';

type J = Record<string, any>;
const T1 = '2024-01-01T00:00:01Z', T2 = '2024-01-01T00:00:02Z';
const mf = (o: object): J[] => (o as J).metadata.managedFields;

test('recordUpdate: a create owns what it set, lists and maps as members', () => {
  const obj = deepFreeze(pod({ containers: [c('a', 'x', { env: [{ name: 'E', value: '1' }] })], nodeSelector: { disk: 'ssd' } }, { labels: { app: 'p' } }));
  const got = recordUpdate(undefined, obj, 'kubectl-create', 'v1', 'Update', { now: T1 });
  assert.deepEqual(mf(got), [{
    manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: T1, fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"a"}': { '.': {}, 'f:env': { '.': {}, 'k:{"name":"E"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:image': {}, 'f:name': {} },
        },
        'f:nodeSelector': { '.': {}, 'f:disk': {} },
      },
    },
  }]);
  assert.equal((obj as J).metadata.managedFields, undefined, 'input untouched');
});

test('recordUpdate: another writer takes over changed fields; removals drop ownership', () => {
  const v1 = deepFreeze(recordUpdate(undefined, pod({ containers: [c('a', 'x')] }, { labels: { app: 'p', tier: 't' } }), 'one', 'v1', 'Update', { now: T1 }));
  const edited = structuredClone(v1) as J;
  edited.spec.containers[0].image = 'y';
  delete edited.metadata.labels.tier;
  const v2 = recordUpdate(v1, edited, 'two', 'v1', 'Update', { now: T2 });
  const [one, two] = decodeManagedFields(mf(v2));
  assert.equal(one.manager, 'one');
  assert.equal(one.time, T1, 'losing fields does not touch the time');
  assert.ok(!one.set.has(['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']));
  assert.ok(!one.set.has(['f:metadata', 'f:labels', 'f:tier']));
  assert.ok(one.set.has(['f:metadata', 'f:labels', 'f:app']));
  assert.deepEqual(two.set.paths(), [['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']]);
});

test('recordUpdate: a write that changes nothing adds no entry; the same manager accumulates', () => {
  const v1 = deepFreeze(recordUpdate(undefined, pod({ containers: [c('a')] }), 'one', 'v1', 'Update', { now: T1 }));
  assert.deepEqual(recordUpdate(v1, v1, 'two', 'v1', 'Update', { now: T2 }), v1);
  const edited = structuredClone(v1) as J;
  edited.spec.restartPolicy = 'Never';
  const v2 = recordUpdate(v1, edited, 'one', 'v1', 'Update', { now: T2 });
  assert.equal(mf(v2).length, 1);
  assert.equal(mf(v2)[0].time, T2);
  assert.ok(mf(v2)[0].fieldsV1['f:spec']['f:restartPolicy']);
  assert.ok(mf(v2)[0].fieldsV1['f:spec']['f:containers']);
});

test('recordUpdate: different apiVersions or subresources are different managers', () => {
  const v1 = deepFreeze(recordUpdate(undefined, deployment({ containers: [c('a')] }), 'm', 'apps/v1', 'Update', { now: T1 }));
  const edited = structuredClone(v1) as J;
  edited.status = { replicas: 1 };
  const v2 = recordUpdate(v1, edited, 'm', 'apps/v1', 'Update', { now: T2, subresource: 'status' });
  assert.deepEqual(mf(v2).map(e => [e.manager, e.subresource]), [['m', undefined], ['m', 'status']]);
  assert.deepEqual(mf(v2)[1].fieldsV1, { 'f:status': { 'f:replicas': {} } });
  // Through the main resource, status is not the writer's (the registry resets it).
  const v3 = recordUpdate(v1, edited, 'n', 'apps/v1', 'Update', { now: T2 });
  assert.deepEqual(mf(v3), mf(v1));
});

test('recordUpdate: identity metadata is never tracked; managedFields set by the request win', () => {
  const got = recordUpdate(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', uid: 'u' }, data: { k: 'v' } },
    'm', 'v1', 'Update', { now: T1 });
  assert.deepEqual(mf(got)[0].fieldsV1, { 'f:data': { '.': {}, 'f:k': {} } });
  const reset = structuredClone(got) as J;
  reset.metadata.managedFields = [{ manager: 'x', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }];
  assert.deepEqual(mf(recordUpdate(got, reset, 'm', 'v1', 'Update', { now: T2 })).map(e => e.manager), ['x']);
});

test('applyPatch records the patcher when given a manager', () => {
  const v1 = deepFreeze(recordUpdate(undefined, deployment({ containers: [c('a')] }), 'kubectl-create', 'apps/v1', 'Update', { now: T1 }));
  const got = applyPatch('merge', v1, { spec: { replicas: 4 } }, { ...DEPLOY, manager: 'kubectl-edit', now: T2 }) as J;
  assert.equal(got.spec.replicas, 4);
  assert.deepEqual(mf(got).map(e => e.manager), ['kubectl-create', 'kubectl-edit']);
  assert.deepEqual(mf(got)[1].fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(mf(applyPatch('merge', v1, { spec: { replicas: 4 } }, DEPLOY)).length, 1, 'no manager: nothing recorded');
});

test('FieldSet: FieldsV1 round trip and set algebra', () => {
  const v1 = { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } }, 'f:spec': { 'f:x': {}, 'f:l': { 'v:"q"': {} } } };
  const s = FieldSet.fromFieldsV1(v1);
  assert.deepEqual(s.toFieldsV1(), v1);
  assert.ok(s.has(['f:metadata', 'f:labels']) && !s.has(['f:metadata']) && s.ownsAnyAt(['f:metadata']));
  const o = FieldSet.fromPaths([['f:spec', 'f:x'], ['f:other']]);
  assert.deepEqual(s.intersection(o).paths(), [['f:spec', 'f:x']]);
  assert.equal(s.difference(o).has(['f:spec', 'f:x']), false);
  assert.equal(s.union(o).has(['f:other']), true);
  assert.ok(new FieldSet().isEmpty());
});

test('formatPath prints paths like kube-apiserver', () => {
  const cases: [string[], string][] = [
    [['f:spec', 'f:replicas'], '.spec.replicas'],
    [['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'], '.spec.template.spec.containers[name="web"].image'],
    [['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}'], '.spec.ports[port=80,protocol="TCP"]'],
    [['f:metadata', 'f:finalizers', 'v:"a"'], '.metadata.finalizers[="a"]'],
    [['f:spec', 'f:args', 'i:0'], '.spec.args[0]'],
  ];
  for (const [p, want] of cases) assert.equal(formatPath(p), want);
});

test('content types map to patch types', () => {
  const cases: [string, string][] = [
    ['application/json-patch+json', 'json'],
    ['application/merge-patch+json', 'merge'],
    ['application/strategic-merge-patch+json; charset=utf-8', 'strategic'],
    ['application/apply-patch+yaml', 'apply'],
  ];
  for (const [ct, want] of cases) assert.equal(patchTypeFromContentType(ct), want);
  for (const ct of ['application/json', 'application/apply-patch+cbor', undefined]) {
    assertFails(() => patchTypeFromContentType(ct), {
      status: 415, reason: 'UnsupportedMediaType',
      message: 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, '
        + 'application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    });
  }
});

test('FieldSet: union, difference, intersection and without match their path-list definitions', () => {
  // A small deterministic generator: random sets over a few path elements, depth <= 4.
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const pes = ['f:a', 'f:b', 'k:{"name":"c"}', 'i:0'];
  const randomPaths = () => Array.from({ length: rnd(8) }, () => Array.from({ length: 1 + rnd(4) }, () => pes[rnd(pes.length)]));
  const key = (p: readonly string[]) => p.join('\u0000');
  const keys = (s: FieldSet) => s.paths().map(key).sort();
  for (let round = 0; round < 300; round++) {
    const a = FieldSet.fromPaths(randomPaths()), b = FieldSet.fromPaths(randomPaths());
    const ak = new Set(keys(a)), bk = new Set(keys(b));
    assert.deepEqual(keys(a.union(b)), [...new Set([...ak, ...bk])].sort());
    assert.deepEqual(keys(a.difference(b)), [...ak].filter(k => !bk.has(k)).sort());
    assert.deepEqual(keys(a.intersection(b)), [...ak].filter(k => bk.has(k)).sort());
    const cut = [pes[rnd(pes.length)], pes[rnd(pes.length)]].slice(0, 1 + rnd(2));
    assert.deepEqual(keys(a.without(cut)), a.paths().filter(p => !cut.every((pe, i) => p[i] === pe)).map(key).sort());
    // Results are pruned: their FieldsV1 round-trips to the same members.
    assert.deepEqual(keys(FieldSet.fromFieldsV1(a.difference(b).toFieldsV1())), keys(a.difference(b)));
    assert.deepEqual(a.union(b).elements().sort(), [...new Set(a.union(b).paths().map(p => p[0]))].sort());
    // minus/plus are difference/union that hand back the set itself when nothing changes.
    assert.deepEqual(keys(a.minus(b)), keys(a.difference(b)));
    assert.deepEqual(keys(a.plus(b)), keys(a.union(b)));
    assert.equal(a.minus(b) === a, [...ak].every(k => !bk.has(k)));
    assert.equal(a.plus(b) === a, [...bk].every(k => ak.has(k)));
  }
});
