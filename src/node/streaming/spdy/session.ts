/**
 * The server half of a SPDY/3.1 connection (the kubelet's role under spdystream):
 * accepts client streams (odd ids) with SYN_REPLY or refuses them with RST_STREAM,
 * echoes PINGs, honours GOAWAY. Flow control is not enforced in either direction:
 * moby/spdystream (kubectl's side) neither sends nor obeys WINDOW_UPDATE, so a strict
 * 64 KiB window would stall; backpressure comes from the underlying connection.
 */
import type { Duplex } from 'node:stream';
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
  readonly #queue: Frame[] = [];
  #pumping = false;
  #lastPeerId = 0;
  #goingAway = false;
  #isClosed = false;
  #tail: Promise<void> = Promise.resolve();

  constructor(conn: Duplex, opts: SpdySessionOptions) {
    this.#conn = conn;
    this.#opts = opts;
    this.closed = new Promise(resolve => conn.once('close', () => { this.#shutdown(); resolve(); }));
    conn.on('error', e => { this.#opts.onError?.(e); conn.destroy(); });
    conn.on('end', () => conn.end());
    conn.on('data', (chunk: Buffer) => {
      try {
        this.#queue.push(...this.#parser.push(chunk));
      } catch (e) {
        return this.#fail(e as Error);
      }
      if (this.#queue.length > 256) conn.pause();
      void this.#pump();
    });
  }

  get streamCount(): number { return this.#streams.size; }

  /** GOAWAY (status OK) and close once every stream has finished. */
  goAway(): void {
    if (this.#goingAway || this.#isClosed) return;
    this.#goingAway = true;
    void this.#send(encodeFrame({ type: 'goaway', lastGoodStreamId: this.#lastPeerId, status: 0 }));
    this.#closeIfIdle();
  }

  destroy(): void { this.#conn.destroy(); }

  readonly #sink: StreamSink = {
    // Header and payload go out as two buffers of one write: no copy of the payload.
    data: (id, data, fin) => {
      const parts = Array.isArray(data) ? data : [data];
      return this.#send([dataFrameHeader(id, fin ? FLAG_FIN : 0, parts.reduce((n, b) => n + b.length, 0)), ...parts]);
    },
    reset: (id, status) => { void this.#send(encodeFrame({ type: 'rst_stream', streamId: id, status })); },
    forget: id => { this.#streams.delete(id); this.#closeIfIdle(); },
  };

  /** Frames go out in call order; header compression (async) keeps that order too. */
  #send(frame: Buffer | Buffer[] | Promise<Buffer>): Promise<void> {
    const t = this.#tail.then(async () => {
      const bufs = [await frame].flat();
      if (this.#isClosed || this.#conn.writableEnded) return;
      this.#conn.cork();
      let ok = true;
      for (const b of bufs) ok = this.#conn.write(b);
      this.#conn.uncork();
      if (!ok) {
        await new Promise<void>(r => {
          const done = () => { this.#conn.off('drain', done); this.#conn.off('close', done); r(); };
          this.#conn.on('drain', done).on('close', done);
        });
      }
    });
    this.#tail = t.catch(() => {});
    return t;
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let f = this.#queue.shift(); f && !this.#isClosed; f = this.#queue.shift()) {
        await this.#handle(f);
        if (this.#queue.length < 64 && this.#conn.isPaused()) this.#conn.resume();
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
        if (f.id & 1) void this.#send(encodeFrame(f));
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
      void this.#send(encodeFrame({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.ProtocolError }));
      return;
    }
    this.#lastPeerId = f.streamId;
    if (this.#goingAway) {
      void this.#send(encodeFrame({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.RefusedStream }));
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
    void this.#send(this.#codec.compress({}).then(block => encodeFrame({ type: 'syn_reply', streamId: f.streamId, flags: 0, block })));
    s.replied();
    if (f.flags & FLAG_FIN) s.remoteFinish();
    if (f.flags & FLAG_UNIDIRECTIONAL) s.end();
  }

  #closeIfIdle(): void {
    if (this.#goingAway && this.#streams.size === 0) void this.#tail.then(() => this.#conn.end());
  }

  #fail(e: Error): void {
    this.#opts.onError?.(e);
    void this.#send(encodeFrame({ type: 'goaway', lastGoodStreamId: this.#lastPeerId, status: 1 }));
    void this.#tail.then(() => this.#conn.destroy());
  }

  #shutdown(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    for (const s of [...this.#streams.values()]) s.abort();
    this.#streams.clear();
    this.#codec.close();
  }
}
