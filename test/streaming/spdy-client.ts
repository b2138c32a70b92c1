/**
 * A small SPDY/3.1-over-WebSocket client playing kubectl's part (spdystream's client
 * role: odd stream ids, streams half-closed with DATA+FIN). The WebSocket handshake is
 * done by hand because the `ws` client refuses 'SPDY/3.1+portforward.k8s.io' (not an
 * RFC token); the upgraded socket is then framed by ws in client (masking) mode.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import WebSocket from 'ws';
import { encodeFrame, FLAG_FIN, FrameParser, HeaderCodec, type Frame } from '../../src/node/streaming/spdy/index.js';

export class ClientStream {
  readonly chunks: Buffer[] = [];
  fin = false;
  rst?: number;
  replied = false;
  readonly #waiters: (() => void)[] = [];
  constructor(readonly id: number, readonly client: SpdyTestClient) {}
  write(data: Buffer | string): void { this.client.send({ type: 'data', streamId: this.id, flags: 0, data: Buffer.from(data) }); }
  end(): void { this.client.send({ type: 'data', streamId: this.id, flags: FLAG_FIN, data: Buffer.alloc(0) }); }
  text(): string { return Buffer.concat(this.chunks).toString(); }
  bytes(): Buffer { return Buffer.concat(this.chunks); }
  /** Resolves when the server half-closed (FIN) or reset the stream. */
  done(): Promise<void> { return this.fin || this.rst ? Promise.resolve() : new Promise(r => this.#waiters.push(r)); }
  settle(): void { for (const w of this.#waiters.splice(0)) w(); }
}

export class SpdyTestClient {
  readonly streams = new Map<number, ClientStream>();
  readonly pings: number[] = [];
  goaway?: number;
  readonly #codec = new HeaderCodec();
  readonly #parser = new FrameParser();
  #nextId = 1;
  #chain: Promise<unknown> = Promise.resolve();
  #replyWaiters = new Map<number, (ok: boolean) => void>();
  readonly closed: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise(r => ws.once('close', () => r()));
    ws.on('message', (m: Buffer) => {
      const frames = this.#parser.push(m);
      this.#chain = this.#chain.then(async () => { for (const f of frames) await this.#handle(f); });
    });
  }

  static connect(url: string, protocol = 'SPDY/3.1+portforward.k8s.io'): Promise<SpdyTestClient> {
    return new Promise((resolve, reject) => {
      const req = request(url, {
        headers: {
          Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': protocol,
        },
      });
      req.on('response', res => reject(new Error(`HTTP ${res.statusCode}`)));
      req.on('error', reject);
      req.on('upgrade', (res, socket, head) => {
        if (res.headers['sec-websocket-protocol'] !== protocol) return reject(new Error(`protocol ${res.headers['sec-websocket-protocol']}`));
        const ws = new WebSocket(null as unknown as string, undefined, { autoPong: true });
        (ws as unknown as { _isServer: boolean })._isServer = false; // client role: mask what we send
        (ws as unknown as { setSocket(s: unknown, h: Buffer, o: object): void }).setSocket(socket, head, { maxPayload: 0, allowSynchronousEvents: true });
        resolve(new SpdyTestClient(ws));
      });
      req.end();
    });
  }

  send(f: Frame): void { this.ws.send(encodeFrame(f)); }

  /** SYN_STREAM with these headers; resolves once the server replied (or rejects on RST). */
  async open(headers: Record<string, string>): Promise<ClientStream> {
    const id = this.#nextId;
    this.#nextId += 2;
    const s = new ClientStream(id, this);
    this.streams.set(id, s);
    const replied = new Promise<boolean>(r => this.#replyWaiters.set(id, r));
    const block = await this.#codec.compress(headers);
    this.send({ type: 'syn_stream', streamId: id, associatedId: 0, priority: 0, slot: 0, flags: 0, block });
    if (!(await replied)) throw new Error(`stream ${id} reset: ${s.rst}`);
    return s;
  }

  ping(id: number): void { this.send({ type: 'ping', id }); }

  close(): void { this.ws.close(1000); }

  async #handle(f: Frame): Promise<void> {
    switch (f.type) {
      case 'syn_reply': {
        await this.#codec.decompress(f.block);
        const s = this.streams.get(f.streamId);
        if (s) s.replied = true;
        this.#replyWaiters.get(f.streamId)?.(true);
        return;
      }
      case 'data': {
        const s = this.streams.get(f.streamId);
        if (!s) return;
        if (!s.replied) throw new Error(`DATA before SYN_REPLY on ${f.streamId}`);
        if (f.data.length) s.chunks.push(f.data);
        if (f.flags & FLAG_FIN) { s.fin = true; s.settle(); }
        return;
      }
      case 'rst_stream': {
        const s = this.streams.get(f.streamId);
        if (s) { s.rst = f.status; s.settle(); }
        this.#replyWaiters.get(f.streamId)?.(false);
        return;
      }
      case 'ping': this.pings.push(f.id); return;
      case 'goaway': this.goaway = f.status; return;
      default: return;
    }
  }
}
