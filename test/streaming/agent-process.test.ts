/**
 * The API server reaches an agent in another process (as on another machine) over HTTPS
 * with its kubelet-client certificate — no shared token: exec, logs and port-forward
 * (relayed, not handed over in-process) work, and the agent refuses callers without a
 * certificate of the cluster CA.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { get, request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, NodeCluster, rootSkip } from '../node/cluster.js';

describe('an agent in its own process, reached over authenticated HTTPS', { skip: rootSkip }, () => {
  let c: NodeCluster;
  before(async () => {
    c = new NodeCluster();
    await c.start({ agentProcess: true });
    await c.k(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: remote}
spec:
  nodeName: ${c.nodeName}
  terminationGracePeriodSeconds: 0
  containers:
  - {name: c, image: busybox, command: ["sh", "-c", "mkdir -p /w && echo remote-httpd > /w/index.html && httpd -p 80 -h /w && echo started; exec sleep 100000"]}
`);
    await eventually(async () => (await c.k(['get', 'pod', 'remote', '-o', 'jsonpath={.status.phase}'])) === 'Running', 60_000, 'remote running');
  });
  after(async () => {
    if (!c) return;
    await c.kubectl(['delete', 'pod', '--all', '--grace-period=0', '--force']);
    await c.destroy();
    assert.deepEqual(c.leftovers(), []);
  });

  it('kubectl exec and logs go through', async () => {
    assert.equal(await c.k(['exec', 'remote', '--', 'hostname']), 'remote\n');
    const r = await c.kubectl(['exec', 'remote', '--', 'sh', '-c', 'exit 3']);
    assert.equal(r.code, 3);
    assert.equal(await c.k(['logs', 'remote']), 'started\n');
  });

  it('kubectl port-forward goes through the relay to the agent', async () => {
    const pf = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', join(c.dataDir, 'kube-cache'), 'port-forward', 'pod/remote', ':80'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let o = '';
        pf.stdout.on('data', d => { o += d; const m = /127\.0\.0\.1:(\d+)/.exec(o); if (m) resolve(Number(m[1])); });
        pf.on('exit', code => reject(new Error(`kubectl port-forward exited ${code}`)));
      });
      const bodies = await Promise.all([0, 1, 2].map(() => new Promise<string>((resolve, reject) => {
        httpGet({ host: '127.0.0.1', port, path: '/', agent: false }, res => {
          let b = '';
          res.on('data', d => { b += d; }).on('end', () => resolve(b));
        }).on('error', reject);
      })));
      assert.deepEqual(bodies, ['remote-httpd\n', 'remote-httpd\n', 'remote-httpd\n']);
    } finally {
      pf.kill();
    }
  });

  it('the agent answers 401 to a caller without credentials, over TLS', async () => {
    const port = Number(await c.k(['get', 'node', c.nodeName, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']));
    const health = await new Promise<string>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false }, res => {
        let b = '';
        res.on('data', d => { b += d; }).on('end', () => resolve(b));
      }).on('error', reject);
    });
    assert.equal(health, 'ok');
    const code = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/containerLogs/default/remote/c', rejectUnauthorized: false }, res => { res.resume(); resolve(res.statusCode); });
      req.on('error', reject).end();
    });
    assert.equal(code, 401);
  });
});
