/**
 * exec, attach, cp and port-forward end to end: the real kubectl (and client-node)
 * against a real `kubeling server`, whose API server relays the upgrades to its node
 * agent, which runs real runc pods.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Exec, KubeConfig, PortForward } from '@kubernetes/client-node';
import { eventually, NodeCluster, rootSkip } from '../node/cluster.js';

const hasKubectl = (() => { try { execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' }); return true; } catch { return false; } })();

const pods = (node: string) => `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "mkdir -p /www /lo && echo hello-httpd > /www/index.html && echo hello-local > /lo/index.html && httpd -p 80 -h /www && httpd -p 127.0.0.1:8080 -h /lo && exec sleep 100000"]
  - name: side
    image: busybox
    env: [{name: WHO, value: side-car}]
    command: ["sleep", "100000"]
---
apiVersion: v1
kind: Pod
metadata: {name: talk}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: echo
    image: busybox
    stdin: true
    command: ["sh", "-c", "while read l; do echo got:$l; done"]
  - name: ticker
    image: busybox
    command: ["sh", "-c", "while true; do echo tick; echo tock >&2; sleep 0.3; done"]
  - name: term
    image: busybox
    stdin: true
    tty: true
    command: ["sh"]
---
apiVersion: v1
kind: Pod
metadata: {name: half}
spec:
  nodeName: ${node}
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - {name: done, image: busybox, command: ["true"]}
  - {name: runs, image: busybox, command: ["sleep", "100000"]}
`;

/** Starts `kubectl port-forward`; resolves with the local port it listens on. */
async function portForward(c: NodeCluster, args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', join(c.dataDir, 'kube-cache'), 'port-forward', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let o = '';
    proc.stdout!.on('data', d => { o += d; const m = /127\.0\.0\.1:(\d+)/.exec(o); if (m) resolve(Number(m[1])); });
    proc.on('exit', code => reject(new Error(`kubectl port-forward exited ${code}`)));
  });
  return { proc, port };
}

function httpGet(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res: IncomingMessage) => {
      let b = '';
      res.setEncoding('utf8').on('data', d => { b += d; }).on('end', () => resolve(b));
    }).on('error', reject);
  });
}

/** Runs kubectl until its stdout matches `until`, then stops it; returns what it printed. */
function kubectlUntil(c: NodeCluster, args: string[], until: RegExp, input?: string): Promise<{ out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', join(c.dataDir, 'kube-cache'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { p.kill(); reject(new Error(`kubectl ${args.join(' ')}: no ${until} in ${JSON.stringify(out)} ${err}`)); }, 30_000);
    p.stdout.on('data', d => { out += d; if (until.test(out)) { clearTimeout(timer); p.kill(); resolve({ out, err }); } });
    p.stderr.on('data', d => { err += d; });
    if (input !== undefined) p.stdin.write(input);
  });
}

