import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestError } from '../../src/api/errors.js';
import { decodeProtobuf } from '../../src/api/protobuf/index.js';
import { envelope, msg, objectMeta } from './encoder.js';
import { KUBECTL_FIXTURES } from './kubectl-fixtures.js';

function rejects(body: Uint8Array, message: RegExp): void {
  assert.throws(() => decodeProtobuf(body), (err: unknown) => {
    assert.ok(err instanceof BadRequestError, `expected BadRequestError, got ${String(err)}`);
    assert.equal(err.code, 'KL_BAD_REQUEST');
    assert.equal(err.httpStatus, 400);
    assert.match(err.message, message);
    return true;
  });
}

test('bad magic: empty, JSON, short', () => {
  rejects(new Uint8Array(0), /magic bytes/);
  rejects(Buffer.from('{"kind":"Namespace"}'), /magic bytes/);
  rejects(Uint8Array.from([0x6b, 0x38, 0x73]), /magic bytes/);
});

test('envelope without apiVersion/kind, with contentEncoding, or with a JSON contentType', () => {
  rejects(Buffer.concat([Uint8Array.from([0x6b, 0x38, 0x73, 0]), msg([2, new Uint8Array(0)])]), /no apiVersion and kind/);
  rejects(envelope('v1', 'Namespace', msg(), [[3, 'gzip']]), /contentEncoding "gzip"/);
  rejects(envelope('v1', 'Namespace', msg(), [[4, 'application/json']]), /contentType/);
});

test('kinds without a protobuf schema', () => {
  rejects(envelope('v1', 'Frobnicator', msg()), /v1, Kind=Frobnicator/);
  rejects(envelope('apps/v1', 'DeploymentSpec', msg()), /apps\/v1, Kind=DeploymentSpec/);
  rejects(envelope('example.com/v1', 'Widget', msg()), /example\.com\/v1, Kind=Widget/);
});

test('wrong wire type names the field path', () => {
  rejects(envelope('v1', 'Namespace', msg([1, [[1, 5]]])), /at metadata\.name/);
  rejects(envelope('apps/v1', 'Deployment', msg([2, [[1, 'two']]])), /int32 field replicas.*at spec\.replicas/);
  rejects(envelope('v1', 'Pod', msg([2, [[2, [[1, 'c'], [3, 7]]]]])), /at spec\.containers\[0\]\.command/);
});

test('truncated and malformed encodings', () => {
  const magic = [0x6b, 0x38, 0x73, 0];
  rejects(Uint8Array.from([...magic, 0x0a, 0x05, 0x0a]), /truncated field/);
  rejects(Uint8Array.from([...magic, 0x12, 0x80]), /truncated varint/);
  rejects(Uint8Array.from([...magic, 0x08, ...Array(11).fill(0xff)]), /longer than 10 bytes/);
  rejects(Uint8Array.from([...magic, 0x0b]), /groups/);
  rejects(Uint8Array.from([...magic, 0x0e]), /invalid wire type 6/);
  rejects(envelope('v1', 'Namespace', Uint8Array.from([0x0a, 0x7f, 0x0a, 0x01])), /truncated field.*at metadata/);
  rejects(envelope('apps/v1', 'ControllerRevision', msg([1, objectMeta('r')], [2, [[1, '{not json']]])), /RawExtension does not hold valid JSON at data/);
  rejects(envelope('coordination.k8s.io/v1', 'Lease', msg([2, [[3, [[1, 1e12]]]]])), /Time out of range/);
});

test('every prefix of a real kubectl body decodes or throws BadRequestError', () => {
  for (const f of KUBECTL_FIXTURES) {
    const body = Buffer.from(f.hex, 'hex');
    for (let n = 0; n < body.length; n++) {
      try { decodeProtobuf(body.subarray(0, n)); } catch (err) {
        assert.ok(err instanceof BadRequestError, `${f.name} cut at ${n}: ${String(err)}`);
      }
    }
  }
});

test('random garbage and bit flips never escape as anything but BadRequestError', () => {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const base = Buffer.from(KUBECTL_FIXTURES.find(f => f.name === 'deployment')!.hex, 'hex');
  for (let i = 0; i < 3000; i++) {
    let body: Buffer;
    if (i % 2) {
      body = Buffer.from(base);
      for (let k = 0; k < 3; k++) body[4 + Math.floor(rand() * (body.length - 4))] ^= 1 << Math.floor(rand() * 8);
    } else {
      body = Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0]), Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)))]);
    }
    try { decodeProtobuf(body); } catch (err) {
      assert.ok(err instanceof BadRequestError, `case ${i} (${body.toString('hex')}): ${String(err)}`);
    }
  }
});
