/**
 * exec over the WebSocket channel protocols, end to end with the `ws` client against
 * a fake exec target: a host child process (sh), not a container.
 */
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Exec, KubeConfig } from '@kubernetes/client-node';
import {
  bridgeSession, parseExecRequest, serveExecWebSocket, type RemoteCommandResult,
} from '../../src/node/streaming/index.js';
import { channelClient, childSession, upgradeServer, waitFor } from './helpers.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'];
const V4ish = (p: string) => p.startsWith('v4.') || p.startsWith('v5.');

describe('exec over WebSocket', () => {
  let srv: Awaited<ReturnType<typeof upgradeServer>>;
  const results: RemoteCommandResult[] = [];
  before(async () => {
    srv = await upgradeServer(async (req, socket, head, url) => {
      const r = parseExecRequest(url.searchParams);
      results.push(await serveExecWebSocket(req, socket, head, { ...r, pingIntervalMs: 0 }, s => bridgeSession(s, childSession(r.command, r.tty))));
    });
  });
  after(() => srv.close());
  const url = (cmd: string[], q = 'stdout=true&stderr=true') =>
    `ws://127.0.0.1:${srv.port}/exec?${cmd.map(c => `command=${encodeURIComponent(c)}`).join('&')}&${q}`;

  for (const protocol of PROTOCOLS) {
    describe(protocol, () => {
      it('streams stdout and stderr, then Success', async () => {
        const c = await channelClient(url(['sh', '-c', 'echo out; echo err >&2']), [protocol]);
        assert.equal(c.protocol, protocol);
        assert.equal(await c.closed, 1000);
        assert.deepEqual(c.messages[0], [1, Buffer.alloc(0)], 'empty notice on stdout first');
        assert.equal(c.text(1), 'out\n');
        assert.equal(c.text(2), 'err\n');
        const status = c.messages.filter(m => m[0] === 3).map(m => m[1].toString());
        assert.deepEqual(status, V4ish(protocol) ? ['{"metadata":{},"status":"Success"}'] : []);
      });

      it('reports a non-zero exit code', async () => {
        const c = await channelClient(url(['sh', '-c', 'exit 3']), [protocol]);
        await c.closed;
        const msg = 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3';
        const status = c.text(3);
        if (V4ish(protocol)) {
          assert.equal(status, JSON.stringify({
            metadata: {}, status: 'Failure', message: msg, reason: 'NonZeroExitCode',
            details: { causes: [{ reason: 'ExitCode', message: '3' }] },
          }));
        } else {
          assert.equal(status, msg);
        }
      });

      it('pipes stdin to the command', async () => {
        const c = await channelClient(url(['sh', '-c', 'read a; echo got $a'], 'stdin=true&stdout=true'), [protocol]);
        c.send(0, 'hello\n');
        await c.closed;
        assert.equal(c.text(1), 'got hello\n');
      });
    });
  }

  it('v5: the close signal [255,0] is stdin EOF', async () => {
    const c = await channelClient(url(['cat'], 'stdin=true&stdout=true'), ['v5.channel.k8s.io']);
    c.send(0, 'a\nb\n');
    c.ws.send(Buffer.of(255, 0));
    assert.equal(await c.closed, 1000);
    assert.equal(c.text(1), 'a\nb\n');
    assert.equal(c.text(3), '{"metadata":{},"status":"Success"}');
  });

  it('large output arrives whole and in order', async () => {
    const c = await channelClient(url(['sh', '-c', 'seq 1 200000'], 'stdout=true'), ['v5.channel.k8s.io']);
    await c.closed;
    const lines = c.text(1).trimEnd().split('\n');
    assert.equal(lines.length, 200000);
    assert.equal(lines.at(-1), '200000');
  });

  it('the client offers several protocols: its first supported one wins', async () => {
    const c = await channelClient(url(['true']), ['v9.channel.k8s.io', 'v4.channel.k8s.io', 'v5.channel.k8s.io']);
    assert.equal(c.protocol, 'v4.channel.k8s.io');
    await c.closed;
  });

  it('no supported protocol: HTTP 400 before the upgrade', async () => {
    await assert.rejects(channelClient(url(['true']), ['v3.channel.k8s.io']), /HTTP 400/);
  });

  it('tty: a real pty, resize reaches it, no stderr channel', async () => {
    const cmd = ['sh', '-c', 'tty; trap "stty size; exit 0" WINCH; echo ready; while :; do sleep 0.05; done'];
    const c = await channelClient(url(cmd, 'stdin=true&stdout=true&stderr=true&tty=true'), ['v5.channel.k8s.io']);
    await waitFor(() => c.text(1).includes('ready'));
    assert.match(c.text(1), /^\/dev\/pts\/\d+/);
    c.send(4, JSON.stringify({ Width: 123, Height: 45 }));
    assert.equal(await c.closed, 1000);
    assert.match(c.text(1), /45 123/);
    assert.equal(c.messages.filter(m => m[0] === 2).length, 0);
    assert.equal(c.text(3), '{"metadata":{},"status":"Success"}');
  });

  it('tty: the command starts on the first terminal size the client sends', async () => {
    const sizes: unknown[] = [];
    const s2 = await upgradeServer(async (req, socket, head) => {
      await serveExecWebSocket(req, socket, head, { stdin: true, stdout: true, stderr: false, tty: true, pingIntervalMs: 0 },
        async st => { sizes.push(st.initialSize); return 0; });
    });
    try {
      const c = await channelClient(`ws://127.0.0.1:${s2.port}/x`, ['v5.channel.k8s.io']);
      await new Promise(r => setTimeout(r, 50));
      c.send(4, '{"Width":80,"Height":24}');
      await c.closed;
      const c2 = await channelClient(`ws://127.0.0.1:${s2.port}/x`, ['v5.channel.k8s.io']); // never sends one
      await c2.closed;
      assert.deepEqual(sizes, [{ width: 80, height: 24 }, undefined]);
    } finally { await s2.close(); }
  });

  it('a client that goes away kills the command', async () => {
    const c = await channelClient(url(['sleep', '30'], 'stdout=true'), ['v5.channel.k8s.io']);
    c.ws.terminate();
    await waitFor(() => results.some(r => r.aborted), 3000);
  });

  it('@kubernetes/client-node Exec: output, stdin and the status', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${srv.port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
    });
    let out = '';
    const stdout = new Writable({ write(c, _e, cb) { out += c; cb(); } });
    const stdin = new PassThrough();
    const status = await new Promise<unknown>(resolve => {
      void new Exec(kc).exec('default', 'web', 'c', ['sh', '-c', 'read x; echo "got $x"; exit 5'], stdout, null, stdin, false, resolve);
      stdin.end('from client-node\n');
    });
    assert.equal(out, 'got from client-node\n');
    assert.deepEqual(status, JSON.parse(JSON.stringify({
      metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
      message: 'command terminated with non-zero exit code: error executing command [sh -c read x; echo "got $x"; exit 5], exit code 5',
      details: { causes: [{ reason: 'ExitCode', message: '5' }] },
    })));
  });

  it('a failing start is an InternalError status', async () => {
    const s2 = await upgradeServer(async (req, socket, head) => {
      await serveExecWebSocket(req, socket, head, { stdin: false, stdout: true, stderr: false, tty: false, pingIntervalMs: 0 },
        async () => { throw new Error('container not running'); });
    });
    try {
      const c = await channelClient(`ws://127.0.0.1:${s2.port}/x`, ['v5.channel.k8s.io']);
      await c.closed;
      assert.deepEqual(JSON.parse(c.text(3)), {
        metadata: {}, status: 'Failure', reason: 'InternalError', code: 500,
        message: 'Internal error occurred: error executing command in container: container not running',
        details: { causes: [{ message: 'error executing command in container: container not running' }] },
      });
    } finally { await s2.close(); }
  });
});
