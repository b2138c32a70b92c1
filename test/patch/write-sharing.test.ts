/**
 * The write path's shortcuts give what the plain algorithms give: a merge patch shares the
 * parts it does not touch (and equals a patch of a deep copy), ownership changes come from
 * one walk (changes) instead of compare + set algebra, and FieldsV1 is encoded in order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldSet, managedFieldsAfterUpdate, mergePatch, strategicMergePatch } from '../../src/api/patch/index.js';
import { clone, type JsonObject } from '../../src/api/patch/json.js';
import { ignoredTopLevel, trackable } from '../../src/api/patch/managed-fields.js';
import { rootField } from '../../src/api/patch/schema.js';
import { changes, compare } from '../../src/api/patch/ssa-walk.js';
import { container as c, deepFreeze, deployment, pod } from './helpers.js';

type J = Record<string, any>;
const T1 = '2024-01-01T00:00:01Z', T2 = '2024-01-01T00:00:02Z';

const runningStatus = (ip: string): J => ({
  phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '10.0.0.1', startTime: T1,
  conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(type => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: T1 })),
  containerStatuses: [{ name: 'a', image: 'x', imageID: 'fake://x', ready: true, started: true, restartCount: 0, state: { running: { startedAt: T1 } }, lastState: {} }],
});

test('merge patch: the result shares what the patch leaves alone and equals a patch of a copy', () => {
  const doc = deepFreeze(pod({ containers: [c('a')], nodeName: 'n1' }, { labels: { app: 'p' } })) as JsonObject;
  const patch = { status: runningStatus('10.1.0.5'), metadata: { labels: { tier: 'web' } } };
  const got = mergePatch(doc, patch);
  assert.deepEqual(got, mergePatch(clone(doc), patch));
  assert.equal(got.spec, doc.spec, 'spec untouched: the same object');
  assert.notEqual(got.metadata, doc.metadata, 'metadata patched: a new object');
  assert.deepEqual((got.metadata as J).labels, { app: 'p', tier: 'web' });
  assert.notEqual((got.status as J).conditions, patch.status.conditions, 'values from the patch are copies');
});

test('merge patch: a "__proto__" key stays a plain field', () => {
  const got = mergePatch(deepFreeze({ a: 1 }) as JsonObject, JSON.parse('{"__proto__":{"x":1},"b":{"__proto__":2}}'));
  assert.deepEqual(Object.keys(got), ['a', '__proto__', 'b']);
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.deepEqual(JSON.parse(JSON.stringify(got)), JSON.parse('{"a":1,"__proto__":{"x":1},"b":{"__proto__":2}}'));
});

// The reference: compare, then trackable(added ∪ modified) and trackable(removed), as before.
function reference(before: J | undefined, after: J, kind: string, ignored: (f: string) => boolean): { changed: string[]; removed: string[] } {
  const view = (o: J) => {
    const out: J = {};
    for (const k of Object.keys(o)) if (!ignored(k)) out[k] = o[k];
    if (out.metadata) { out.metadata = { ...out.metadata }; delete out.metadata.managedFields; }
    return out;
  };
  const cmp = compare(before && view(before), view(after), rootField(kind));
  return {
    changed: trackable(cmp.modified.union(cmp.added), ignored).paths().map(p => p.join('/')),
    removed: trackable(cmp.removed, ignored).paths().map(p => p.join('/')),
  };
}

test('changes: one walk gives compare + trackable\'s changed and removed sets', () => {
  const p1 = pod({ containers: [c('a', 'x', { env: [{ name: 'E', value: '1' }] }), c('b')], nodeSelector: { disk: 'ssd' } }, { labels: { app: 'p' }, uid: 'u1', resourceVersion: '3' });
  const p2 = structuredClone(p1) as J;
  p2.spec.containers[0].image = 'y';
  p2.spec.containers.pop();
  delete p2.spec.nodeSelector;
  p2.metadata.labels.tier = 'web';
  p2.metadata.generation = 4;
  p2.status = runningStatus('10.1.0.9');
  const p3 = { ...p2, status: runningStatus('10.1.0.10') };
  const d1 = deployment({ containers: [c('a')] });
  const d2 = structuredClone(d1) as J;
  d2.spec.replicas = 3;
  d2.spec.template.spec.containers.push(c('b'));
  const pairs: Array<[string, J | undefined, J, string | undefined]> = [
    ['pod edit', p1, p2, undefined],
    ['pod status write', p1, p2, 'status'],
    ['pod status rewrite (new ip: list-map item replaced)', p2, p3, 'status'],
    ['pod create', undefined, p2, undefined],
    ['deployment edit', d1, d2, undefined],
    ['kind without status subresource', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { b: '2' } }, undefined],
  ];
  for (const [name, before, after, sub] of pairs) {
    const kind = String(after.kind);
    const ignored = ignoredTopLevel(String(after.apiVersion), kind, sub);
    const want = reference(before, after, kind, ignored);
    const strip = (o: J) => {
      const out: J = {};
      for (const k of Object.keys(o)) if (!ignored(k)) out[k] = o[k];
      if (out.metadata) { out.metadata = { ...out.metadata }; delete out.metadata.managedFields; }
      return out;
    };
    const untracked = (path: readonly string[]) => (path.length === 1 && ['f:apiVersion', 'f:kind', 'f:metadata'].includes(path[0]))
      || (path.length === 2 && path[0] === 'f:metadata' && ['f:name', 'f:namespace', 'f:creationTimestamp', 'f:selfLink', 'f:uid', 'f:clusterName', 'f:generation', 'f:managedFields', 'f:resourceVersion'].includes(path[1]));
    const got = changes(before && strip(before), strip(after), rootField(kind), untracked);
    assert.deepEqual(got.changed.paths().map(p => p.join('/')), want.changed, `${name}: changed`);
    assert.deepEqual(got.removed.paths().map(p => p.join('/')), want.removed, `${name}: removed`);
  }
});

test('managedFieldsAfterUpdate: a first status write and a rewrite by the same writer', () => {
  const created = pod({ containers: [c('a')] }, { uid: 'u', labels: { app: 'p' } }) as J;
  created.metadata.managedFields = managedFieldsAfterUpdate(undefined, created, 'kubectl', 'v1', 'Update', { now: T1 });
  deepFreeze(created);
  const s1 = { ...created, metadata: { ...created.metadata }, status: runningStatus('10.1.0.5') };
  const mf1 = managedFieldsAfterUpdate(created, s1, 'kubelet', 'v1', 'Update', { now: T2, subresource: 'status' });
  assert.deepEqual(mf1.map(e => [e.manager, e.subresource, e.time]), [['kubectl', undefined, T1], ['kubelet', 'status', T2]]);
  assert.deepEqual(Object.keys(mf1[1].fieldsV1 as J), ['f:status']);
  assert.deepEqual(Object.keys((mf1[1].fieldsV1 as J)['f:status']), [
    'f:conditions', 'f:containerStatuses', 'f:hostIP', 'f:phase', 'f:podIP', 'f:podIPs', 'f:startTime',
  ]);
  assert.deepEqual((mf1[1].fieldsV1 as J)['f:status']['f:podIPs'], { '.': {}, 'k:{"ip":"10.1.0.5"}': { '.': {}, 'f:ip': {} } });
  assert.equal(mf1[0].fieldsV1, created.metadata.managedFields[0].fieldsV1, 'an untouched owner keeps its FieldsV1 object');
  // Writing the same status again changes no ownership: the same entries.
  const s1b = { ...s1, metadata: { ...s1.metadata, managedFields: mf1 } };
  const s2 = { ...s1b, metadata: { ...s1b.metadata }, status: { ...s1b.status, phase: 'Running' } };
  const mf2 = managedFieldsAfterUpdate(s1b, s2, 'kubelet', 'v1', 'Update', { now: T2, subresource: 'status' });
  assert.equal(mf2[1].fieldsV1, mf1[1].fieldsV1);
});

test('FieldSet.toFieldsV1: "." first, children sorted, whatever the insertion order', () => {
  const s = FieldSet.fromPaths([['f:spec', 'f:z'], ['f:spec'], ['f:spec', 'f:a', 'f:b'], ['f:spec', 'k:{"x":1}'], ['f:meta']]);
  const got = s.toFieldsV1() as J;
  assert.deepEqual(Object.keys(got), ['f:meta', 'f:spec']);
  assert.deepEqual(Object.keys(got['f:spec']), ['.', 'f:a', 'f:z', 'k:{"x":1}']);
  assert.equal(JSON.stringify(got), '{"f:meta":{},"f:spec":{".":{},"f:a":{"f:b":{}},"f:z":{},"k:{\\"x\\":1}":{}}}');
  assert.ok(FieldSet.fromFieldsV1(got).equals(s));
});

test('strategic merge patch: shares what the patch leaves alone, equals a patch of a copy', () => {
  const doc = deepFreeze({
    ...pod({ containers: [c('a'), c('b')], nodeName: 'n1' }, { labels: { app: 'p' } }),
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }] },
  }) as JsonObject;
  const patch = { metadata: { uid: 'u' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }] } };
  const got = strategicMergePatch(doc, patch, 'Pod');
  assert.deepEqual(got, strategicMergePatch(clone(doc), patch, 'Pod'));
  assert.equal(got.spec, doc.spec, 'spec untouched: the same object');
  const conds = (got.status as J).conditions as J[];
  assert.deepEqual(conds.map(x => [x.type, x.status]), [['PodScheduled', 'True'], ['Ready', 'True'], ['Initialized', 'True']]);
  assert.equal(conds[0], (doc.status as J).conditions[0], 'an item the patch does not name is shared');
  const p2 = strategicMergePatch(doc, { spec: { containers: [{ name: 'b', image: 'y' }] } }, 'Pod');
  assert.equal((p2.spec as J).containers[0], (doc.spec as J).containers[0]);
  assert.equal((p2.spec as J).containers[1].image, 'y');
});

test('strategic merge patch: a "__proto__" key is a plain field, never the prototype', () => {
  const got = strategicMergePatch(deepFreeze({ a: 1 }) as JsonObject, JSON.parse('{"__proto__":{"polluted":1}}'), 'ConfigMap');
  assert.equal(({} as J).polluted, undefined);
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.deepEqual(JSON.parse(JSON.stringify(got)), JSON.parse('{"a":1,"__proto__":{"polluted":1}}'));
});
