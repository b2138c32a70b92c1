/**
 * A channel-multiplexed WebSocket (apimachinery wsstream): every message starts with a
 * channel byte; the base64 protocols send text messages `'0'+channel` + base64(data).
 * v5 adds the close signal `[255, channel]` (half-close of one client channel).
 */
import { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { isBase64Protocol, V5_CHANNEL } from './protocols.js';
import type { Duplex } from 'node:stream';
import { prependHeader, releaseCopied, writeReleasing } from './read-pool.js';
import { binaryFrameHeader } from './tunnel.js';

/** v5 close signal: `[255, channel]` closes the client's side of that channel. */
export const CLOSE_SIGNAL = 255;

/** Binary payloads from this size on are not copied behind their channel byte. */
const COPY_LIMIT = 16 * 1024;

export interface ChannelConnectionOptions {
  /** Ping the client this often and drop it after one unanswered ping; 0 disables. */
  pingIntervalMs?: number;
  /**
   * The connection `ws` runs on: a chunk read from a pod (read-pool) then leaves as one
   * message written straight to it, frame header and channel byte in front of the chunk.
   */
  socket?: Duplex;
}

export class ChannelConnection {
  readonly protocol: string;
  /** Resolves once the WebSocket is closed (either side, clean or not). */
  readonly closed: Promise<void>;
  onData: (channel: number, data: Buffer) => void = () => {};
  onCloseChannel: (channel: number) => void = () => {};
  readonly #ws: WebSocket;
  readonly #base64: boolean;
  readonly #socket?: Duplex;
  #isClosed = false;
  #timer?: NodeJS.Timeout;

  constructor(ws: WebSocket, protocol: string, o: ChannelConnectionOptions = {}) {
    this.#ws = ws;
    this.protocol = protocol;
    this.#base64 = isBase64Protocol(protocol);
    this.#socket = o.socket;
    this.closed = new Promise(resolve => ws.once('close', () => {
      this.#isClosed = true;
      clearInterval(this.#timer);
      resolve();
    }));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => this.#receive(toBuffer(data), isBinary));
    const interval = o.pingIntervalMs ?? 30_000;
    if (interval > 0) {
      let alive = true;
      const mark = () => { alive = true; };
      ws.on('pong', mark);
      ws.on('message', mark);
      this.#timer = setInterval(() => {
        if (!alive) { ws.terminate(); return; }
        alive = false;
        ws.ping();
      }, interval);
      this.#timer.unref();
    }
  }

  get isClosed(): boolean { return this.#isClosed; }

  /** Sends `data` on `channel`; `cb` runs once it is handed to the socket (or dropped on a closed connection). */
  send(channel: number, data: Buffer, cb?: () => void): void {
    if (this.#isClosed || this.#ws.readyState !== this.#ws.OPEN) { cb?.(); return; }
    if (this.#base64) {
      this.#ws.send(String.fromCharCode(48 + channel) + data.toString('base64'), { binary: false }, () => cb?.());
      releaseCopied(data);
    } else if (this.#socket && !this.#socket.destroyed && this.#inPlace(channel, data, cb)) {
      // written whole
    } else if (data.length >= COPY_LIMIT) {
      // Large payloads leave as a second fragment of the same message: no copy behind the
      // channel byte. ws calls back once the socket has written them: a pooled chunk goes back then.
      this.#ws.send(Buffer.of(channel), { binary: true, fin: false });
      this.#ws.send(data, { binary: true, fin: true }, () => { releaseCopied(data); cb?.(); });
    } else {
      this.#ws.send(Buffer.concat([Buffer.of(channel), data]), { binary: true }, () => cb?.());
      releaseCopied(data);
    }
  }

  /** One buffer for the TLS socket (it would copy several into one first); false when `data` has no room. */
  #inPlace(channel: number, data: Buffer, cb?: () => void): boolean {
    const whole = prependHeader(Buffer.concat([binaryFrameHeader(data.length + 1), Buffer.of(channel)]), data);
    if (!whole) return false;
    writeReleasing(this.#socket!, whole, () => cb?.());
    return true;
  }

  /** A Writable whose chunks go out on `channel`; its backpressure is the socket's. */
  writable(channel: number): Writable {
    return new Writable({ write: (chunk: Buffer, _enc, cb) => this.send(channel, chunk, () => cb()) });
  }

  /** Flow control for input: stop reading the socket until resume(). */
  pause(): void { if (!this.#isClosed) this.#ws.pause(); }
  resume(): void { if (!this.#isClosed) this.#ws.resume(); }

  /** A clean close (1000); the peer answers and the socket ends. */
  close(code = 1000, reason = ''): void {
    if (!this.#isClosed) this.#ws.close(code, reason);
  }

  terminate(): void { this.#ws.terminate(); }

  #receive(data: Buffer, isBinary: boolean): void {
    if (data.length === 0) return;
    let channel = data[0]!;
    let payload = data.subarray(1);
    if (this.#base64 && !isBinary) {
      channel -= 48;
      payload = Buffer.from(payload.toString('latin1'), 'base64');
    }
    if (channel === CLOSE_SIGNAL && this.protocol === V5_CHANNEL) {
      if (payload.length === 1) this.onCloseChannel(payload[0]!);
      return;
    }
    this.onData(channel, payload);
  }
}

function toBuffer(d: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(d)) return d;
  if (Array.isArray(d)) return Buffer.concat(d);
  return Buffer.from(d);
}
