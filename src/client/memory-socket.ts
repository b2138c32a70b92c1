/**
 * Two connected in-memory streams that behave enough like a TCP socket for Node's HTTP
 * client and server: what one side writes the other reads, ending one side is a FIN
 * (the peer reads the rest, then 'end'), destroying it closes the peer after its buffered
 * data, and idle timeouts emit 'timeout' as net.Socket's do. In-process components reach
 * the API server this way: no TLS, no kernel, the same HTTP on both ends.
 */
import { SocketFacade, epipe, type Callback } from './socket-facade.js';

export class MemorySocket extends SocketFacade {
  #peer!: MemorySocket;
  /** The peer's write callback, held until we read (backpressure, as Node's duplexPair). */
  #peerWaiting?: Callback;
  /** We sent EOF into the peer (end or destroy). */
  #eofSent = false;

  /** A connected pair: [client end, server end]. */
  static pair(): [MemorySocket, MemorySocket] {
    const a = new MemorySocket();
    const b = new MemorySocket();
    a.#peer = b;
    b.#peer = a;
    return [a, b];
  }

  private constructor() {
    // Like net.Socket: a FIN from the peer ends our side too once read.
    super({ allowHalfOpen: false, decodeStrings: true });
  }

  override _read(): void {
    const cb = this.#peerWaiting;
    if (cb) { this.#peerWaiting = undefined; cb(); }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: Callback): void { this.#send(chunk, cb); }

  #send(chunk: Buffer, cb: Callback): void {
    const peer = this.#peer;
    if (peer.destroyed || this.#eofSent) { cb(epipe()); return; }
    this.touch();
    peer.touch();
    if (chunk.length === 0) { cb(); return; }
    // Written data is the peer's to read at once; the next write waits until it asks for more.
    if (peer.push(chunk)) cb();
    else peer.#peerWaiting = cb;
  }

  /**
   * Corked writes (HTTP sends a chunk's size line, data and CRLF so) reach the peer as one
   * chunk: one parser pass instead of three. Big bodies go as they are, without a copy.
   */
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: Callback): void {
    let size = 0;
    for (const c of chunks) size += c.chunk.length;
    if (size <= 65_536) { this.#send(Buffer.concat(chunks.map(c => c.chunk), size), cb); return; }
    const last = chunks.length - 1;
    const next = (i: number): void => {
      this.#send(chunks[i]!.chunk, i === last ? cb : err => (err ? cb(err) : next(i + 1)));
    };
    next(0);
  }

  override _final(cb: Callback): void {
    this.#sendEof();
    cb();
  }

  override _destroy(err: Error | null, cb: Callback): void {
    this.clearTimer();
    const waiting = this.#peerWaiting;
    this.#peerWaiting = undefined;
    waiting?.(epipe());
    // Like a closed TCP socket: the peer reads what was already sent, then its end.
    this.#sendEof();
    cb(err);
  }

  #sendEof(): void {
    if (this.#eofSent) return;
    this.#eofSent = true;
    if (!this.#peer.destroyed) this.#peer.push(null);
  }
}
