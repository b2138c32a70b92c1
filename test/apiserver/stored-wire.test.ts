/**
 * A plain JSON list renders objects that are not decoded from their stored text with the
 * resourceVersion spliced in (codec.ts storedWire): it must be byte for byte what
 * decoding and serialising gives, and give up on text it cannot splice.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { decode, encode, metadataEnd, storedWire, wireJson } from '../../src/apiserver/storage/codec.js';
import { decodeManagedFields, encodeManagedFields } from '../../src/api/patch/index.js';
import type { KeyValue } from '../../src/store/types.js';

const POD = '{"apiVersion":"v1","kind":"Pod",';
const kvOf = (o: unknown, rev = 42): KeyValue => ({ key: '/registry/core/pods/ns/x', value: encode(structuredClone(o) as KubeObject), createRevision: 1, modRevision: rev });

describe('stored wire JSON', () => {
  const cases: Record<string, unknown> = {
    plain: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    'empty metadata': { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: {} },
    'metadata last': { apiVersion: 'v1', kind: 'Pod', spec: { template: { metadata: { name: 'inner' } } }, metadata: { name: 'b' } },
    'quotes, braces and escapes in strings': {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'c', annotations: { 'a"}{': '\\"}]{[', 'metadata': '"metadata":{', e: '\u00e9\u2028\\' } },
      status: { message: '}}}' },
    },
    'nested arrays': { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'd', finalizers: ['x', 'y'], ownerReferences: [{ uid: 'u', k: [[{}]] }] } },
  };
  for (const [name, o] of Object.entries(cases)) {
    it(`splices like decode + stringify: ${name}`, () => {
      const spliced = storedWire(kvOf(o), POD);
      assert.ok(spliced !== undefined);
      assert.equal(spliced, wireJson(decode(kvOf(o))));
      assert.equal(JSON.parse(spliced).metadata.resourceVersion, '42');
    });
  }

  it('gives up on text of another kind, without metadata, or already decoded', () => {
    assert.equal(storedWire(kvOf({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } }), POD), undefined);
    assert.equal(storedWire(kvOf({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a' } }), POD), undefined);
    assert.equal(storedWire(kvOf({ apiVersion: 'v1', kind: 'Pod', metadata: 'odd' }), POD), undefined);
    const kv = kvOf(cases.plain);
    decode(kv);
    assert.equal(storedWire(kv, POD), undefined);
  });

  it('finds only the top-level metadata', () => {
    const t = '{"spec":{"metadata":{"a":1}},"metadata":{"name":"x"},"status":{}}';
    assert.equal(t.slice(0, metadataEnd(t) + 1), '{"spec":{"metadata":{"a":1}},"metadata":{"name":"x"}');
    assert.equal(metadataEnd('{"spec":{}}'), -1);
  });

  it('keeps an object\'s JSON where JSON, keys, spread and clones do not see it', () => {
    const o = decode(kvOf(cases.plain));
    const text = wireJson(o);
    assert.equal(wireJson(o), text, 'computed once');
    assert.deepEqual(Object.keys(o), ['apiVersion', 'kind', 'metadata', 'spec']);
    assert.equal(JSON.stringify(o), text);
    const copy = { ...o, spec: { containers: [] } };
    assert.equal(wireJson(copy), JSON.stringify(copy), 'a copy carries no stale text');
    assert.deepEqual(structuredClone(o), JSON.parse(text));
    const frozen = Object.freeze({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'f' } });
    assert.equal(wireJson(frozen), JSON.stringify(frozen), 'a frozen object is serialised, not annotated');
  });

  it('stores what JSON.stringify writes (without resourceVersion), managedFields texts kept or not', () => {
    const entry = (manager: string, fieldsV1: unknown, extra: Record<string, unknown> = {}) =>
      ({ manager, operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1, ...extra });
    const fv = { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {} } } } };
    const mf = [entry('a"b\\"fieldsV1":0', fv), entry('kubelet', { 'f:status': { 'f:phase': {} } }, { subresource: 'status' })];
    const objects: Record<string, Record<string, unknown>> = {
      'managedFields last': { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', resourceVersion: '7', labels: { app: 'x' }, managedFields: mf }, spec: {} },
      'managedFields only': { apiVersion: 'v1', kind: 'Pod', metadata: { managedFields: mf } },
      'managedFields first': { apiVersion: 'v1', kind: 'Pod', metadata: { managedFields: mf, name: 'b', labels: { managedFields: '0' } } },
      'odd entries': { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c', managedFields: [null, 3, entry('m', null), entry('n', fv, { time: 5 }), { fieldsV1: fv }] } },
    };
    for (const [name, o] of Object.entries(objects)) {
      const { resourceVersion: _, ...meta } = o.metadata as Record<string, unknown>;
      const want = JSON.stringify({ ...o, metadata: meta });
      assert.equal(encode(o as KubeObject).toString(), want, `${name}: first write`);
      // A write reading the stored entries marks their FieldsV1 canonical; later writes keep their text.
      const managers = decodeManagedFields(meta.managedFields, true);
      const again = { ...o, metadata: { ...meta, managedFields: encodeManagedFields(managers) } };
      assert.equal(encode(again as KubeObject).toString(), JSON.stringify(again), `${name}: rewritten entries`);
      assert.equal(encode(again as KubeObject).toString(), JSON.stringify(again), `${name}: texts kept`);
    }
  });
});
