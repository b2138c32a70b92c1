import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiVersionOf, RESOURCES } from '../../src/api/resources.js';
import { decodeProtobuf, protobufKinds } from '../../src/api/protobuf/index.js';
import { goDuration } from '../../src/api/protobuf/special.js';
import { envelope, msg, objectMeta } from './encoder.js';
import { KUBECTL_FIXTURES } from './kubectl-fixtures.js';

for (const f of KUBECTL_FIXTURES) {
  test(`kubectl 1.32 body: ${f.name}`, () => {
    const d = decodeProtobuf(Buffer.from(f.hex, 'hex'));
    assert.deepEqual(d.object, f.want, f.cmd);
    if (d.kind === 'TokenRequest') return; // a subresource of core serviceaccounts
    const group = d.apiVersion.includes('/') ? d.apiVersion.split('/')[0] : '';
    assert.ok(f.path.startsWith(group ? `/apis/${d.apiVersion}/` : '/api/v1/'), f.path);
  });
}

test('every kind in RESOURCES decodes (plus RBAC, Ingress, TokenRequest, HPA, Scale, Eviction)', () => {
  const kinds = protobufKinds().map(k => `${k.apiVersion} ${k.kind}`);
  for (const r of RESOURCES) assert.ok(kinds.includes(`${apiVersionOf(r)} ${r.kind}`), `${apiVersionOf(r)} ${r.kind}`);
  for (const extra of ['rbac.authorization.k8s.io/v1 ClusterRoleBinding', 'networking.k8s.io/v1 Ingress',
    'authentication.k8s.io/v1 TokenRequest', 'autoscaling/v1 HorizontalPodAutoscaler', 'autoscaling/v2 HorizontalPodAutoscaler',
    'autoscaling/v1 Scale', 'policy/v1 Eviction']) assert.ok(kinds.includes(extra), extra);
  for (const { apiVersion, kind } of protobufKinds()) {
    const d = decodeProtobuf(envelope(apiVersion, kind, msg([1, objectMeta('x', 'ns')])));
    assert.deepEqual(d.object, { apiVersion, kind, metadata: { name: 'x', namespace: 'ns' } }, `${apiVersion} ${kind}`);
  }
});

test('Go duration strings', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'], [1n, '1ns'], [1500n, '1.5µs'], [2_000_000n, '2ms'], [1_500_000_000n, '1.5s'],
    [3_600_000_000_000n, '1h0m0s'], [5_400_000_000_000n, '1h30m0s'], [90_000_000_000n, '1m30s'], [-2_000_000_000n, '-2s'],
  ];
  for (const [ns, want] of cases) assert.equal(goDuration(ns), want);
});
