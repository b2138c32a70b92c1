import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPatch } from '../../src/api/patch/index.js';
import { assertFails, deepFreeze, POD, type WantError } from './helpers.js';

const GENERIC_422 = 'the server rejected our request due to an error in our request';
const doc = { metadata: { name: 'p', labels: { a: '1', 'x/y': '2', 'm~n': '3' } }, spec: { list: [1, 2, 3], o: { k: 'v' } } };

const cases: { name: string; patch: unknown; want?: unknown; err?: WantError }[] = [
  { name: 'add key', patch: [{ op: 'add', path: '/metadata/labels/b', value: 'x' }],
    want: { ...doc, metadata: { ...doc.metadata, labels: { ...doc.metadata.labels, b: 'x' } } } },
  { name: 'add replaces an existing key', patch: [{ op: 'add', path: '/spec/o/k', value: 'w' }],
    want: { ...doc, spec: { ...doc.spec, o: { k: 'w' } } } },
  { name: 'add at index inserts', patch: [{ op: 'add', path: '/spec/list/1', value: 9 }],
    want: { ...doc, spec: { ...doc.spec, list: [1, 9, 2, 3] } } },
  { name: 'add with - appends', patch: [{ op: 'add', path: '/spec/list/-', value: 4 }],
    want: { ...doc, spec: { ...doc.spec, list: [1, 2, 3, 4] } } },
  { name: 'add at length appends', patch: [{ op: 'add', path: '/spec/list/3', value: 4 }],
    want: { ...doc, spec: { ...doc.spec, list: [1, 2, 3, 4] } } },
  { name: '~1 and ~0 escapes', patch: [{ op: 'remove', path: '/metadata/labels/x~1y' }, { op: 'replace', path: '/metadata/labels/m~0n', value: 'z' }],
    want: { ...doc, metadata: { ...doc.metadata, labels: { a: '1', 'm~n': 'z' } } } },
  { name: 'remove list item', patch: [{ op: 'remove', path: '/spec/list/0' }],
    want: { ...doc, spec: { ...doc.spec, list: [2, 3] } } },
  { name: 'replace keeps key position', patch: [{ op: 'replace', path: '/metadata/name', value: 'q' }],
    want: { ...doc, metadata: { ...doc.metadata, name: 'q' } } },
  { name: 'move', patch: [{ op: 'move', from: '/spec/o/k', path: '/spec/k' }],
    want: { ...doc, spec: { list: [1, 2, 3], o: {}, k: 'v' } } },
  { name: 'copy', patch: [{ op: 'copy', from: '/spec/o', path: '/spec/p' }],
    want: { ...doc, spec: { ...doc.spec, p: { k: 'v' } } } },
  { name: 'test passes then replace', patch: [{ op: 'test', path: '/spec/o', value: { k: 'v' } }, { op: 'replace', path: '/spec/list', value: [] }],
    want: { ...doc, spec: { ...doc.spec, list: [] } } },
  { name: 'test failure is 422', patch: [{ op: 'test', path: '/metadata/name', value: 'other' }],
    err: { status: 422, reason: 'Invalid', message: GENERIC_422 } },
  { name: 'remove missing key is 422', patch: [{ op: 'remove', path: '/metadata/nope' }], err: { status: 422, message: GENERIC_422 } },
  { name: 'replace missing key is 422', patch: [{ op: 'replace', path: '/spec/nope', value: 1 }], err: { status: 422 } },
  { name: 'add under missing parent is 422', patch: [{ op: 'add', path: '/status/phase', value: 'x' }], err: { status: 422 } },
  { name: 'index out of range is 422', patch: [{ op: 'add', path: '/spec/list/7', value: 1 }], err: { status: 422 } },
  { name: 'leading zero index is 422', patch: [{ op: 'remove', path: '/spec/list/01' }], err: { status: 422 } },
  { name: 'move into own child is 422', patch: [{ op: 'move', from: '/spec', path: '/spec/o/x' }], err: { status: 422 } },
  { name: 'unknown op is 422', patch: [{ op: 'frobnicate', path: '/spec' }], err: { status: 422 } },
  { name: 'later failure discards earlier ops', patch: [{ op: 'remove', path: '/spec' }, { op: 'test', path: '/x', value: 1 }], err: { status: 422 } },
  { name: 'object body is 400', patch: { op: 'add' }, err: { status: 400, reason: 'BadRequest', message: /cannot unmarshal object/ } },
  { name: 'text body is parsed', patch: '[{"op":"remove","path":"/spec"}]', want: { metadata: doc.metadata } },
  { name: 'bad JSON text is 400', patch: '[{', err: { status: 400 } },
];

for (const c of cases) {
  test(`json patch: ${c.name}`, () => {
    const original = deepFreeze(structuredClone(doc));
    const patch = deepFreeze(c.patch);
    if (c.err) {
      const e = assertFails(() => applyPatch('json', original, patch, POD), c.err);
      if (c.err.status === 422) assert.deepEqual(e.toStatus().details, {});
      return;
    }
    assert.deepEqual(applyPatch('json', original, patch, POD), c.want);
  });
}

test('json patch: more than 10000 operations is 413', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/spec/o/k', value: 'v' }));
  assertFails(() => applyPatch('json', doc, ops, POD), { status: 413 });
});
