/** proxyUpgrade: refusals and an unreachable agent reach the client as HTTP answers; the user's credentials stay behind. */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { parseExecRequest, proxyUpgrade, serveExec, bridgeSession } from '../../src/node/streaming/index.js';
import { channelClient, childSession, upgradeServer } from './helpers.js';

describe('upgrade proxy', () => {
  it('relays exec end to end, replacing the client\'s Authorization', async () => {
    const seen: (string | undefined)[] = [];
    const agent = await upgradeServer(async (req, socket, head, url) => {
      seen.push(req.headers.authorization);
      const r = parseExecRequest(url.searchParams);
      await serveExec(req, socket, head, { ...r, pingIntervalMs: 0 }, s => bridgeSession(s, childSession(r.command, r.tty)));
    });
    const api = await upgradeServer((req, socket, head) =>
      proxyUpgrade(req, socket, head, { host: '127.0.0.1', port: agent.port, path: req.url!, headers: { authorization: 'Bearer node' } }));
    try {
      const c = await channelClient(`ws://127.0.0.1:${api.port}/exec?command=echo&command=hi&stdout=1`, ['v5.channel.k8s.io']);
      assert.equal(await c.closed, 1000);
      assert.equal(c.text(1), 'hi\n');
      assert.deepEqual(seen, ['Bearer node']);
    } finally { await api.close(); await agent.close(); }
  });

  it('an agent refusing the upgrade: its status and body reach the client', async () => {
    const agent = await upgradeServer(async (req, socket, head, url) => { await serveExec(req, socket, head, parseExecRequest(url.searchParams), async () => 0); });
    const api = await upgradeServer((req, socket, head) => proxyUpgrade(req, socket, head, { host: '127.0.0.1', port: agent.port, path: req.url! }));
    try {
      await assert.rejects(channelClient(`ws://127.0.0.1:${api.port}/exec?command=true&stdout=1`, ['v1.bogus.k8s.io']), /HTTP 400/);
    } finally { await api.close(); await agent.close(); }
  });

  it('an unreachable agent is a 503 Status', async () => {
    const free = createServer();
    await new Promise<void>(r => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as AddressInfo).port;
    await new Promise(r => free.close(r));
    const api = await upgradeServer((req, socket, head) => proxyUpgrade(req, socket, head, { host: '127.0.0.1', port, path: '/x' }));
    try {
      await assert.rejects(channelClient(`ws://127.0.0.1:${api.port}/exec`, ['v5.channel.k8s.io']), /HTTP 503/);
    } finally { await api.close(); }
  });
});
