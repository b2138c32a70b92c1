/** Service cluster IPs and node ports: allocated, honoured, refused, released, kept across restarts. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { k, startTestServer, type TestServer } from './harness.js';

const svc = (name: string, spec: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: ${name}}
${spec}`;

describe('service allocation', () => {
  let ts: TestServer;
  before(async () => { ts = await startTestServer(['--disable-agent', '--service-cidr', '10.96.0.0/16']); });
  after(async () => { await ts?.stop(); });

  const get = async (name: string) => JSON.parse(await k(ts, ['get', 'svc', name, '-o', 'json']));

  it('has the kubernetes service on the first address', async () => {
    assert.equal((await get('kubernetes')).spec.clusterIP, '10.96.0.1');
  });

  it('allocates, honours and refuses cluster IPs and node ports', async () => {
    await k(ts, ['apply', '-f', '-'], svc('a', '  ports: [{port: 80}]'));
    const a = await get('a');
    assert.match(a.spec.clusterIP, /^10\.96\./);
    await k(ts, ['apply', '-f', '-'], svc('b', '  clusterIP: 10.96.0.50\n  type: NodePort\n  ports: [{port: 80, nodePort: 30080}]'));
    const b = await get('b');
    assert.equal(b.spec.clusterIP, '10.96.0.50');
    assert.equal(b.spec.ports[0].nodePort, 30080);
    const taken = await ts.kubectl(['apply', '-f', '-'], { input: svc('c', '  clusterIP: 10.96.0.50\n  ports: [{port: 80}]') });
    assert.match(taken.stderr, /provided IP is already allocated/);
    const outside = await ts.kubectl(['apply', '-f', '-'], { input: svc('c', '  clusterIP: 10.1.0.5\n  ports: [{port: 80}]') });
    assert.match(outside.stderr, /not in the valid range/);
    const portTaken = await ts.kubectl(['apply', '-f', '-'], { input: svc('c', '  type: NodePort\n  ports: [{port: 80, nodePort: 30080}]') });
    assert.match(portTaken.stderr, /spec.ports\[0\].nodePort: Invalid value: 30080: provided port is already allocated/);
    await k(ts, ['apply', '-f', '-'], svc('d', '  type: NodePort\n  ports: [{port: 81}]'));
    const d = await get('d');
    assert.ok(d.spec.ports[0].nodePort >= 30000 && d.spec.ports[0].nodePort <= 32767);
    assert.match(await k(ts, ['get', 'svc', 'b']), /NodePort\s+10\.96\.0\.50\s+<none>\s+80:30080\/TCP/);
  });

  it('kubectl expose creates a service for a deployment', async () => {
    await k(ts, ['create', 'deployment', 'exp', '--image=busybox', '--port=8080']);
    assert.match(await k(ts, ['expose', 'deployment', 'exp', '--port=80', '--target-port=8080']), /service\/exp exposed/);
    const e = await get('exp');
    assert.equal(e.spec.ports[0].targetPort, 8080);
    assert.deepEqual(e.spec.selector, { app: 'exp' });
  });

  it('keeps allocations across a restart and releases them on delete', async () => {
    await ts.kill9();
    await ts.restart();
    const again = await ts.kubectl(['apply', '-f', '-'], { input: svc('e', '  clusterIP: 10.96.0.50\n  ports: [{port: 80}]') });
    assert.match(again.stderr, /already allocated/);
    await k(ts, ['delete', 'svc', 'b']);
    await k(ts, ['apply', '-f', '-'], svc('e', '  clusterIP: 10.96.0.50\n  type: NodePort\n  ports: [{port: 80, nodePort: 30080}]'));
    assert.equal((await get('e')).spec.clusterIP, '10.96.0.50');
  });
});
