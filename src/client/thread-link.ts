/**
 * Many socket-like connections between two threads of this process over one MessagePort:
 * `kubeling server`'s control-plane thread reaches the API server on the main thread this
 * way (cli/components-thread.ts). Each end of a connection is a LinkSocket, a Duplex that
 * Node's HTTP client and server use as they use a TCP socket.
 *
 * What every connection writes goes to the other thread in batches: one message (frames
 * plus one transferred ArrayBuffer holding all their bytes) at the end of the event-loop
 * turn, or, within FLUSH_GAP_MS of the last one, when that gap has passed. A busy thread
 * serving dozens of requests and watches so wakes the other one at most ~1,000 times a
 * second instead of once per write (each wake-up costs both threads, and on a loaded
 * machine may cost the waker its time slice), while a quiet one answers at once. Backpressure per connection: the reader acknowledges what it
 * consumed, and a writer with more than WINDOW bytes unacknowledged waits. Ending sends EOF
 * (the peer reads the rest, then 'end'); destroying sends EOF and a close, after which the
 * peer's writes fail with EPIPE. If the link itself closes (the other thread ended), every
 * connection ends as if reset. An open connection keeps its thread alive unless unref'd,
 * as a TCP socket does (the HTTP agent unrefs its idle keep-alive sockets).
 */
import type { MessagePort } from 'node:worker_threads';
import { SocketFacade, epipe, type Callback } from './socket-facade.js';

/** Bytes a writer may have in flight unacknowledged. */
const WINDOW = 4 << 20;
/** A reader acknowledges once it consumed this much (or when it asks for more while paused). */
const ACK_EVERY = 256 << 10;
/** Batches follow each other at least this far apart (ms). */
const FLUSH_GAP_MS = 1;
/** A batch's first buffer (it grows for bigger batches). */
const BATCH_BYTES = 16 << 10;

/** Frame kinds. */
const Kind = { Open: 0, Data: 1, Ack: 2, Eof: 3, Close: 4 } as const;
type Kind = typeof Kind[keyof typeof Kind];

/** One turn's frames: [id, kind, n] triples (n: data length or acknowledged bytes), data back to back in `bytes`. */
interface Batch { frames: number[]; bytes?: ArrayBuffer; opens?: unknown[] }

export class ThreadLink {
  readonly #port: MessagePort;
  readonly #sockets = new Map<number, LinkSocket>();
  /** Odd ids on one side, even on the other: both may open connections. */
  #nextId: number;
  #frames: number[] = [];
  /** The batch's bytes, copied in as written (a fresh ArrayBuffer each batch: it is transferred). */
  #bytes = Buffer.allocUnsafeSlow(BATCH_BYTES);
  #size = 0;
  #opens: unknown[] = [];
  #flushing = false;
  #lastFlush = 0;
  #closed = false;
  #refs = 0;
  /** Called with each connection the other side opens and what it sent along (e.g. its user). */
  onConnection?: (socket: LinkSocket, info: unknown) => void;

