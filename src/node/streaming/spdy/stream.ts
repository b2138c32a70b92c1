/**
 * One SPDY stream as a Node Duplex: readable = the peer's DATA, writable = ours.
 * end() half-closes (DATA with FIN); destroy() before both sides finished sends
 * RST_STREAM CANCEL, as spdystream's Reset does.
 */
import { Duplex } from 'node:stream';
import { isPooled } from '../read-pool.js';
import { RstStatus } from './frames.js';
import type { SpdyHeaders } from './headers.js';

/** What a stream needs from its session. */
export interface StreamSink {
  /**
   * One DATA frame whose payload is `data`, concatenated (the parts are written as they
   * are, not copied). `written` runs once the connection takes more after it.
   */
  data(id: number, data: Buffer | Buffer[], fin: boolean, written?: () => void): void;
  reset(id: number, status: number): void;
  forget(id: number): void;
}

/**
 * Largest DATA frame we send, so concurrent streams interleave on the connection; a pod
 * read (read-pool, 1 MiB) fits in one.
 */
const CHUNK = 1024 * 1024;

export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: SpdyHeaders;
  readonly #sink: StreamSink;
  /** Writes waiting for our SYN_REPLY to be queued (DATA must not overtake it). */
  #beforeReply: (() => void)[] | undefined = [];
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
  replied(): void {
    const waiting = this.#beforeReply ?? [];
    this.#beforeReply = undefined;
    for (const w of waiting) w();
  }

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

  #afterReply(fn: () => void): void {
    if (this.#beforeReply) this.#beforeReply.push(fn);
    else fn();
  }

  /** Batches of up to CHUNK bytes leave as one frame each, their buffers uncopied; `cb` once the last is taken. */
  #writeData(chunks: Buffer[], cb: (e?: Error | null) => void): void {
    const frames: Buffer[][] = [];
    let batch: Buffer[] = [];
    let size = 0;
    for (const c of chunks) {
      if (isPooled(c) && c.length <= CHUNK) {
        // A frame of its own: the session writes the header in front of it (read-pool).
        if (batch.length) frames.push(batch);
        frames.push([c]);
        batch = [];
        size = 0;
        continue;
      }
      for (let off = 0; off < c.length; off += CHUNK) {
        const part = off === 0 && c.length <= CHUNK ? c : c.subarray(off, off + CHUNK);
        if (size + part.length > CHUNK) { frames.push(batch); batch = []; size = 0; }
        batch.push(part);
        size += part.length;
      }
    }
    if (batch.length) frames.push(batch);
    if (frames.length === 0) return cb();
    this.#afterReply(() => {
      const last = frames.length - 1;
      frames.forEach((f, i) => this.#sink.data(this.id, f, false, i === last ? () => cb() : undefined));
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.#writeData([chunk], cb);
  }

  /** Chunks that queued up while the connection was busy leave together (fewer, larger frames). */
  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this.#writeData(chunks.map(c => c.chunk), cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.#afterReply(() => this.#sink.data(this.id, Buffer.alloc(0), true, () => {
      this.#localDone = true;
      this.#maybeDone();
      cb();
    }));
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
