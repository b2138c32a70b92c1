/**
 * The WebSocket tunnel writes its own binary frames onto the connection: a standard ws
 * client reads every length class of the header (7-bit, 16-bit, 64-bit) back intact, and
 * batched writes leave as single messages.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import WebSocket from 'ws';
import { isPooled, pooledOnread } from '../../src/node/streaming/read-pool.js';
import { acceptWebSocket } from '../../src/node/streaming/protocols.js';
import { binaryFrameHeader, webSocketDuplex } from '../../src/node/streaming/tunnel.js';
import { upgradeServer } from './helpers.js';

describe('WebSocket tunnel', () => {
  let srv: Awaited<ReturnType<typeof upgradeServer>> | undefined;
  const servers: NonNullable<typeof srv>[] = [];
  after(async () => { for (const s of servers) await s.close(); });

  it('frame headers for 7-bit, 16-bit and 64-bit lengths', () => {
    assert.deepEqual([...binaryFrameHeader(125)], [0x82, 125]);
    assert.deepEqual([...binaryFrameHeader(126)], [0x82, 126, 0, 126]);
    assert.deepEqual([...binaryFrameHeader(65_535)], [0x82, 126, 0xff, 0xff]);
    assert.deepEqual([...binaryFrameHeader(65_536)], [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
    assert.deepEqual([...binaryFrameHeader(2 ** 32 + 5)], [0x82, 127, 0, 0, 0, 1, 0, 0, 0, 5]);
  });

  it('a ws client receives every size intact, in order, then a clean close', async () => {
    const sizes = [1, 125, 126, 65_535, 65_536, 300_000];
    const payloads = sizes.map(n => randomBytes(n));
    srv = await upgradeServer(async (req, socket, head) => {
      const ws = await acceptWebSocket(req, socket, head, 'tunnel');
      const d = webSocketDuplex(ws, socket, { pingIntervalMs: 0 });
      d.on('data', (b: Buffer) => { if (b.toString() === 'go') { for (const p of payloads) d.write(p); d.end(); } });
    });
    servers.push(srv);
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/`, ['tunnel']);
    const got: Buffer[] = [];
    ws.on('message', (m: Buffer) => got.push(m));
    await new Promise(r => ws.once('open', r));
    ws.send(Buffer.from('go'));
    const code = await new Promise<number>(r => ws.once('close', c => r(c)));
    assert.equal(code, 1000);
    // Writes queued behind a full socket may leave together: compare the byte stream.
    assert.ok(Buffer.concat(got).equals(Buffer.concat(payloads)));
    assert.ok(got.length <= sizes.length);
  });

  it('chunks read from a pod leave as one message each, header written in front of them', async () => {
    const payload = randomBytes(3 << 20);
    const source = createServer(s => s.end(payload));
    await new Promise<void>(r => source.listen(0, '127.0.0.1', () => r()));
    const sent: number[] = [];
    const pooled: boolean[] = [];
    srv = await upgradeServer(async (req, socket, head) => {
      const ws = await acceptWebSocket(req, socket, head, 'tunnel');
      const d = webSocketDuplex(ws, socket, { pingIntervalMs: 0 });
      let pod: Socket | undefined;
      pod = connect({ port: (source.address() as AddressInfo).port, host: '127.0.0.1', onread: pooledOnread(() => pod!) });
      pod.on('data', (c: Buffer) => {
        sent.push(c.length);
        pooled.push(isPooled(c));
        if (!d.write(c)) { pod!.pause(); d.once('drain', () => pod!.resume()); }
      });
      pod.on('end', () => d.end());
    });
    servers.push(srv);
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/`, ['tunnel']);
    const got: Buffer[] = [];
    ws.on('message', (m: Buffer) => got.push(m));
    const code = await new Promise<number>(r => ws.once('close', c => r(c)));
    source.close();
    assert.equal(code, 1000);
    assert.ok(Buffer.concat(got).equals(payload), 'every byte, in order');
    assert.ok(pooled.some(p => p), 'some reads were lent from the pool');
    // A pooled chunk is a message of its own; copied small ones may share one.
    const pooledSizes = sent.filter((_, i) => pooled[i]);
    for (const n of pooledSizes) assert.ok(got.some(m => m.length === n), `a message of ${n} bytes`);
  });
});
