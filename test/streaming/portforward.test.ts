/**
 * port-forward: kubectl's SPDY/3.1-in-WebSocket variant driven by our own client, and
 * the channel variant driven by @kubernetes/client-node's PortForward, both against
 * real listeners on 127.0.0.1 standing in for the pod's ports.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, get, type Server } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import { pooledOnread, servePortForward } from '../../src/node/streaming/index.js';
import { channelClient, upgradeServer, waitFor } from './helpers.js';
import { SpdyTestClient } from './spdy-client.js';

const listen = async <T extends Server | ReturnType<typeof createServer>>(s: T) => {
  await new Promise<void>(r => s.listen(0, '127.0.0.1', () => r()));
  return (s.address() as AddressInfo).port;
};

describe('port-forward', () => {
  let srv: Awaited<ReturnType<typeof upgradeServer>>;
  const http = createHttpServer((req, res) => {
    const body = `hello from ${req.url}`;
    res.writeHead(200, { 'Content-Length': Buffer.byteLength(body), 'Content-Type': 'text/plain' });
    res.end(body);
  });
  const podSockets = new Set<Socket>();
  const echo = createServer(s => { podSockets.add(s); s.on('close', () => podSockets.delete(s)); s.pipe(s); });
  const ports = new Map<number, number>();
  before(async () => {
    ports.set(80, await listen(http));
    ports.set(7, await listen(echo));
    const closed = createServer();
    ports.set(81, await listen(closed));
    await new Promise(r => closed.close(r));
    srv = await upgradeServer((req, socket, head, url) => servePortForward(req, socket, head, url, {
      podName: 'web', uid: 'u1', pingIntervalMs: 0,
      // Pod connections read into pooled buffers, as the agent's are.
      dial: port => new Promise((resolve, reject) => {
        let s: Socket | undefined;
        s = connect({ port: ports.get(port) ?? 1, host: '127.0.0.1', onread: pooledOnread(() => s!) });
        s.once('connect', () => resolve(s!)).once('error', reject);
      }),
    }));
  });
  after(async () => {
    await srv.close();
    http.close();
    echo.close();
    for (const s of podSockets) s.destroy();
  });
  const wsUrl = (q = '') => `ws://127.0.0.1:${srv.port}/api/v1/namespaces/default/pods/web/portforward${q}`;
  const httpUrl = () => `http://127.0.0.1:${srv.port}/api/v1/namespaces/default/pods/web/portforward`;

  describe('SPDY/3.1 in WebSocket (kubectl)', () => {
    async function pair(c: SpdyTestClient, port: number, id: number) {
      const h = { port: String(port), requestid: String(id) };
      const error = await c.open({ ...h, streamtype: 'error' });
      error.end(); // kubectl closes its side of the error stream at once
      const data = await c.open({ ...h, streamtype: 'data' });
      return { error, data };
    }

    it('20 parallel HTTP requests over one connection', async () => {
      const c = await SpdyTestClient.connect(httpUrl());
      const texts = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        const { error, data } = await pair(c, 80, i);
        data.write(`GET /req-${i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        await data.done();
        await error.done();
        assert.equal(error.text(), '');
        assert.equal(error.fin, true);
        return data.text();
      }));
      texts.forEach((t, i) => assert.match(t, new RegExp(`^HTTP/1.1 200 OK[\\s\\S]*hello from /req-${i}$`)));
      c.close();
      await c.closed;
    });

    it('moves 8 MB each way on 2 concurrent connections intact, half-closing towards the pod', async () => {
      const c = await SpdyTestClient.connect(httpUrl());
      await Promise.all([0, 1].map(async i => {
        const payload = randomBytes(8 << 20);
        const { data } = await pair(c, 7, i);
        for (let off = 0; off < payload.length; off += 100_000) data.write(payload.subarray(off, off + 100_000));
        data.end(); // echo server ends after our FIN, which ends the data stream
        await data.done();
        assert.equal(data.fin, true);
        assert.ok(data.bytes().equals(payload));
      }));
      c.close();
    });

    it('answers PINGs and keeps stream ids apart', async () => {
      const c = await SpdyTestClient.connect(httpUrl());
      c.ping(1);
      c.ping(3);
      await waitFor(() => c.pings.length === 2);
      assert.deepEqual(c.pings, [1, 3]);
      c.close();
    });

    it('a refused pod port is reported on the error stream', async () => {
      const c = await SpdyTestClient.connect(httpUrl());
      const { error, data } = await pair(c, 81, 0);
      await error.done();
      await data.done();
      assert.match(error.text(), /^error forwarding port 81 to pod web, uid u1: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
      assert.equal(data.fin, true);
      c.close();
    });

    it('streams with bad headers are reset', async () => {
      const c = await SpdyTestClient.connect(httpUrl());
      await assert.rejects(c.open({ streamtype: 'data', requestid: '1' }), /reset: 5/);
      await assert.rejects(c.open({ streamtype: 'bogus', port: '80', requestid: '1' }), /reset: 5/);
      await assert.rejects(c.open({ streamtype: 'data', port: '0', requestid: '1' }), /reset: 5/);
      // still usable afterwards
      const { data } = await pair(c, 80, 9);
      data.write('GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await data.done();
      assert.match(data.text(), /hello from \/after$/);
      c.close();
    });

    it('pairs streams of old clients without requestID by stream id', async () => {
      const c = await SpdyTestClient.connect(httpUrl());
      const error = await c.open({ streamtype: 'error', port: '80' });
      const data = await c.open({ streamtype: 'data', port: '80' });
      assert.equal(data.id, error.id + 2);
      data.write('GET /old HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await data.done();
      assert.match(data.text(), /hello from \/old$/);
      c.close();
    });

    it('a client that stops reading stops the reads from the pod: nothing piles up in the server', async () => {
      // The pod offers 1 GiB; once the client pauses, only socket buffers may fill (kernel
      // buffers on both TCP hops autotune to tens of MB here), never the whole offer.
      const offer = 1 << 30;
      let written = 0;
      const hose = createServer(s => {
        s.on('error', () => {});
        const chunk = Buffer.alloc(1 << 20);
        const pump = () => {
          while (written < offer) { written += chunk.length; if (!s.write(chunk)) { s.once('drain', pump); return; } }
          s.end();
        };
        pump();
      });
      ports.set(19, await listen(hose));
      const c = await SpdyTestClient.connect(httpUrl());
      try {
        const { data } = await pair(c, 19, 0);
        await waitFor(() => data.chunks.length > 0);
        c.ws.pause();
        let last = -1;
        let still = 0;
        await waitFor(() => {
          still = written === last ? still + 1 : 0;
          last = written;
          return still >= 30; // unchanged for a while: the pod's writes are blocked
        }, 30_000);
        assert.ok(written < 160 << 20, `the pod got to write ${written >> 20} MiB of the 1024 offered`);
      } finally {
        c.ws.terminate();
        hose.close();
      }
    });

    it('closing the WebSocket closes the pod connections', async () => {
      const c = await SpdyTestClient.connect(httpUrl());
      const before = podSockets.size;
      const { data } = await pair(c, 7, 1);
      data.write('ping');
      await waitFor(() => data.text() === 'ping');
      assert.equal(podSockets.size, before + 1);
      c.ws.terminate();
      await waitFor(() => podSockets.size === before);
    });
  });

  describe('channel protocol (client-node)', () => {
    it('client-node PortForward: 20 parallel requests through a local listener', async () => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'c', server: `http://127.0.0.1:${srv.port}`, skipTLSVerify: true }],
        users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
      });
      const pf = new PortForward(kc);
      const local = createServer(sock => { void pf.portForward('default', 'web', [80], sock, null, sock); });
      const localPort = await listen(local);
      try {
        const bodies = await Promise.all(Array.from({ length: 20 }, (_, i) => new Promise<string>((resolve, reject) => {
          get({ host: '127.0.0.1', port: localPort, path: `/cn-${i}`, agent: false, headers: { Connection: 'close' } }, res => {
            let b = '';
            res.setEncoding('utf8').on('data', d => { b += d; }).on('end', () => resolve(b));
          }).on('error', reject);
        })));
        bodies.forEach((b, i) => assert.equal(b, `hello from /cn-${i}`));
      } finally {
        local.close();
      }
    });

    it('client-node PortForward: 4 MB echoed intact (pooled reads leave as one message each, header and channel byte in front)', async () => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'c', server: `http://127.0.0.1:${srv.port}`, skipTLSVerify: true }],
        users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
      });
      const pf = new PortForward(kc);
      const local = createServer(sock => { void pf.portForward('default', 'web', [7], sock, null, sock); });
      const localPort = await listen(local);
      try {
        const payload = randomBytes(4 << 20);
        const got = await new Promise<Buffer>((resolve, reject) => {
          const parts: Buffer[] = [];
          let n = 0;
          const s = connect(localPort, '127.0.0.1', () => s.write(payload));
          s.on('data', (d: Buffer) => { parts.push(d); n += d.length; if (n >= payload.length) { s.destroy(); resolve(Buffer.concat(parts)); } });
          s.on('error', reject);
        });
        assert.ok(got.equals(payload));
      } finally {
        local.close();
      }
    });

    for (const protocol of ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io']) {
      it(`${protocol}: port prefix on both channels, data both ways, close when the pod closes`, async () => {
        const c = await channelClient(wsUrl('?ports=80'), [protocol]);
        await waitFor(() => c.messages.length >= 2);
        assert.deepEqual(c.messages.slice(0, 2), [[0, Buffer.from([80, 0])], [1, Buffer.from([80, 0])]]);
        c.send(0, 'GET /ch HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        assert.equal(await c.closed, 1000);
        assert.match(c.text(0).slice(2), /hello from \/ch$/);
        assert.equal(c.text(1), 'P\0');
      });
    }

    it('client-node offers v5 first and gets v4, like against the kubelet', async () => {
      const c = await channelClient(wsUrl('?ports=7'), ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io']);
      assert.equal(c.protocol, 'v4.channel.k8s.io');
      c.ws.close();
    });

    it('a refused port is reported on the error channel', async () => {
      const c = await channelClient(wsUrl('?ports=81'), ['v4.channel.k8s.io']);
      await c.closed;
      assert.match(c.text(1).slice(2), /^error forwarding port 81 to pod web, uid u1: connect ECONNREFUSED/);
    });

    it('no port: 400 before the upgrade', async () => {
      await assert.rejects(channelClient(wsUrl(''), ['v4.channel.k8s.io']), /HTTP 400/);
    });
  });
});
