/**
 * Pooled reads for port-forward: chunks read into reused buffers arrive intact at the far
 * socket even when the buffers are reused many times over under backpressure, and come
 * back to the pool once written.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { pooledOnread } from '../../src/node/streaming/index.js';
import { isPooled, POOL_KEEP, pooledFree, prependHeader, releaseCopied, writeReleasing } from '../../src/node/streaming/read-pool.js';

const listen = async (s: Server) => {
  await new Promise<void>(r => s.listen(0, '127.0.0.1', () => r()));
  return (s.address() as AddressInfo).port;
};

describe('pooled reads', () => {
  const servers: Server[] = [];
  after(() => { for (const s of servers) s.close(); });

  it('24 MB of big and small writes reach a slow far socket intact, and the buffers return', async () => {
    // Source: random bytes in pieces from 10 B to 1 MB, so reads are both copied and lent.
    const payload = randomBytes(24 << 20);
    const source = createServer(s => {
      let off = 0;
      const sizes = [10, 1 << 20, 300, 200_000, 5000, 65_536, 40_000];
      const pump = () => {
        for (let i = 0; off < payload.length; i++) {
          const n = sizes[(off + i) % sizes.length]!;
          const ok = s.write(payload.subarray(off, off + n));
          off += n;
          if (!ok) return s.once('drain', pump);
        }
        s.end();
      };
      pump();
    });
    // Sink: reads slowly (pauses now and then), so chunks wait in the relay's socket buffer.
    const hash = createHash('sha256');
    let received = 0;
    let sunk!: () => void;
    const done = new Promise<void>(r => { sunk = r; });
    const sink = createServer(s => {
      s.on('data', (d: Buffer) => {
        hash.update(d);
        received += d.length;
        if (received % 7 === 0) { s.pause(); setTimeout(() => s.resume(), 2); }
      });
      s.on('end', () => sunk());
    });
    servers.push(source, sink);
    const [sourcePort, sinkPort] = [await listen(source), await listen(sink)];
    // Relay: pooled reads from the source, written on with writeReleasing, pausing on backpressure.
    const out = connect(sinkPort, '127.0.0.1');
    let src: Socket | undefined;
    src = connect({ port: sourcePort, host: '127.0.0.1', onread: pooledOnread(() => src!) });
    src.on('data', (chunk: Buffer) => {
      if (!writeReleasing(out, chunk)) { src!.pause(); out.once('drain', () => src!.resume()); }
    });
    src.on('end', () => out.end());
    await done;
    assert.equal(received, payload.length);
    assert.equal(hash.digest('hex'), createHash('sha256').update(payload).digest('hex'));
    assert.ok(pooledFree() > 0, 'buffers came back to the pool');
  });

  it('a chunk copied elsewhere returns its buffer; one never written is just left behind', async () => {
    const before = pooledFree();
    const big = randomBytes(200_000);
    const source = createServer(s => s.end(big));
    servers.push(source);
    const port = await listen(source);
    const chunks: Buffer[] = [];
    await new Promise<void>(resolve => {
      let s: Socket | undefined;
      s = connect({ port, host: '127.0.0.1', onread: pooledOnread(() => s!) });
      s.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve());
    });
    assert.ok(Buffer.concat(chunks).equals(big));
    const free = pooledFree();
    for (const c of chunks) releaseCopied(c);
    assert.ok(pooledFree() >= Math.min(free, before), 'releasing never loses buffers');
    releaseCopied(chunks[0]!); // twice: nothing happens
  });

  it('headers go in front of a pooled chunk without a copy, once the room is used up no more', async () => {
    const big = randomBytes(100_000);
    const source = createServer(s => s.end(big));
    servers.push(source);
    const port = await listen(source);
    const chunks: Buffer[] = [];
    await new Promise<void>(resolve => {
      let s: Socket | undefined;
      s = connect({ port, host: '127.0.0.1', onread: pooledOnread(() => s!) });
      s.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve());
    });
    const chunk = chunks.find(c => c.length >= 32 * 1024 && isPooled(c));
    assert.ok(chunk, 'a large read is lent from the pool');
    const copy = Buffer.from(chunk);
    const spdy = Buffer.from('SPDYHEAD');
    const withSpdy = prependHeader(spdy, chunk);
    assert.ok(withSpdy, 'room for an 8-byte header');
    assert.equal(withSpdy.buffer, chunk.buffer, 'the same memory: no copy');
    assert.ok(withSpdy.equals(Buffer.concat([spdy, copy])));
    assert.ok(!isPooled(chunk) && isPooled(withSpdy), 'the result stands for the chunk');
    const ws = Buffer.from([0x82, 127, 1, 2, 3, 4, 5, 6, 7, 8]);
    const both = prependHeader(ws, withSpdy)!;
    assert.ok(both.equals(Buffer.concat([ws, spdy, copy])), 'a second header in front of the first');
    assert.equal(prependHeader(Buffer.alloc(32), both), undefined, 'the room is 32 bytes in all');
    assert.equal(prependHeader(spdy, Buffer.from(copy)), undefined, 'a buffer not from the pool has no room');
    assert.equal(prependHeader(spdy, both.subarray(10)), undefined, 'nor has a view into a pooled chunk');
    const free = pooledFree();
    releaseCopied(both);
    assert.equal(pooledFree(), Math.min(free + 1, POOL_KEEP), 'the combined buffer returns the read buffer');
    for (const c of chunks) releaseCopied(c);
  });
});
