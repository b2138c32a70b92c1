/** SPDY/3.1 framing and header compression: round trips and independent zlib checks. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { constants, createDeflate, inflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import {
  decodeFrame, decodeHeaderBlock, encodeFrame, encodeHeaderBlock, FrameParser, HeaderCodec, SPDY3_DICTIONARY, type Frame,
} from '../../src/node/streaming/spdy/index.js';

const FRAMES: Frame[] = [
  { type: 'data', streamId: 5, flags: 0, data: Buffer.from('hello') },
  { type: 'data', streamId: 0x7fffffff, flags: 1, data: Buffer.alloc(0) },
  { type: 'syn_stream', streamId: 1, associatedId: 0, priority: 7, slot: 0, flags: 2, block: Buffer.from([1, 2, 3]) },
  { type: 'syn_reply', streamId: 3, flags: 1, block: Buffer.from([9]) },
  { type: 'headers', streamId: 3, flags: 0, block: Buffer.from([4, 5]) },
  { type: 'rst_stream', streamId: 7, status: 5 },
  { type: 'settings', flags: 1, entries: [{ flags: 1, id: 4, value: 100 }, { flags: 0, id: 7, value: 65536 }] },
  { type: 'ping', id: 0xfffffffe },
  { type: 'goaway', lastGoodStreamId: 9, status: 2 },
  { type: 'window_update', streamId: 11, delta: 0x7fffffff },
];

describe('SPDY frames', () => {
  for (const f of FRAMES) {
    it(`${f.type} round-trips`, () => assert.deepEqual(decodeFrame(encodeFrame(f)), f));
  }

  it('control frames carry version 3 and the type in the first bytes', () => {
    const b = encodeFrame({ type: 'ping', id: 1 });
    assert.deepEqual([...b], [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]);
    const d = encodeFrame({ type: 'data', streamId: 3, flags: 1, data: Buffer.from('x') });
    assert.deepEqual([...d], [0, 0, 0, 3, 1, 0, 0, 1, 0x78]);
  });

  it('the parser reassembles frames split at every byte and merged together', () => {
    const wire = Buffer.concat(FRAMES.map(encodeFrame));
    const p = new FrameParser();
    const got: Frame[] = [];
    for (let i = 0; i < wire.length; i++) got.push(...p.push(wire.subarray(i, i + 1)));
    assert.deepEqual(got, FRAMES);
    assert.equal(p.pending, 0);
    assert.deepEqual(new FrameParser().push(wire), FRAMES);
  });

  it('rejects another SPDY version', () => {
    const b = encodeFrame({ type: 'ping', id: 1 });
    b[1] = 2;
    assert.throws(() => decodeFrame(b), /unsupported SPDY version 2/);
  });
});

function adler32(b: Buffer): number {
  let a = 1, s = 0;
  for (const x of b) { a = (a + x) % 65521; s = (s + a) % 65521; }
  return ((s << 16) | a) >>> 0;
}

describe('SPDY header blocks', () => {
  it('the dictionary is the 1423-byte SPDY/3 one', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(createHash('sha256').update(SPDY3_DICTIONARY).digest('hex'), '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
  });

  it('block encoding: count, length-prefixed lowercase names, NUL-joined values', () => {
    const b = encodeHeaderBlock({ streamType: 'data', Multi: ['a', 'b'] });
    assert.equal(b.toString('hex'), '00000002' + '0000000a' + Buffer.from('streamtype').toString('hex') + '00000004' +
      Buffer.from('data').toString('hex') + '00000005' + Buffer.from('multi').toString('hex') + '00000003' + '610062');
    assert.deepEqual(decodeHeaderBlock(b), { streamtype: ['data'], multi: ['a', 'b'] });
    assert.throws(() => decodeHeaderBlock(encodeHeaderBlock({ a: 'x' }).fill(0x41, 8, 9)), /invalid header name/);
  });

  it('compresses with the dictionary (FDICT, DICTID = adler32) and shares one zlib stream per direction', async () => {
    const c = new HeaderCodec();
    const h1 = { streamtype: 'error', port: '80', requestid: '0' };
    const h2 = { streamtype: 'data', port: '80', requestid: '0' };
    const b1 = await c.compress(h1);
    const b2 = await c.compress(h2);
    assert.equal(b1[1]! & 0x20, 0x20, 'FDICT set');
    assert.equal(b1.readUInt32BE(2), adler32(SPDY3_DICTIONARY));
    assert.deepEqual([...b1.subarray(-4)], [0, 0, 0xff, 0xff], 'sync flush ends each block');
    // Independent inflate of the concatenation (a peer reads one continuous stream).
    const raw = inflateSync(Buffer.concat([b1, b2]), { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const first = encodeHeaderBlock(h1);
    assert.deepEqual(decodeHeaderBlock(raw.subarray(0, first.length)), decodeHeaderBlock(first));
    assert.deepEqual(decodeHeaderBlock(raw.subarray(first.length)), { streamtype: ['data'], port: ['80'], requestid: ['0'] });
    c.close();
  });

  it('decompresses blocks from an independent deflater, the later ones referring back', async () => {
    const z = createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 });
    const blocks: Buffer[] = [];
    for (const id of ['1', '2', '3']) {
      z.write(encodeHeaderBlock({ streamtype: 'data', port: '8080', requestid: id }));
      blocks.push(await new Promise<Buffer>(r => {
        const out: Buffer[] = [];
        z.on('data', d => out.push(d));
        z.flush(constants.Z_SYNC_FLUSH, () => { z.removeAllListeners('data'); r(Buffer.concat(out)); });
      }));
    }
    const c = new HeaderCodec();
    for (const [i, b] of blocks.entries()) {
      assert.deepEqual(await c.decompress(b), { streamtype: ['data'], port: ['8080'], requestid: [String(i + 1)] });
    }
    assert.ok(blocks[2]!.length < blocks[0]!.length, 'later blocks reuse earlier ones');
    await assert.rejects(new HeaderCodec().decompress(blocks[1]!), /header compression/);
    c.close();
  });
});
