/**
 * A pool of keep-alive HTTP/1.1 connections for requests whose whole answer is read at once
 * (every request but watches and log streams). Node's http client builds a ClientRequest, an
 * agent queue entry, an IncomingMessage stream and parser callbacks per request: for the
 * scheduler's bindings and events (small requests, small answers) that machinery cost more
 * of its thread than the requests themselves. Here a request is one write (head and body
 * together) and its answer is parsed straight from the socket's chunks: status line,
 * headers, then a Content-Length, chunked or until-close body.
 *
 * Like Node's keep-alive agent: one request at a time per connection (no pipelining), at
 * most `maxSockets` connections (further requests wait for a free one), idle connections
 * unref'd (they keep no process or thread alive) and dropped when the server closes them.
 * A request that finds its reused connection closed before any answer byte arrives fails
 * with `reusedSocket` set (the server may have closed it just as we wrote): the caller may
 * send it again once.
 */
import type { Duplex } from 'node:stream';

export interface Http1Response {
  status: number;
  /** Lower-case names; repeated headers joined with ", " (set-cookie: an array), as Node's. */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export interface Http1Request {
  method: string;
  /** The whole head: request line, header lines and the empty line. */
  head: string;
  body?: string | Buffer;
  /** Idle time without an answer byte before the request fails with timeoutError() (0: none). */
  timeoutMs: number;
  timeoutError: () => Error;
  signal?: AbortSignal;
}

/** Response heads larger than this are refused (Node's default maxHeaderSize is 16 KiB). */
const MAX_HEAD = 64 << 10;
const CRLF = 0x0d0a;
const NON_ASCII = /[^\x00-\x7f]/;

const enum Mode { Head, Length, ChunkSize, ChunkData, ChunkEnd, Trailer, UntilClose }

interface Pending {
  r: Http1Request;
  resolve(res: Http1Response): void;
  reject(e: unknown): void;
  /** Set while it waits for a connection: how to stop waiting when aborted. */
  onAbort?: () => void;
}

function netError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

class Connection {
  readonly sock: Duplex;
  /** Requests sent on it so far (a second one reuses it). */
  uses = 0;
  closed = false;
  #pool: Http1Pool;
  #cur?: Pending;
  #timer?: NodeJS.Timeout;
  #onAbort?: () => void;
  /** Bytes of the answer seen (a reused connection that closes before any was closed idle). */
  #got = false;
  /** Unparsed bytes (a head or chunk-size line split across chunks). */
  #rest?: Buffer;
  #mode = Mode.Head;
  #status = 0;
  #headers: Record<string, string | string[]> = {};
  #remaining = 0;
  #parts: Buffer[] = [];
  #keepAlive = true;

