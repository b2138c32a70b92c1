/**
 * The real kubectl against the streaming servers, through a stand-in API server that
 * serves only discovery, one Running pod and the upgrades (the real wiring comes with
 * the API server and agent). The exec target is a host child process, not a container.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, get, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { startStandInApi, type StandInApi } from './standin-api.js';

const hasKubectl = (() => { try { execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' }); return true; } catch { return false; } })();

describe('real kubectl against the streaming servers', { skip: hasKubectl ? false : 'kubectl not installed' }, () => {
  let pod: Server;
  before(async () => {
    pod = createHttpServer((req, res) => res.end(`pod says ${req.url}`));
    await new Promise<void>(r => pod.listen(0, '127.0.0.1', r));
  });
  after(() => { pod?.close(); });
  // kubectl 1.32 speaks WebSocket; with these switched off it falls back to plain SPDY/3.1.
  // Each also through a relay to a separate agent server, as API server → node agent.
  for (const [transport, upgrade, env, viaAgent] of [
    ['WebSocket', 'websocket', {}, false],
    ['plain SPDY/3.1', 'spdy/3.1', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, false],
    ['WebSocket, relayed to an agent', 'websocket', {}, true],
    ['plain SPDY/3.1, relayed to an agent', 'spdy/3.1', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, true],
  ] as const) describe(transport, () => {
    let api: StandInApi;
    before(async () => { api = await startStandInApi((pod.address() as AddressInfo).port, { viaAgent }); });
    after(() => api?.close());
    const kubectl = (args: string[], input?: string) => api.kubectl(args, input, env);
    // A refused WebSocket would silently fall back to SPDY: check which one was used.
    afterEach(() => assert.equal(api.upgrades.at(-1), upgrade));

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
        const cmd = `stty rows 33 cols 111; kubectl ${api.flags.join(' ')} exec -it web -- sh -c 'tty; stty size'`;
        const p = spawn('script', ['-qefc', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
        let o = '';
        p.stdout.on('data', d => { o += d; });
        p.on('close', () => resolve(o));
        setTimeout(() => p.kill(), 20_000).unref();
      });
      assert.match(out, /\/dev\/pts\/\d+/);
      assert.match(out, /33 111/);
    });

    it('port-forward: 20 parallel requests', async () => {
      const pf = spawn('kubectl', [...api.flags, 'port-forward', 'pod/web', ':80'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
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
        // A client that reads until EOF: kubectl closes the local side once the pod closed.
        const t0 = Date.now();
        const raw = await new Promise<string>((resolve, reject) => {
          const s = connect(local, '127.0.0.1', () => s.write('GET /eof HTTP/1.0\r\n\r\n'));
          let b = '';
          s.setEncoding('utf8').on('data', d => { b += d; }).on('end', () => resolve(b)).on('error', reject);
        });
        assert.match(raw, /pod says \/eof$/);
        assert.ok(Date.now() - t0 < 5000, `EOF after ${Date.now() - t0} ms`);
        assert.equal(pf.exitCode, null, 'still forwarding');
      } finally {
        pf.kill();
      }
    });
  });
});
