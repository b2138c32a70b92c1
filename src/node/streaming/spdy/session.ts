/**
 * The server half of a SPDY/3.1 connection (the kubelet's role under spdystream):
 * accepts client streams (odd ids) with SYN_REPLY or refuses them with RST_STREAM,
 * echoes PINGs, honours GOAWAY. Flow control is not enforced in either direction:
 * moby/spdystream (kubectl's side) neither sends nor obeys WINDOW_UPDATE, so a strict
 * 64 KiB window would stall; backpressure comes from the underlying connection.
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { prependHeader, writeReleasing } from '../read-pool.js';
import { dataFrameHeader, encodeFrame, FLAG_FIN, FLAG_UNIDIRECTIONAL, FrameParser, RstStatus, SpdyProtocolError, type Frame } from './frames.js';
import { HeaderCodec } from './headers.js';
import { SpdyStream, type StreamSink } from './stream.js';

export interface SpdySessionOptions {
  /**
   * A new peer stream, headers decoded. Return an error message to refuse it (RST_STREAM
   * CANCEL, like the kubelet's stream handler); otherwise it is accepted and replied to.
   */
  onStream(stream: SpdyStream): string | undefined;
  /** Protocol faults and refused streams, for logging. */
  onError?(err: Error): void;
}

export class SpdySession {
  /** Resolves when the underlying connection is closed. */
  readonly closed: Promise<void>;
  readonly #conn: Duplex;
  readonly #opts: SpdySessionOptions;
  readonly #codec = new HeaderCodec();
  readonly #parser = new FrameParser();
  readonly #streams = new Map<number, SpdyStream>();
  /** Parsed frames not yet handled. */
  readonly #inbox: Frame[] = [];
  #pumping = false;
  /** Outgoing frames waiting behind one whose header block is being compressed. */
  readonly #queue: { frame: Buffer | Buffer[] | Promise<Buffer | Buffer[]>; written?: () => void }[] = [];
  readonly #drainWaiters: (() => void)[] = [];
  #lastPeerId = 0;
  #goingAway = false;
  #isClosed = false;

