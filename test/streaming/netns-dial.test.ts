/**
 * Port-forward into a network namespace of its own (made for the test, removed after):
 * listeners bound to that namespace's 127.0.0.1 are reached through NetnsDialer's relay.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NetnsDialer, servePortForward } from '../../src/node/streaming/index.js';
import { upgradeServer } from './helpers.js';
import { SpdyTestClient } from './spdy-client.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : false;

describe('port-forward into a network namespace', { skip }, () => {
  const ns = `kubeling-pf-${randomBytes(3).toString('hex')}`;
  const netnsPath = `/var/run/netns/${ns}`;
  const dir = mkdtempSync(join(tmpdir(), 'kubeling-netns-'));
  const dialer = new NetnsDialer({ runDir: dir, idleMs: 5000 });
  let pod: ChildProcess;
  let srv: Awaited<ReturnType<typeof upgradeServer>>;
  before(async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    // The "pod": HTTP on 127.0.0.1:8080 and a talk-first service on 127.0.0.1:2222, inside the namespace only.
    pod = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', `
      const http = require('http'), net = require('net');
      http.createServer((q, s) => s.end('inside ' + q.url)).listen(8080, '127.0.0.1', () => {
        net.createServer(c => { c.write('banner\\n'); c.pipe(c); }).listen(2222, '127.0.0.1', () => console.log('up'));
      });`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise(r => pod.stdout!.once('data', r));
    srv = await upgradeServer((req, socket, head, url) => servePortForward(req, socket, head, url, {
      podName: 'web', uid: 'u1', pingIntervalMs: 0, dial: port => dialer.dial(netnsPath, port),
    }));
  });
  after(async () => {
    await srv?.close();
    dialer.closeAll();
    pod?.kill();
    await new Promise(r => setTimeout(r, 100));
    execFileSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function pair(c: SpdyTestClient, port: number, id: number) {
    const h = { port: String(port), requestid: String(id) };
    const error = await c.open({ ...h, streamtype: 'error' });
    error.end();
    return { error, data: await c.open({ ...h, streamtype: 'data' }) };
  }

  it('20 parallel requests to a localhost-only listener', async () => {
    const c = await SpdyTestClient.connect(`http://127.0.0.1:${srv.port}/pf`);
    const texts = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const { data } = await pair(c, 8080, i);
      data.write(`GET /n${i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      await data.done();
      return data.text();
    }));
    texts.forEach((t, i) => assert.match(t, new RegExp(`inside /n${i}$`)));
    c.close();
  });

  it('a service that speaks first, and half-close towards it', async () => {
    const c = await SpdyTestClient.connect(`http://127.0.0.1:${srv.port}/pf`);
    const { data } = await pair(c, 2222, 1);
    data.write('echo me');
    data.end();
    await data.done();
    assert.equal(data.text(), 'banner\necho me');
    c.close();
  });

  it('nothing listening: the error stream says so', async () => {
    const c = await SpdyTestClient.connect(`http://127.0.0.1:${srv.port}/pf`);
    const { error } = await pair(c, 9, 1);
    await error.done();
    assert.match(error.text(), /^error forwarding port 9 to pod web, uid u1: connect ECONNREFUSED 127\.0\.0\.1:9$/);
    c.close();
  });
});
