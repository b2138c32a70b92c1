/** The empty OpenAPI v2 document kubectl's client-side validation falls back to. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OPENAPI_V2_PROTOBUF, openapiV2 } from '../../src/apiserver/openapi/index.js';

// Reads length-delimited protobuf fields: [field number, bytes][].
function fields(buf: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  for (let i = 0; i < buf.length;) {
    const tag = buf[i++];
    assert.equal(tag & 7, 2, 'wire type 2');
    const len = buf[i++];
    out.push([tag >> 3, buf.subarray(i, i + len)]);
    i += len;
  }
  return out;
}

it('answers kubectl in protobuf, as application/octet-stream like kube-apiserver', () => {
  const r = openapiV2(`${OPENAPI_V2_PROTOBUF}, application/json`);
  assert.equal(r.contentType, 'application/octet-stream');
  const doc = fields(r.body);
  assert.deepEqual(doc.map(([n]) => n), [1, 2]);
  assert.equal(doc[0][1].toString(), '2.0');
  assert.deepEqual(fields(doc[1][1]).map(([n, b]) => [n, b.toString()]), [[1, 'Kubernetes'], [2, 'v1.32.0']]);
});

it('answers other clients in JSON', () => {
  const r = openapiV2('application/json');
  assert.equal(r.contentType, 'application/json');
  assert.deepEqual(JSON.parse(r.body.toString()), { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, definitions: {} });
});