describe('kubectl exec, attach, cp, port-forward through kubeling server', { skip: rootSkip || (hasKubectl ? false : 'kubectl not installed') }, () => {
  let c: NodeCluster;
  let kc: KubeConfig;
  before(async () => {
    c = new NodeCluster();
    await c.start();
    await c.k(['apply', '-f', '-'], pods(c.nodeName));
    for (const p of ['web', 'talk', 'half']) {
      await eventually(async () => (await c.k(['get', 'pod', p, '-o', 'jsonpath={.status.phase}'])) === 'Running', 60_000, `${p} running`);
    }
    await eventually(async () => (await c.kubectl(['exec', 'web', '-c', 'main', '--', 'test', '-f', '/lo/index.html'])).code === 0, 20_000, 'httpd up');
    kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
  });
  after(async () => {
    if (!c) return;
    await c.kubectl(['delete', 'pod', '--all', '--grace-period=0', '--force']);
    await c.destroy();
    assert.deepEqual(c.leftovers(), []);
  });

  it('exec: output, stdin, exit codes, a chosen container', async () => {
    assert.equal(await c.k(['exec', 'web', '-c', 'main', '--', 'cat', '/www/index.html']), 'hello-httpd\n');
    assert.equal(await c.k(['exec', '-i', 'web', '-c', 'main', '--', 'cat'], 'hi\n'), 'hi\n');
    const big = await c.kubectl(['exec', '-i', 'web', '-c', 'main', '--', 'wc', '-c'], 'x'.repeat(1 << 20));
    assert.equal(big.stdout.trim(), String(1 << 20));
    const r = await c.kubectl(['exec', 'web', '-c', 'main', '--', 'sh', '-c', 'echo oops >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'oops\ncommand terminated with exit code 3\n');
    assert.equal(await c.k(['exec', 'web', '-c', 'side', '--', 'sh', '-c', 'echo $WHO']), 'side-car\n');
    // Without -c kubectl picks the first container and says so.
    const d = await c.kubectl(['exec', 'web', '--', 'hostname']);
    assert.equal(d.stdout, 'web\n');
    assert.match(d.stderr, /Defaulted container "main" out of: main, side/);
  });

  it('exec -it under a pseudo-terminal gets a pty of the terminal\'s size', async () => {
    const out = await new Promise<string>(resolve => {
      const cmd = `stty rows 33 cols 101; kubectl --kubeconfig ${c.kubeconfig} --cache-dir ${join(c.dataDir, 'kube-cache')} exec -it web -c main -- sh -c 'tty; stty size; exit 4'; echo "rc=$?"`;
      const p = spawn('script', ['-qefc', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
      let o = '';
      p.stdout.on('data', d => { o += d; });
      p.on('close', () => resolve(o));
      setTimeout(() => p.kill(), 30_000).unref();
    });
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.match(out, /33 101/);
    assert.match(out, /rc=4/);
  });

  it('exec errors: a container that is not running, one the pod does not have, no such pod', async () => {
    let r = await c.kubectl(['exec', 'half', '-c', 'done', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container not found \("done"\)/);
    r = await c.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/half/exec?command=true&stdout=true&container=nope']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Upgrade request required/);
    r = await c.kubectl(['exec', 'nope', '--', 'true']);
    assert.match(r.stderr, /pods "nope" not found/);
  });

  it('the upgrade needs credentials: 401 without a client certificate', async () => {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpsRequest(`${c.url}/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true`, {
        rejectUnauthorized: false, headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' },
      });
      req.on('response', resolve).on('upgrade', () => reject(new Error('upgraded without credentials'))).on('error', reject).end();
    });
    assert.equal(res.statusCode, 401);
    let body = '';
    for await (const d of res) body += d;
    assert.equal(JSON.parse(body).reason, 'Unauthorized');
  });

  it('attach: the output of a running container, and stdin of one started with stdin', async () => {
    const tick = await kubectlUntil(c, ['attach', 'talk', '-c', 'ticker'], /tick\n(.|\n)*tick\n/);
    assert.match(tick.out, /^(tick\n)+$/);
    const echo = await kubectlUntil(c, ['attach', '-i', 'talk', '-c', 'echo'], /got:hello/, 'hello\n');
    assert.match(echo.out, /got:hello\n/);
    // stdin stays open between attaches (stdinOnce is false).
    const again = await kubectlUntil(c, ['attach', '-i', 'talk', '-c', 'echo'], /got:again/, 'again\n');
    assert.match(again.out, /got:again\n/);
  });

  it('attach -it to a container started with tty: a shell on a pty of the terminal\'s size', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const cmd = `stty rows 21 cols 77; kubectl --kubeconfig ${c.kubeconfig} --cache-dir ${join(c.dataDir, 'kube-cache')} attach -it talk -c term`;
      const p = spawn('script', ['-qefc', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
      let o = '';
      const timer = setTimeout(() => { p.kill(); reject(new Error(`no size in ${JSON.stringify(o)}`)); }, 30_000);
      const ask = setInterval(() => p.stdin.write('stty size; tty\r'), 500);
      p.stdout.on('data', d => {
        o += d;
        if (/21 77\r?\n/.test(o) && /\/dev\/pts\/\d+/.test(o)) { clearTimeout(timer); clearInterval(ask); p.kill(); resolve(o); }
      });
    });
    assert.match(out, /21 77/);
  });

  it('cp a file in and back out, byte for byte', async () => {
    const blob = randomBytes(3 << 20);
    const src = join(c.dataDir, 'blob.bin');
    const back = join(c.dataDir, 'back.bin');
    writeFileSync(src, blob);
    await c.k(['cp', src, 'web:/tmp/blob.bin', '-c', 'main']);
    assert.equal((await c.k(['exec', 'web', '-c', 'main', '--', 'wc', '-c', '/tmp/blob.bin'])).trim(), `${3 << 20} /tmp/blob.bin`);
    await c.k(['cp', 'web:/tmp/blob.bin', back, '-c', 'main']);
    assert.ok(readFileSync(back).equals(blob));
  });

  it('port-forward to busybox httpd and to a listener on the pod\'s 127.0.0.1: 20 parallel requests each', async () => {
    for (const [port, body] of [[80, 'hello-httpd\n'], [8080, 'hello-local\n']] as const) {
      const f = await portForward(c, ['pod/web', `:${port}`]);
      try {
        const bodies = await Promise.all(Array.from({ length: 20 }, () => httpGet(f.port)));
        for (const b of bodies) assert.equal(b, body);
      } finally {
        f.proc.kill();
      }
    }
  });

  it('port-forward carries 24 MB intact, three downloads at once (pooled reads reused many times over)', async () => {
    await c.k(['exec', 'web', '-c', 'main', '--', 'sh', '-c', `head -c ${24 << 20} /dev/urandom > /www/big.bin`]);
    const want = (await c.k(['exec', 'web', '-c', 'main', '--', 'sha256sum', '/www/big.bin'])).split(' ')[0];
    const f = await portForward(c, ['pod/web', ':80']);
    try {
      const sums = await Promise.all([0, 1, 2].map(() => new Promise<string>((resolve, reject) => {
        get({ host: '127.0.0.1', port: f.port, path: '/big.bin', agent: false }, (res: IncomingMessage) => {
          const h = createHash('sha256');
          res.on('data', d => h.update(d)).on('end', () => resolve(h.digest('hex')));
        }).on('error', reject);
      })));
      assert.deepEqual(sums, [want, want, want]);
    } finally {
      f.proc.kill();
      await c.kubectl(['exec', 'web', '-c', 'main', '--', 'rm', '-f', '/www/big.bin']);
    }
  });

  it('client-node Exec and PortForward', async () => {
    let out = '';
    const stdout = new Writable({ write(d, _e, cb) { out += d; cb(); } });
    const stdin = new PassThrough();
    const status = await new Promise<{ status?: string; details?: { causes?: { message?: string }[] } }>(resolve => {
      void new Exec(kc).exec('default', 'web', 'main', ['sh', '-c', 'read x; echo "got $x"; exit 5'], stdout, null, stdin, false, resolve);
      stdin.end('from client-node\n');
    });
    assert.equal(out, 'got from client-node\n');
    assert.equal(status.status, 'Failure');
    assert.equal(status.details?.causes?.[0]?.message, '5');

    const forward = new PortForward(kc);
    const local = createServer(sock => { void forward.portForward('default', 'web', [8080], sock, null, sock); });
    await new Promise<void>(r => local.listen(0, '127.0.0.1', r));
    try {
      const port = (local.address() as AddressInfo).port;
      const bodies = await Promise.all(Array.from({ length: 20 }, () => httpGet(port)));
      for (const b of bodies) assert.equal(b, 'hello-local\n');
    } finally {
      local.close();
    }
  });

  it('port-forward ends when the pod goes away', async () => {
    await c.k(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: brief}
spec:
  nodeName: ${c.nodeName}
  terminationGracePeriodSeconds: 0
  containers:
  - {name: c, image: busybox, command: ["sh", "-c", "mkdir /w && echo brief > /w/index.html && exec httpd -f -p 80 -h /w"]}
`);
    await eventually(async () => (await c.k(['get', 'pod', 'brief', '-o', 'jsonpath={.status.phase}'])) === 'Running', 60_000, 'brief running');
    const f = await portForward(c, ['pod/brief', ':80']);
    const exited = new Promise<number | null>(r => f.proc.once('exit', code => r(code)));
    try {
      assert.equal(await eventually(async () => httpGet(f.port).catch(() => undefined), 20_000, 'brief serving'), 'brief\n');
      await c.k(['delete', 'pod', 'brief', '--wait=false']);
      assert.notEqual(await exited, 0);
    } finally {
      f.proc.kill();
    }
  });
});
