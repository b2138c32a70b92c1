/**
 * A plain JSON list renders objects that are not decoded from their stored text with the
 * resourceVersion spliced in (codec.ts storedWire): it must be byte for byte what
 * decoding and serialising gives, and give up on text it cannot splice.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { decode, encode, metadataEnd, storedWire, wireJson } from '../../src/apiserver/storage/codec.js';
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
});
