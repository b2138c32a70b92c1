/**
 * One SPDY stream as a Node Duplex: readable = the peer's DATA, writable = ours.
 * end() half-closes (DATA with FIN); destroy() before both sides finished sends
 * RST_STREAM CANCEL, as spdystream's Reset does.
 */
import { Duplex } from 'node:stream';
import { RstStatus } from './frames.js';
import type { SpdyHeaders } from './headers.js';

/** What a stream needs from its session. */
export interface StreamSink {
  data(id: number, data: Buffer, fin: boolean): Promise<void>;
  reset(id: number, status: number): void;
  forget(id: number): void;
}

/** Largest DATA frame we send, so concurrent streams interleave on the connection. */
const CHUNK = 256 * 1024;

export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: SpdyHeaders;
  readonly #sink: StreamSink;
  #markReplied!: () => void;
  readonly #replied = new Promise<void>(r => { this.#markReplied = r; });
  #localDone = false;
  #remoteDone = false;
  /** Set once an RST was sent or received: none (more) is due. */
  #noRst = false;
  #wantRead?: () => void;

  constructor(id: number, headers: SpdyHeaders, sink: StreamSink) {
    // Room for several socket reads in flight: throughput is latency-bound otherwise.
    super({ allowHalfOpen: true, highWaterMark: 256 * 1024 });
    this.id = id;
    this.headers = headers;
    this.#sink = sink;
  }

  /** First value of a header (names are lowercase on the wire, so lookup is case-insensitive). */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** Session: our SYN_REPLY is queued, DATA may follow. */
  replied(): void { this.#markReplied(); }

  /** Session: DATA arrived; resolves when the reader wants more (inbound backpressure). */
  receive(data: Buffer): Promise<void> {
    if (this.#remoteDone || this.destroyed) return Promise.resolve();
    if (this.push(data)) return Promise.resolve();
    return new Promise(r => { this.#wantRead = r; });
  }

  /** Session: the peer half-closed (FIN). */
  remoteFinish(): void {
    if (this.#remoteDone) return;
    this.#remoteDone = true;
    this.push(null);
    this.#maybeDone();
  }

  /** Session: RST_STREAM from the peer, or the connection is gone. */
  abort(): void {
    this.#noRst = true;
    this.#wantRead?.();
    this.destroy();
  }

  /** Refuses or cancels the stream. */
  reset(status: number = RstStatus.Cancel): void {
    if (!this.#noRst && !(this.#localDone && this.#remoteDone)) this.#sink.reset(this.id, status);
    this.#noRst = true;
    this.destroy();
  }

  override _read(): void {
    const w = this.#wantRead;
    this.#wantRead = undefined;
    w?.();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.#writeData(chunk, cb);
  }

  #writeData(chunk: Buffer, cb: (e?: Error | null) => void): void {
    void this.#replied.then(async () => {
      for (let off = 0; off < chunk.length; off += CHUNK) await this.#sink.data(this.id, chunk.subarray(off, off + CHUNK), false);
    }).then(() => cb(), cb);
  }

  /** Chunks that queued up while the previous frame went out leave as one frame (fewer, larger frames). */
  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this.#writeData(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map(c => c.chunk)), cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    void this.#replied.then(() => this.#sink.data(this.id, Buffer.alloc(0), true)).then(() => {
      this.#localDone = true;
      this.#maybeDone();
      cb();
    }, cb);
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (!this.#noRst && !(this.#localDone && this.#remoteDone)) this.#sink.reset(this.id, RstStatus.Cancel);
    this.#wantRead?.();
    this.#sink.forget(this.id);
    cb(err);
  }

  #maybeDone(): void {
    if (this.#localDone && this.#remoteDone) this.#sink.forget(this.id);
  }
}
