/**
 * The real kubectl against the streaming servers, through a stand-in API server that
 * serves only discovery, one Running pod and the upgrades (the real wiring comes with
 * the API server and agent). The exec target is a host child process, not a container.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, get, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bridgeSession, parseExecRequest, serveExecWebSocket, servePortForward } from '../../src/node/streaming/index.js';
import { childSession } from './helpers.js';

const hasKubectl = (() => { try { execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' }); return true; } catch { return false; } })();

const POD = {
  kind: 'Pod', apiVersion: 'v1',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '1' },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'busybox', imageID: '', state: { running: {} } }] },
};

const RESOURCES = {
  kind: 'APIResourceList', groupVersion: 'v1', resources: [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] },
    { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  ],
};

describe('real kubectl against the streaming servers', { skip: hasKubectl ? false : 'kubectl not installed' }, () => {
  let api: Server;
  let pod: Server;
  let dir: string;
  let kubeconfig: string;
  before(async () => {
    pod = createHttpServer((req, res) => res.end(`pod says ${req.url}`));
    await new Promise<void>(r => pod.listen(0, '127.0.0.1', r));
    const podPort = (pod.address() as AddressInfo).port;
    api = createHttpServer((req, res) => {
      const json = (o: unknown) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(o)); };
      const path = new URL(req.url!, 'http://x').pathname;
      if (path === '/version') return json({ major: '1', minor: '32', gitVersion: 'v1.32.4' });
      if (path === '/api') return json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      if (path === '/apis') return json({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
      if (path === '/api/v1') return json(RESOURCES);
      if (path === '/api/v1/namespaces/default/pods/web') return json(POD);
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }));
    });
    api.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname.endsWith('/exec')) {
        const r = parseExecRequest(url.searchParams);
        void serveExecWebSocket(req, socket, head, r, s => bridgeSession(s, childSession(r.command, r.tty)));
      } else if (url.pathname.endsWith('/portforward')) {
        void servePortForward(req, socket, head, url, {
          podName: 'web', uid: 'u1',
          dial: () => new Promise((resolve, reject) => { const s = connect(podPort, '127.0.0.1'); s.once('connect', () => resolve(s)).once('error', reject); }),
        });
      } else {
        socket.destroy();
      }
    });
    await new Promise<void>(r => api.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'kubeling-kubectl-'));
    kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${(api.address() as AddressInfo).port}"}}]
users: [{name: u, user: {}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]
current-context: x
`);
  });
  after(() => {
    api?.closeAllConnections();
    api?.close();
    pod?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = (args: string[], input?: string) => new Promise<{ code: number; stdout: string; stderr: string }>(resolve => {
    const p = execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    if (input !== undefined) p.stdin!.end(input);
  });

  it('exec prints stdout and stderr', async () => {
    const r = await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2']);
    assert.deepEqual(r, { code: 0, stdout: 'out\n', stderr: 'err\n' });
  });

  it('exec exits with the command\'s code', async () => {
    const r = await kubectl(['exec', 'web', '--', 'sh', '-c', 'exit 3']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /command terminated with exit code 3/);
  });

  it('exec -i pipes stdin and ends it', async () => {
    const data = randomBytes(300_000).toString('base64');
    const r = await kubectl(['exec', '-i', 'web', '--', 'sh', '-c', 'wc -c; echo done'], data);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${data.length}\ndone\n`);
  });

  it('exec -it runs on a pty of the terminal\'s size', async () => {
    // kubectl needs a terminal of its own for -t: `script` gives it one.
    const out = await new Promise<string>(resolve => {
      const cmd = `stty rows 33 cols 111; kubectl --kubeconfig ${kubeconfig} --cache-dir ${join(dir, 'cache')} exec -it web -- sh -c 'tty; stty size'`;
      const p = spawn('script', ['-qefc', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
      let o = '';
      p.stdout.on('data', d => { o += d; });
      p.on('close', () => resolve(o));
      setTimeout(() => p.kill(), 20_000).unref();
    });
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.match(out, /33 111/);
  });

  it('port-forward (SPDY in WebSocket): 20 parallel requests', async () => {
    const pf = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'port-forward', 'pod/web', ':80'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const local = await new Promise<number>((resolve, reject) => {
        let o = '';
        let e = '';
        pf.stdout.on('data', d => { o += d; const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(o); if (m) resolve(Number(m[1])); });
        pf.stderr.on('data', d => { e += d; });
        pf.on('exit', code => reject(new Error(`kubectl exited ${code}: ${e}`)));
      });
      const bodies = await Promise.all(Array.from({ length: 20 }, (_, i) => new Promise<string>((resolve, reject) => {
        get({ host: '127.0.0.1', port: local, path: `/k${i}`, agent: false }, res => {
          let b = '';
          res.setEncoding('utf8').on('data', d => { b += d; }).on('end', () => resolve(b));
        }).on('error', reject);
      })));
      bodies.forEach((b, i) => assert.equal(b, `pod says /k${i}`));
      assert.equal(pf.exitCode, null, 'still forwarding');
    } finally {
      pf.kill();
    }
  });
});