  constructor(pool: Http1Pool, sock: Duplex) {
    this.#pool = pool;
    this.sock = sock;
    sock.on('data', (c: Buffer) => this.#data(c));
    sock.on('end', () => this.#ended());
    sock.on('error', e => this.#fail(e));
    sock.on('close', () => this.#closed());
  }

  send(p: Pending): void {
    this.#cur = p;
    this.uses++;
    this.#got = false;
    this.#mode = Mode.Head;
    this.#headers = {};
    this.#parts = [];
    this.#keepAlive = true;
    const r = p.r;
    if (r.timeoutMs > 0) {
      this.#timer = setTimeout(() => this.#abandon(r.timeoutError()), r.timeoutMs);
    }
    if (r.signal) {
      const onAbort = () => this.#abandon(r.signal!.reason ?? netError('The operation was aborted', 'ABORT_ERR'));
      r.signal.addEventListener('abort', onAbort, { once: true });
      this.#onAbort = onAbort;
    }
    const body = r.body;
    if (body === undefined || body.length === 0) this.sock.write(r.head, 'latin1');
    else if (typeof body === 'string' && !NON_ASCII.test(r.head)) this.sock.write(r.head + body, 'utf8');
    else this.sock.write(Buffer.concat([Buffer.from(r.head, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]));
  }

  /** The request fails and the connection goes (timeout, abort): its answer may still come. */
  #abandon(e: unknown): void {
    this.#fail(e);
    this.sock.destroy();
  }

  #data(chunk: Buffer): void {
    const p = this.#cur;
    if (!p) { this.sock.destroy(); return; } // bytes nobody asked for: not a connection to reuse
    this.#got = true;
    this.#timer?.refresh();
    let b = chunk;
    if (this.#rest) { b = Buffer.concat([this.#rest, chunk]); this.#rest = undefined; }
    let at = 0;
    let done = false;
    try {
      while (!done && (at < b.length || this.#mode === Mode.Length && this.#remaining === 0)) {
        switch (this.#mode) {
          case Mode.Head: {
            const end = b.indexOf('\r\n\r\n', at, 'latin1');
            if (end < 0) {
              if (b.length - at > MAX_HEAD) throw netError('response head too large', 'HPE_HEADER_OVERFLOW');
              this.#rest = b.subarray(at);
              return;
            }
            const bodyless = this.#head(b.toString('latin1', at, end));
            at = end + 4;
            if (bodyless) done = true;
            break;
          }
          case Mode.Length: {
            const n = Math.min(this.#remaining, b.length - at);
            if (n > 0) this.#parts.push(b.subarray(at, at + n));
            at += n;
            this.#remaining -= n;
            if (this.#remaining === 0) done = true;
            break;
          }
          case Mode.ChunkSize: {
            const nl = b.indexOf('\r\n', at, 'latin1');
            if (nl < 0) {
              if (b.length - at > 1024) throw netError('bad chunk size line', 'HPE_INVALID_CHUNK_SIZE');
              this.#rest = b.subarray(at);
              return;
            }
            const line = b.toString('latin1', at, nl);
            const semi = line.indexOf(';');
            const size = parseInt(semi < 0 ? line : line.slice(0, semi), 16);
            if (!Number.isFinite(size) || size < 0) throw netError(`bad chunk size ${JSON.stringify(line)}`, 'HPE_INVALID_CHUNK_SIZE');
            at = nl + 2;
            if (size === 0) this.#mode = Mode.Trailer;
            else { this.#remaining = size; this.#mode = Mode.ChunkData; }
            break;
          }
          case Mode.ChunkData: {
            const n = Math.min(this.#remaining, b.length - at);
            this.#parts.push(b.subarray(at, at + n));
            at += n;
            this.#remaining -= n;
            if (this.#remaining === 0) this.#mode = Mode.ChunkEnd;
            break;
          }
          case Mode.ChunkEnd: {
            if (b.length - at < 2) { this.#rest = b.subarray(at); return; }
            if (b.readUInt16BE(at) !== CRLF) throw netError('chunk not followed by CRLF', 'HPE_STRICT');
            at += 2;
            this.#mode = Mode.ChunkSize;
            break;
          }
          case Mode.Trailer: {
            const nl = b.indexOf('\r\n', at, 'latin1');
            if (nl < 0) { this.#rest = b.subarray(at); return; }
            if (nl === at) done = true; // the empty line ends the message; trailer fields are skipped
            at = nl + 2;
            break;
          }
          case Mode.UntilClose:
            this.#parts.push(at === 0 ? b : b.subarray(at));
            at = b.length;
            break;
        }
      }
    } catch (e) {
      this.#abandon(e);
      return;
    }
    if (!done) return;
    // Bytes beyond the answer: the stream is out of step; answer this request, then drop it.
    if (at < b.length) this.#keepAlive = false;
    this.#complete();
  }

  /** Parses a response head; true when the answer has no body (it is complete). */
  #head(text: string): boolean {
    const lines = text.split('\r\n');
    const sl = lines[0]!;
    if (!sl.startsWith('HTTP/1.') || sl.length < 12) throw netError(`bad status line ${JSON.stringify(sl.slice(0, 80))}`, 'HPE_INVALID_CONSTANT');
    const status = Number(sl.slice(9, 12));
    if (!(status >= 100 && status <= 999)) throw netError(`bad status line ${JSON.stringify(sl.slice(0, 80))}`, 'HPE_INVALID_STATUS');
    // 1xx interim answers (100 Continue…) precede the real one.
    if (status < 200 && status !== 101) return false;
    const headers: Record<string, string | string[]> = {};
    let length = -1, chunked = false;
    let keepAlive = sl.charCodeAt(7) !== 0x30; // HTTP/1.0 closes unless it says keep-alive
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i]!;
      const c = l.indexOf(':');
      if (c <= 0) continue;
      const name = l.slice(0, c).trim().toLowerCase();
      const value = l.slice(c + 1).trim();
      const prev = headers[name];
      if (name === 'set-cookie') headers[name] = prev ? [...(prev as string[]), value] : [value];
      else headers[name] = prev === undefined ? value : `${prev as string}, ${value}`;
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = value.toLowerCase().includes('chunked');
      else if (name === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
      }
    }
    this.#status = status;
    this.#headers = headers;
    this.#keepAlive = keepAlive;
    if (this.#cur!.r.method === 'HEAD' || status === 204 || status === 304 || status === 101) {
      if (status === 101) this.#keepAlive = false;
      return true;
    }
    if (chunked) { this.#mode = Mode.ChunkSize; return false; }
    if (length >= 0) {
      if (!Number.isSafeInteger(length)) throw netError(`bad content-length ${JSON.stringify(headers['content-length'])}`, 'HPE_INVALID_CONTENT_LENGTH');
      this.#remaining = length;
      this.#mode = Mode.Length;
      return false;
    }
    this.#mode = Mode.UntilClose;
    this.#keepAlive = false;
    return false;
  }

  #complete(): void {
    const p = this.#cur!;
    const parts = this.#parts;
    const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const res: Http1Response = { status: this.#status, headers: this.#headers, body };
    this.#settle();
    this.#parts = [];
    if (this.#keepAlive) this.#pool.release(this);
    else this.sock.destroy();
    p.resolve(res);
  }

  /** Clears the current request's timer and abort listener; it is no longer ours to answer. */
  #settle(): void {
    const p = this.#cur;
    this.#cur = undefined;
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
    if (this.#onAbort) { p?.r.signal?.removeEventListener('abort', this.#onAbort); this.#onAbort = undefined; }
    this.#rest = undefined;
  }

  #fail(e: unknown): void {
    const p = this.#cur;
    if (!p) return;
    const reused = this.uses > 1 && !this.#got;
    this.#settle();
    if (reused && (e as { code?: string }).code === 'ECONNRESET') (e as { reusedSocket?: boolean }).reusedSocket = true;
    p.reject(e);
  }

  #ended(): void {
    if (this.#cur && this.#mode === Mode.UntilClose) {
      this.#keepAlive = false;
      this.#complete();
      return;
    }
    this.#fail(netError('socket hang up', 'ECONNRESET'));
    this.sock.destroy();
  }

  #closed(): void {
    this.closed = true;
    this.#fail(netError('socket hang up', 'ECONNRESET'));
    this.#pool.closed(this);
  }
}

export class Http1Pool {
  readonly #connect: () => Duplex;
  readonly #max: number;
  /** Idle connections, the most recently used last (reused first: it is least likely to have timed out). */
  #idle: Connection[] = [];
  #open = new Set<Connection>();
  /** Requests waiting for a connection, oldest first from #head. */
  #waiting: Pending[] = [];
  #head = 0;

  constructor(connect: () => Duplex, maxSockets: number) {
    this.#connect = connect;
    this.#max = Math.max(1, maxSockets);
  }

  request(r: Http1Request): Promise<Http1Response> {
    return new Promise((resolve, reject) => {
      const p: Pending = { r, resolve, reject };
      if (r.signal?.aborted) { reject(r.signal.reason); return; }
      const c = this.#take();
      if (c) { c.send(p); return; }
      if (r.signal) {
        const onAbort = () => {
          const i = this.#waiting.indexOf(p, this.#head);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(r.signal!.reason);
        };
        r.signal.addEventListener('abort', onAbort, { once: true });
        p.onAbort = onAbort;
      }
      this.#waiting.push(p);
    });
  }

  /** Destroys every connection (requests in flight fail, as with Node's agent.destroy()). */
  destroy(): void {
    for (const c of [...this.#open]) c.sock.destroy();
    this.#idle = [];
  }

  /** @internal A connection finished its request and may serve another. */
  release(c: Connection): void {
    const next = this.#next();
    if (next) { c.send(next); return; }
    (c.sock as { unref?: () => void }).unref?.();
    this.#idle.push(c);
  }

  /** @internal */
  closed(c: Connection): void {
    this.#open.delete(c);
    const i = this.#idle.indexOf(c);
    if (i >= 0) this.#idle.splice(i, 1);
    // Room for a waiting request on a new connection.
    if (this.#head < this.#waiting.length && this.#open.size < this.#max) {
      const next = this.#next();
      if (next) this.#newConnection().send(next);
    }
  }

  #take(): Connection | undefined {
    for (let c = this.#idle.pop(); c; c = this.#idle.pop()) {
      if (c.closed || c.sock.destroyed) continue;
      (c.sock as { ref?: () => void }).ref?.();
      return c;
    }
    return this.#open.size < this.#max ? this.#newConnection() : undefined;
  }

  #newConnection(): Connection {
    const c = new Connection(this, this.#connect());
    this.#open.add(c);
    return c;
  }

  #next(): Pending | undefined {
    if (this.#head >= this.#waiting.length) return undefined;
    const p = this.#waiting[this.#head++]!;
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) { this.#waiting = this.#waiting.slice(this.#head); this.#head = 0; }
    if (p.onAbort) { p.r.signal?.removeEventListener('abort', p.onAbort); p.onAbort = undefined; }
    return p;
  }
}