  /** `first`: this side's ids are odd (the other side must pass false). */
  constructor(port: MessagePort, first: boolean) {
    this.#port = port;
    this.#nextId = first ? 1 : 2;
    port.on('message', (b: Batch) => this.#receive(b));
    port.on('close', () => this.#onClose());
    port.unref();
  }

  /** A new connection; `info` reaches the other side's onConnection. */
  connect(info?: unknown): LinkSocket {
    const id = this.#nextId;
    this.#nextId += 2;
    const s = new LinkSocket(this, id);
    this.#sockets.set(id, s);
    if (this.#closed) { s.reset(); return s; }
    this.#opens.push(info);
    this.queue(id, Kind.Open, 0);
    return s;
  }

  close(): void {
    if (this.#closed) return;
    this.#flush();
    this.#port.close();
  }

  /** @internal A frame (and its bytes) for the next flush. */
  queue(id: number, kind: Kind, n: number, data?: Buffer[]): void {
    if (this.#closed) return;
    this.#frames.push(id, kind, n);
    if (data) {
      if (this.#size + n > this.#bytes.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(this.#bytes.length * 2, this.#size + n));
        this.#bytes.copy(grown, 0, 0, this.#size);
        this.#bytes = grown;
      }
      for (const d of data) this.#size += d.copy(this.#bytes, this.#size);
    }
    if (this.#flushing) return;
    this.#flushing = true;
    const wait = this.#lastFlush + FLUSH_GAP_MS - performance.now();
    if (wait <= 0) setImmediate(() => this.#flush());
    else setTimeout(() => this.#flush(), wait);
  }

  /** @internal Connections holding the thread alive. */
  ref(on: boolean): void {
    this.#refs += on ? 1 : -1;
    if (this.#refs === 1 && on) this.#port.ref();
    else if (this.#refs === 0 && !on) this.#port.unref();
  }

  /** @internal */
  forget(id: number): void { this.#sockets.delete(id); }

  get closed(): boolean { return this.#closed; }

  #flush(): void {
    this.#flushing = false;
    if (this.#closed || this.#frames.length === 0) return;
    this.#lastFlush = performance.now();
    const batch: Batch = { frames: this.#frames };
    const transfer: ArrayBuffer[] = [];
    if (this.#size) {
      // allocUnsafeSlow: the Buffer owns its ArrayBuffer from offset 0, so it can be handed over.
      batch.bytes = this.#bytes.buffer as ArrayBuffer;
      transfer.push(batch.bytes);
      this.#bytes = Buffer.allocUnsafeSlow(BATCH_BYTES);
    }
    if (this.#opens.length) batch.opens = this.#opens;
    this.#frames = [];
    this.#size = 0;
    this.#opens = [];
    this.#port.postMessage(batch, transfer);
  }

  #receive(b: Batch): void {
    const f = b.frames;
    let at = 0, open = 0;
    for (let i = 0; i < f.length; i += 3) {
      const id = f[i]!, kind = f[i + 1]!, n = f[i + 2]!;
      if (kind === Kind.Open) {
        const s = new LinkSocket(this, id);
        this.#sockets.set(id, s);
        this.onConnection?.(s, b.opens?.[open++]);
        continue;
      }
      const s = this.#sockets.get(id);
      if (kind === Kind.Data) {
        if (s) s.received(Buffer.from(b.bytes!, at, n));
        at += n;
      } else if (s) {
        if (kind === Kind.Ack) s.acked(n);
        else if (kind === Kind.Eof) s.eof();
        else s.reset();
      }
    }
  }

  #onClose(): void {
    this.#closed = true;
    for (const s of [...this.#sockets.values()]) s.reset();
    this.#sockets.clear();
  }
}

/** One end of a connection over a ThreadLink. */
export class LinkSocket extends SocketFacade {
  readonly #link: ThreadLink;
  readonly #id: number;
  #unacked = 0;
  #waiting?: Callback;
  #received = 0;
  #paused = false;
  #eofSent = false;
  #eofReceived = false;
  /** The peer closed (destroyed) its end, or the link went: nothing more goes out. */
  #peerGone = false;
  #refd = true;

  constructor(link: ThreadLink, id: number) {
    // Like net.Socket: a FIN from the peer ends our side too once read.
    super({ allowHalfOpen: false, decodeStrings: true });
    this.#link = link;
    this.#id = id;
    link.ref(true);
  }

  override ref(): this { if (!this.#refd && !this.destroyed) { this.#refd = true; this.#link.ref(true); } return this; }
  override unref(): this { if (this.#refd) { this.#refd = false; this.#link.ref(false); } return this; }

  /** @internal */
  received(b: Buffer): void {
    if (this.#eofReceived) return;
    this.touch();
    this.#received += b.length;
    this.#paused = !this.push(b);
    if (!this.#paused && this.#received >= ACK_EVERY) this.#ack();
  }

  /** @internal */
  acked(n: number): void {
    this.#unacked -= n;
    const cb = this.#waiting;
    if (cb && this.#unacked <= WINDOW) { this.#waiting = undefined; cb(); }
  }

  /** @internal */
  eof(): void {
    if (this.#eofReceived) return;
    this.#eofReceived = true;
    this.push(null);
  }

  /** @internal The peer destroyed its end or the link closed: like a reset TCP connection. */
  reset(): void {
    this.#peerGone = true;
    const cb = this.#waiting;
    this.#waiting = undefined;
    cb?.(epipe('cross-thread'));
    this.eof();
  }

  #ack(): void {
    if (this.#received === 0 || this.#peerGone) return;
    this.#link.queue(this.#id, Kind.Ack, this.#received);
    this.#received = 0;
  }

  override _read(): void {
    if (this.#paused) { this.#paused = false; this.#ack(); }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: Callback): void { this.#send([chunk], chunk.length, cb); }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: Callback): void {
    let size = 0;
    for (const c of chunks) size += c.chunk.length;
    this.#send(chunks.map(c => c.chunk), size, cb);
  }

  #send(chunks: Buffer[], size: number, cb: Callback): void {
    if (this.#peerGone || this.#eofSent || this.#link.closed) { cb(epipe('cross-thread')); return; }
    this.touch();
    if (size === 0) { cb(); return; }
    // Copied into the batch now: the caller may reuse its buffers once called back.
    this.#link.queue(this.#id, Kind.Data, size, chunks);
    this.#unacked += size;
    if (this.#unacked <= WINDOW) cb();
    else this.#waiting = cb;
  }

  override _final(cb: Callback): void {
    this.#sendEof();
    cb();
  }

  override _destroy(err: Error | null, cb: Callback): void {
    this.clearTimer();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(epipe('cross-thread'));
    this.#sendEof();
    if (!this.#peerGone) this.#link.queue(this.#id, Kind.Close, 0);
    this.#peerGone = true;
    this.#link.forget(this.#id);
    this.unref();
    cb(err);
  }

  #sendEof(): void {
    if (this.#eofSent || this.#peerGone) return;
    this.#eofSent = true;
    this.#link.queue(this.#id, Kind.Eof, 0);
  }
}
