/** The agent's HTTP endpoint: token check, logs through the LogSource, extra routes, in-process upgrades. */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentServer, inProcessAgent } from '../../../src/node/server/agent-server.js';
import { c, pod, run } from './builders.js';

describe('AgentServer', () => {
  let s: AgentServer;
  let base: string;
  let dir: string;
  const auth = { Authorization: 'Bearer secret' };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubeling-agent-server-'));
    const log = join(dir, '0.log');
    await writeFile(log, '2026-01-01T00:00:00.000000001Z stdout F hello\n');
    const p = pod({ containers: [c('app')] }, {
      containerStatuses: [{ name: 'app', image: '', imageID: '', ready: true, restartCount: 0, containerID: 'runc://c1', state: { running: {} } }],
    });
    s = new AgentServer({
      token: 'secret', logger: { info() {}, warn() {}, error() {} },
      logs: {
        pod: (ns, name) => (ns === 'ns' && name === 'p' ? p : undefined),
        podStatus: x => x.status,
        runs: async () => [run('app', 'running', { id: 'c1', logPath: log })],
        state: async () => 'exited',
      },
    });
    s.route('GET', /^\/hello\/(\w+)$/, async (_req, res, m) => { res.end(`hi ${m[1]}`); });
    base = `http://127.0.0.1:${await s.listen('127.0.0.1', 0)}`;
  });
  after(async () => { await s.close(); await rm(dir, { recursive: true, force: true }); });

  it('answers /healthz to anyone and everything else only with the token', async () => {
    assert.equal(await (await fetch(`${base}/healthz`)).text(), 'ok');
    const r = await fetch(`${base}/containerLogs/ns/p/app`);
    assert.equal(r.status, 401);
    assert.equal((await r.json()).reason, 'Unauthorized');
  });

  it('serves a container log, and Status errors as the kubelet words them', async () => {
    assert.equal(await (await fetch(`${base}/containerLogs/ns/p/app?timestamps=true`, { headers: auth })).text(), '2026-01-01T00:00:00.000000001Z hello\n');
    const nf = await fetch(`${base}/containerLogs/ns/nope/app`, { headers: auth });
    assert.equal(nf.status, 404);
    assert.equal((await nf.json()).message, 'pods "nope" not found');
    const bad = await fetch(`${base}/containerLogs/ns/p/other`, { headers: auth });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).message, 'container other is not valid for pod p');
  });

  it('serves extra routes behind the token', async () => {
    assert.equal(await (await fetch(`${base}/hello/world`, { headers: auth })).text(), 'hi world');
    assert.equal((await fetch(`${base}/hello/world`)).status, 401);
  });

  it('is found by its local socket while it listens there, and serves upgrades handed over in-process', async () => {
    const path = join(dir, 'agent.sock');
    await s.listenLocal(path);
    assert.equal(inProcessAgent(path), s);
    const seen: string[] = [];
    s.upgrade((_req, socket, _head, url) => {
      if (!url.pathname.startsWith('/echo/')) return false;
      seen.push(url.pathname);
      socket.end('HTTP/1.1 101 Switching Protocols\r\n\r\n');
      return true;
    });
    const req = { headers: {} } as IncomingMessage;
    const socket = new PassThrough();
    let written = '';
    socket.on('data', d => { written += d; });
    // No token on the request: the API server of this process has authenticated the caller.
    await s.serveUpgradeInProcess(req, socket, Buffer.alloc(0), new URL('http://agent/echo/x'));
    assert.deepEqual(seen, ['/echo/x']);
    assert.equal(written, 'HTTP/1.1 101 Switching Protocols\r\n\r\n');

    const other = new PassThrough();
    let refused = '';
    other.on('data', d => { refused += d; });
    await s.serveUpgradeInProcess(req, other, Buffer.alloc(0), new URL('http://agent/nothing'));
    assert.match(refused, /^HTTP\/1.1 404 Not Found/);
  });

  it('is no longer found once closed', async () => {
    const path = join(dir, 'closing.sock');
    const t = new AgentServer({ token: 't', logger: { info() {}, warn() {}, error() {} }, logs: { pod: () => undefined, podStatus: () => undefined, runs: async () => [], state: async () => undefined } });
    await t.listenLocal(path);
    assert.equal(inProcessAgent(path), t);
    await t.close();
    assert.equal(inProcessAgent(path), undefined);
  });
});
