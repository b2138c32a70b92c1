/**
 * SPDY/3.1 frame layout (draft 3.1 §2.2–2.6). Header blocks stay compressed here: the
 * zlib contexts are per connection and direction, so compression lives in headers.ts.
 *
 * Control frame: 1|version(15)=3 · type(16) · flags(8) · length(24) · payload
 * Data frame:    0|stream-id(31) · flags(8) · length(24) · data
 */

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
/** Data frames may carry up to 2^24-1 bytes; we send smaller ones so streams interleave. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export const enum FrameType {
  SynStream = 1, SynReply = 2, RstStream = 3, Settings = 4, Ping = 6, GoAway = 7, Headers = 8, WindowUpdate = 9,
}

/** RST_STREAM status codes. */
export const RstStatus = {
  ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, UnsupportedVersion: 4, Cancel: 5, InternalError: 6,
  FlowControlError: 7, StreamInUse: 8, StreamAlreadyClosed: 9, FrameTooLarge: 11,
} as const;

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedId: number; priority: number; slot: number; flags: number; block: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; block: Buffer }
  | { type: 'headers'; streamId: number; flags: number; block: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

export class SpdyProtocolError extends Error {
  readonly code = 'KL_SPDY_PROTOCOL';
}

const ID = 0x7fffffff;

function control(type: FrameType, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError('frame too large');
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(payload.length, 4);
  h[4] = flags;
  return Buffer.concat([h, payload]);
}

const u32s = (...ns: number[]) => {
  const b = Buffer.alloc(4 * ns.length);
  ns.forEach((n, i) => b.writeUInt32BE(n >>> 0, i * 4));
  return b;
};

/** The 8-byte header of a DATA frame, so the payload can be written without a copy. */
export function dataFrameHeader(streamId: number, flags: number, length: number): Buffer {
  if (length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError('frame too large');
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & ID, 0);
  h.writeUInt32BE(length, 4);
  h[4] = flags;
  return h;
}

/** Serializes a frame; `block` fields must already be compressed. */
export function encodeFrame(f: Frame): Buffer {
  switch (f.type) {
    case 'data': return Buffer.concat([dataFrameHeader(f.streamId, f.flags, f.data.length), f.data]);
    case 'syn_stream': {
      const p = Buffer.alloc(10);
      p.writeUInt32BE(f.streamId & ID, 0);
      p.writeUInt32BE(f.associatedId & ID, 4);
      p[8] = (f.priority & 7) << 5;
      p[9] = f.slot;
      return control(FrameType.SynStream, f.flags, Buffer.concat([p, f.block]));
    }
    case 'syn_reply': return control(FrameType.SynReply, f.flags, Buffer.concat([u32s(f.streamId & ID), f.block]));
    case 'headers': return control(FrameType.Headers, f.flags, Buffer.concat([u32s(f.streamId & ID), f.block]));
    case 'rst_stream': return control(FrameType.RstStream, 0, u32s(f.streamId & ID, f.status));
    case 'settings': {
      const p = Buffer.alloc(4 + 8 * f.entries.length);
      p.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => {
        p.writeUInt32BE(((e.flags & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, 4 + i * 8);
        p.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return control(FrameType.Settings, f.flags, p);
    }
    case 'ping': return control(FrameType.Ping, 0, u32s(f.id));
    case 'goaway': return control(FrameType.GoAway, 0, u32s(f.lastGoodStreamId & ID, f.status));
    case 'window_update': return control(FrameType.WindowUpdate, 0, u32s(f.streamId & ID, f.delta & ID));
    case 'unknown': return control(f.frameType as FrameType, f.flags, f.payload);
  }
}

/**
 * Incremental parser: feed bytes as they arrive (WebSocket message boundaries mean
 * nothing to SPDY), take whole frames out.
 */
export class FrameParser {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.#buf.length >= 8) {
      const len = this.#buf.readUInt32BE(4) & 0xffffff;
      if (this.#buf.length < 8 + len) break;
      out.push(decodeFrame(this.#buf.subarray(0, 8 + len)));
      this.#buf = this.#buf.subarray(8 + len);
    }
    return out;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get pending(): number { return this.#buf.length; }
}

/** Decodes exactly one whole frame. */
export function decodeFrame(b: Buffer): Frame {
  const flags = b[4]!;
  const p = b.subarray(8, 8 + (b.readUInt32BE(4) & 0xffffff));
  if ((b[0]! & 0x80) === 0) return { type: 'data', streamId: b.readUInt32BE(0) & ID, flags, data: p };
  const version = b.readUInt16BE(0) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = b.readUInt16BE(2);
  const need = (n: number) => { if (p.length < n) throw new SpdyProtocolError(`control frame ${type} too short`); };
  switch (type) {
    case FrameType.SynStream:
      need(10);
      return {
        type: 'syn_stream', streamId: p.readUInt32BE(0) & ID, associatedId: p.readUInt32BE(4) & ID,
        priority: p[8]! >> 5, slot: p[9]!, flags, block: p.subarray(10),
      };
    case FrameType.SynReply: need(4); return { type: 'syn_reply', streamId: p.readUInt32BE(0) & ID, flags, block: p.subarray(4) };
    case FrameType.Headers: need(4); return { type: 'headers', streamId: p.readUInt32BE(0) & ID, flags, block: p.subarray(4) };
    case FrameType.RstStream: need(8); return { type: 'rst_stream', streamId: p.readUInt32BE(0) & ID, status: p.readUInt32BE(4) };
    case FrameType.Settings: {
      need(4);
      const n = p.readUInt32BE(0);
      need(4 + 8 * n);
      const entries = Array.from({ length: n }, (_, i) => {
        const w = p.readUInt32BE(4 + i * 8);
        return { flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + i * 8) };
      });
      return { type: 'settings', flags, entries };
    }
    case FrameType.Ping: need(4); return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GoAway: need(8); return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & ID, status: p.readUInt32BE(4) };
    case FrameType.WindowUpdate: need(8); return { type: 'window_update', streamId: p.readUInt32BE(0) & ID, delta: p.readUInt32BE(4) & ID };
    default: return { type: 'unknown', frameType: type, flags, payload: p };
  }
}
