/** Bad input gets a clear 4xx Status and never hurts the server; invalid objects name their fields. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './harness.js';
import { clientFromKubeconfig, type HttpClient } from './raw-client.js';

const PODS = '/api/v1/namespaces/default/pods';

describe('bad input and invalid objects', () => {
  let ts: TestServer;
  let c: HttpClient;
  before(async () => { ts = await startTestServer(); c = clientFromKubeconfig(ts.kubeconfig); });
  after(async () => { c?.close(); await ts?.stop(); });

  const status = (r: { body: string }) => JSON.parse(r.body) as { kind: string; reason: string; code: number; message: string; details?: { causes?: Array<{ field: string }> } };

  it('rejects requests without credentials with 401', async () => {
    const anon = clientFromKubeconfig(ts.kubeconfig, 1, true);
    const r = await anon.req('GET', PODS);
    anon.close();
    assert.equal(r.status, 401);
    assert.equal(status(r).reason, 'Unauthorized');
  });

  const cases: Array<[string, string, string | Buffer, Record<string, string>, number, string]> = [
    ['malformed JSON', 'POST', '{"apiVersion": "v1", "kind": ', {}, 400, 'BadRequest'],
    ['malformed YAML', 'POST', 'apiVersion: v1\nkind: [Pod\n', { 'Content-Type': 'application/yaml' }, 400, 'BadRequest'],
    ['a JSON array', 'POST', '[1,2,3]', {}, 400, 'BadRequest'],
    ['the wrong kind', 'POST', JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } }), {}, 400, 'BadRequest'],
    ['an unknown media type', 'POST', 'x', { 'Content-Type': 'text/csv' }, 415, 'UnsupportedMediaType'],
    ['garbage protobuf', 'POST', Buffer.from([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff]), { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, 400, 'BadRequest'],
    ['a huge body', 'POST', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big' }, data: 'x'.repeat(4 * 1024 * 1024) }), {}, 413, 'RequestEntityTooLarge'],
    ['deep nesting', 'POST', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":' + '{"a":'.repeat(20000) + '1' + '}'.repeat(20000) + '}', {}, 400, 'BadRequest'],
  ];
  for (const [name, method, body, headers, code, reason] of cases) {
    it(`answers ${name} with ${code} ${reason}`, async () => {
      const r = await c.req(method, PODS, body, headers);
      assert.equal(r.status, code, r.body.slice(0, 300));
      const st = status(r);
      assert.equal(st.kind, 'Status');
      assert.equal(st.reason, reason);
    });
  }

  it('refuses wrong JSON types at decoding, like Go', async () => {
    const r = await c.req('POST', PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'typed' }, spec: { containers: [{ name: 5, image: 'busybox' }] } });
    assert.equal(r.status, 400);
    assert.match(status(r).message, /cannot unmarshal number into Go struct field Container\.spec\.containers\.name of type string/);
  });

  it('answers unknown resources and groups with 404', async () => {
    for (const p of ['/api/v1/namespaces/default/widgets', '/apis/nope.example.com/v1/things', '/apis/apps/v9/deployments']) {
      const r = await c.req('GET', p);
      assert.equal(r.status, 404, p);
      assert.equal(status(r).reason, 'NotFound');
    }
  });

  it('still serves after all of that', async () => {
    const r = await c.req('GET', '/readyz');
    assert.equal(r.status, 200);
  });

  it('returns 409 Conflict on a stale resourceVersion and AlreadyExists on a duplicate', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cas' }, data: { a: '1' } };
    const created = JSON.parse((await c.req('POST', '/api/v1/namespaces/default/configmaps', cm)).body);
    const again = await c.req('POST', '/api/v1/namespaces/default/configmaps', cm);
    assert.equal(again.status, 409);
    assert.equal(status(again).reason, 'AlreadyExists');
    const upd = { ...created, data: { a: '2' } };
    assert.equal((await c.req('PUT', '/api/v1/namespaces/default/configmaps/cas', upd)).status, 200);
    const stale = await c.req('PUT', '/api/v1/namespaces/default/configmaps/cas', { ...created, data: { a: '3' } });
    assert.equal(stale.status, 409);
    assert.equal(status(stale).reason, 'Conflict');
    assert.match(status(stale).message, /the object has been modified/);
  });

  it('invalid manifests come back 422 naming each field, through kubectl', async () => {
    const bad: Array<[string, string[]]> = [
      [`apiVersion: v1
kind: Pod
metadata: {name: two-bad}
spec:
  restartPolicy: Sometimes
  containers:
  - name: a
    image: busybox
  - name: a
  - name: Bad_Name
    image: busybox
    ports: [{containerPort: 70000}]
`, ['spec.restartPolicy', 'spec.containers[1].name', 'spec.containers[1].image', 'spec.containers[2].name', 'spec.containers[2].ports[0].containerPort']],
      [`apiVersion: apps/v1
kind: Deployment
metadata: {name: mismatch}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: b}}
    spec: {containers: [{name: c, image: busybox}]}
`, ['spec.template.metadata.labels']],
      [`apiVersion: v1
kind: Service
metadata: {name: Not_A_Name}
spec:
  ports: [{port: 0}]
`, ['metadata.name', 'spec.ports[0].port']],
    ];
    for (const [i, [yaml, fields]] of bad.entries()) {
      const f = join(ts.dataDir, `bad-${i}.yaml`);
      writeFileSync(f, yaml);
      const r = await ts.kubectl(['apply', '-f', f]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /is invalid/);
      for (const field of fields) assert.ok(r.stderr.includes(field), `${field} missing in: ${r.stderr}`);
    }
    // The raw Status carries the causes.
    const r = await c.req('POST', PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'noimg' }, spec: { containers: [{ name: 'c' }] } });
    assert.equal(r.status, 422);
    assert.deepEqual(status(r).details?.causes?.map(x => x.field), ['spec.containers[0].image']);
  });

  it('dryRun=All validates and stores nothing', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dry' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    const r = await c.req('POST', `${PODS}?dryRun=All`, pod);
    assert.equal(r.status, 201);
    assert.equal((await c.req('GET', `${PODS}/dry`)).status, 404);
  });
});
