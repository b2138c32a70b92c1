import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPatch } from '../../src/api/patch/index.js';
import { assertFails, deepFreeze, POD } from './helpers.js';

// RFC 7386 appendix A, as objects (the top level of a Kubernetes object is always one).
const cases: { name: string; original: unknown; patch: unknown; want: unknown }[] = [
  { name: 'replace value', original: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'add key', original: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
  { name: 'null deletes', original: { a: 'b' }, patch: { a: null }, want: {} },
  { name: 'null deletes one of two', original: { a: 'b', b: 'c' }, patch: { a: null }, want: { b: 'c' } },
  { name: 'list replaces list', original: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'scalar replaces list', original: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
  { name: 'nested merge with null', original: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, want: { a: { b: 'd' } } },
  { name: 'list of objects replaced', original: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
  { name: 'nested null pruned from new object', original: { e: null }, patch: { a: 1 }, want: { e: null, a: 1 } },
  { name: 'object over scalar, nulls pruned', original: { a: 'foo' }, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
  { name: 'kubectl label', original: { metadata: { name: 'p', labels: { app: 'x' } } },
    patch: { metadata: { labels: { env: 'prod' } } }, want: { metadata: { name: 'p', labels: { app: 'x', env: 'prod' } } } },
  { name: 'kubectl label env-', original: { metadata: { name: 'p', labels: { app: 'x', env: 'prod' } } },
    patch: { metadata: { labels: { env: null } } }, want: { metadata: { name: 'p', labels: { app: 'x' } } } },
  { name: 'kubectl annotate --overwrite', original: { metadata: { annotations: { a: '1' } } },
    patch: { metadata: { annotations: { a: '2' } } }, want: { metadata: { annotations: { a: '2' } } } },
  { name: 'kubectl scale on a Scale', original: { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 1 } },
    patch: { spec: { replicas: 3 } }, want: { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 3 }, status: { replicas: 1 } } },
  { name: 'finalizers cleared', original: { metadata: { finalizers: ['a', 'b'] } }, patch: { metadata: { finalizers: null } }, want: { metadata: {} } },
];

for (const c of cases) {
  test(`merge patch: ${c.name}`, () => {
    const got = applyPatch('merge', deepFreeze(c.original) as object, deepFreeze(c.patch), POD);
    assert.deepEqual(got, c.want);
  });
}

for (const [name, body] of [['array', [1]], ['string', '"x"'], ['null', null], ['number', 3]] as const) {
  test(`merge patch: ${name} body is 400`, () => {
    assertFails(() => applyPatch('merge', { a: 1 }, body, POD), { status: 400, message: 'Invalid JSON Patch' });
  });
}
