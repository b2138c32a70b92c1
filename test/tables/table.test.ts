import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { humanDuration, toTable } from '../../src/apiserver/tables/index.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration (duration.HumanDuration)', () => {
  const cases: Array<[number, string]> = [
    [-3 * S, '<invalid>'], [-1500, '0s'], [0, '0s'], [5 * S, '5s'], [119 * S, '119s'], [2 * M, '2m'],
    [2 * M + 10 * S, '2m10s'], [9 * M + 59 * S, '9m59s'], [10 * M + 30 * S, '10m'], [179 * M, '179m'], [3 * H, '3h'],
    [4 * H + 30 * M, '4h30m'], [8 * H + 5 * M, '8h'], [47 * H, '47h'], [2 * D, '2d'], [4 * D, '4d'], [4 * D + 5 * H, '4d5h'],
    [8 * D, '8d'], [400 * D, '400d'], [730 * D, '2y'], [733 * D, '2y3d'], [9 * 365 * D, '9y'],
  ];
  for (const [ms, want] of cases) it(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
});

describe('toTable', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  const cm = {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'cfg', namespace: 'default', uid: 'u1', resourceVersion: '42', labels: { a: 'b' }, creationTimestamp: '2024-05-01T11:59:55Z' },
    data: { k: 'v' },
  };
  it('is a meta.k8s.io/v1 Table with list metadata and PartialObjectMetadata rows', () => {
    const t = toTable({ group: '', plural: 'configmaps' }, [cm], { includeObject: 'Metadata', resourceVersion: '50', continue: 'tok', remainingItemCount: 3, now });
    assert.deepEqual(t, {
      kind: 'Table', apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '50', continue: 'tok', remainingItemCount: 3 },
      columnDefinitions: [
        { name: 'Name', type: 'string', format: 'name', description: t.columnDefinitions[0]!.description, priority: 0 },
        { name: 'Data', type: 'string', format: '', description: t.columnDefinitions[1]!.description, priority: 0 },
        { name: 'Age', type: 'string', format: '', description: t.columnDefinitions[2]!.description, priority: 0 },
      ],
      rows: [{ cells: ['cfg', 1, '5s'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata } }],
    });
    assert.ok(t.columnDefinitions.every(c => c.description.length > 0));
  });
  it('includeObject=Object carries the whole object, None a null', () => {
    assert.equal(toTable({ group: '', plural: 'configmaps' }, [cm], { includeObject: 'Object', now }).rows[0]!.object, cm);
    assert.equal(toTable({ group: '', plural: 'configmaps' }, [cm], { includeObject: 'None', now }).rows[0]!.object, null);
  });
  it('omits empty list metadata and, with noHeaders, the column definitions', () => {
    const t = toTable({ group: '', plural: 'configmaps' }, [], { includeObject: 'Metadata', noHeaders: true, now });
    assert.deepEqual(t.metadata, {});
    assert.deepEqual(t.columnDefinitions, []);
    assert.deepEqual(t.rows, []);
  });
  it('rejects an unknown includeObject', () => {
    assert.throws(() => toTable({ group: '', plural: 'configmaps' }, [cm], { includeObject: 'All' as never, now }),
      { name: 'BadRequestError', message: 'unrecognized includeObject value: "All"' });
  });
  it('unknown resources get the default Name / Created At columns', () => {
    const t = toTable({ group: 'example.com', plural: 'widgets' }, [{ metadata: { name: 'w', creationTimestamp: '2024-01-02T03:04:05Z' } }], { includeObject: 'None', now });
    assert.deepEqual(t.columnDefinitions.map(c => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
    assert.deepEqual(t.rows[0]!.cells, ['w', '2024-01-02T03:04:05Z']);
  });
  it('ages: unset timestamps read <unknown>; default clock is now', () => {
    assert.equal(toTable({ group: '', plural: 'configmaps' }, [{ metadata: { name: 'x' } }], { includeObject: 'None' }).rows[0]!.cells[2], '<unknown>');
    const fresh = { metadata: { name: 'y', creationTimestamp: new Date().toISOString() } };
    assert.match(String(toTable({ group: '', plural: 'configmaps' }, [fresh], { includeObject: 'None' }).rows[0]!.cells[2]), /^[01]s$/);
  });
});