  constructor(conn: Duplex, opts: SpdySessionOptions) {
    this.#conn = conn;
    this.#opts = opts;
    this.closed = new Promise(resolve => conn.once('close', () => { this.#shutdown(); resolve(); }));
    conn.on('error', e => { this.#opts.onError?.(e); conn.destroy(); });
    conn.on('end', () => conn.end());
    conn.on('data', (chunk: Buffer) => {
      try {
        for (const f of this.#parser.push(chunk)) this.#inbox.push(f);
      } catch (e) {
        return this.#fail(e as Error);
      }
      if (this.#inbox.length > 256) conn.pause();
      void this.#pump();
    });
  }

  get streamCount(): number { return this.#streams.size; }

  /** GOAWAY (status OK) and close once every stream has finished. */
  goAway(): void {
    if (this.#goingAway || this.#isClosed) return;
    this.#goingAway = true;
    this.#send(encodeFrame({ type: 'goaway', lastGoodStreamId: this.#lastPeerId, status: 0 }));
    this.#closeIfIdle();
  }

  destroy(): void { this.#conn.destroy(); }

  readonly #sink: StreamSink = {
    // Header and payload go out as separate buffers of one corked write: no copy of the payload.
    // A chunk read from a pod gets the header written in front of it: one buffer (read-pool).
    data: (id, data, fin, written) => {
      const parts = Array.isArray(data) ? data : [data];
      let length = 0;
      for (const p of parts) length += p.length;
      const header = dataFrameHeader(id, fin ? FLAG_FIN : 0, length);
      const whole = parts.length === 1 ? prependHeader(header, parts[0]!) : undefined;
      this.#send(whole ? [whole] : [header, ...parts], written && (() => this.#whenWritable(written)));
    },
    reset: (id, status) => { this.#send(encodeFrame({ type: 'rst_stream', streamId: id, status })); },
    forget: id => { this.#streams.delete(id); this.#closeIfIdle(); },
  };

  /**
   * Frames go out in call order. A frame is written at once unless an earlier one waits
   * for its header block (compression is async); those wait here with whatever came after.
   * `written` runs once the frame has been handed to the connection.
   */
  #send(frame: Buffer | Buffer[] | Promise<Buffer | Buffer[]>, written?: () => void): void {
    if (this.#queue.length === 0 && !(frame instanceof Promise)) {
      this.#write(frame);
      written?.();
      return;
    }
    this.#queue.push({ frame, written });
    if (this.#queue.length === 1) void this.#flushQueue();
  }

  async #flushQueue(): Promise<void> {
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      try {
        this.#write(await next.frame);
      } catch (e) {
        this.#opts.onError?.(e as Error);
        this.#conn.destroy();
      }
      this.#queue.shift();
      next.written?.();
    }
  }

  #write(frame: Buffer | Buffer[]): void {
    if (this.#isClosed || this.#conn.writableEnded || this.#conn.destroyed) return;
    if (!Array.isArray(frame)) { this.#conn.write(frame); return; }
    // Straight onto the client's socket (plain SPDY), pooled chunks go back once written;
    // a tunnel in front of the socket does that itself.
    const direct = this.#conn instanceof Socket;
    this.#conn.cork();
    for (const b of frame) {
      if (direct) writeReleasing(this.#conn, b);
      else this.#conn.write(b);
    }
    this.#conn.uncork();
  }

  /** Runs `fn` once the connection takes more (its buffer drained, or it closed). */
  #whenWritable(fn: () => void): void {
    if (!this.#conn.writableNeedDrain || this.#isClosed) return fn();
    this.#drainWaiters.push(fn);
    if (this.#drainWaiters.length > 1) return;
    const done = () => {
      this.#conn.off('drain', done).off('close', done);
      for (const f of this.#drainWaiters.splice(0)) f();
    };
    this.#conn.on('drain', done).on('close', done);
  }

  /** Runs `fn` after every frame sent so far has been handed to the connection. */
  #afterSent(fn: () => void): void {
    if (this.#queue.length === 0) return fn();
    this.#send(Promise.resolve([]), fn);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let f = this.#inbox.shift(); f && !this.#isClosed; f = this.#inbox.shift()) {
        await this.#handle(f);
        if (this.#inbox.length < 64 && this.#conn.isPaused()) this.#conn.resume();
      }
    } catch (e) {
      this.#fail(e as Error);
    } finally {
      this.#pumping = false;
    }
  }

  async #handle(f: Frame): Promise<void> {
    switch (f.type) {
      case 'syn_stream': return this.#onSynStream(f);
      case 'data': {
        const s = this.#streams.get(f.streamId);
        if (!s) return; // already gone: late frames are dropped, like spdystream
        if (f.data.length) await s.receive(f.data);
        if (f.flags & FLAG_FIN) s.remoteFinish();
        return;
      }
      case 'rst_stream': this.#streams.get(f.streamId)?.abort(); return;
      case 'ping':
        // Odd ids are the client's (kubectl pings every 10 s): answer with the same frame.
        if (f.id & 1) this.#send(encodeFrame(f));
        return;
      case 'goaway':
        this.#goingAway = true;
        this.#closeIfIdle();
        return;
      case 'headers':
        await this.#codec.decompress(f.block); // keeps the zlib context in step
        if (f.flags & FLAG_FIN) this.#streams.get(f.streamId)?.remoteFinish();
        return;
      case 'syn_reply':
        await this.#codec.decompress(f.block);
        return;
      default: return; // SETTINGS, WINDOW_UPDATE, unknown: nothing to do
    }
  }

  async #onSynStream(f: Extract<Frame, { type: 'syn_stream' }>): Promise<void> {
    const headers = await this.#codec.decompress(f.block);
    if (f.streamId % 2 === 0 || f.streamId <= this.#lastPeerId) {
      this.#send(encodeFrame({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.ProtocolError }));
      return;
    }
    this.#lastPeerId = f.streamId;
    if (this.#goingAway) {
      this.#send(encodeFrame({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.RefusedStream }));
      return;
    }
    const s = new SpdyStream(f.streamId, headers, this.#sink);
    this.#streams.set(f.streamId, s);
    let refusal: string | undefined;
    try {
      refusal = this.#opts.onStream(s);
    } catch (e) {
      refusal = (e as Error).message;
    }
    if (refusal !== undefined) {
      this.#opts.onError?.(new SpdyProtocolError(`stream ${f.streamId} rejected: ${refusal}`));
      s.reset(RstStatus.Cancel);
      return;
    }
    this.#send(this.#codec.compress({}).then(block => encodeFrame({ type: 'syn_reply', streamId: f.streamId, flags: 0, block })));
    s.replied();
    if (f.flags & FLAG_FIN) s.remoteFinish();
    if (f.flags & FLAG_UNIDIRECTIONAL) s.end();
  }

  #closeIfIdle(): void {
    if (this.#goingAway && this.#streams.size === 0) this.#afterSent(() => this.#conn.end());
  }

  #fail(e: Error): void {
    this.#opts.onError?.(e);
    this.#send(encodeFrame({ type: 'goaway', lastGoodStreamId: this.#lastPeerId, status: 1 }));
    this.#afterSent(() => this.#conn.destroy());
  }

  #shutdown(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    for (const s of [...this.#streams.values()]) s.abort();
    this.#streams.clear();
    this.#codec.close();
  }
}
