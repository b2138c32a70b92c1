/**
 * What Node's HTTP client and server read from a socket beyond the Duplex itself: the
 * address fields, an idle timeout emitting 'timeout' as net.Socket's does, and the TCP
 * options that mean nothing off the network. The in-memory and cross-thread connections
 * (memory-socket.ts, port-socket.ts) share it.
 */
import { Duplex, type DuplexOptions } from 'node:stream';

export type Callback = (err?: Error | null) => void;

export function epipe(what = 'in-memory'): Error {
  return Object.assign(new Error(`write EPIPE: the other end of the ${what} connection is closed`), { code: 'EPIPE' });
}

export abstract class SocketFacade extends Duplex {
  #timer?: NodeJS.Timeout;
  /** net.Socket's idle timeout in ms (0 = none); the HTTP agent reads it. */
  timeout = 0;
  readonly connecting = false;
  readonly pending = false;
  readonly remoteAddress = '127.0.0.1';
  readonly remoteFamily = 'IPv4';
  readonly remotePort = 0;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 0;
  readonly encrypted = false;

  constructor(o: DuplexOptions) { super(o); }

  /** net.Socket#setTimeout: 'timeout' after `ms` without reads or writes; 0 turns it off. */
  setTimeout(ms: number, cb?: () => void): this {
    this.timeout = ms;
    this.clearTimer();
    if (ms > 0 && !this.destroyed) {
      this.#timer = setTimeout(() => this.emit('timeout'), ms);
      this.#timer.unref();
      if (cb) this.once('timeout', cb);
    } else if (cb) {
      this.removeListener('timeout', cb);
    }
    return this;
  }

  /** Activity restarts the idle timer. */
  protected touch(): void { this.#timer?.refresh(); }

  protected clearTimer(): void {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
  }

  // TCP options and event-loop references mean nothing here.
  setNoDelay(): this { return this; }
  setKeepAlive(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
  address(): { address: string; family: string; port: number } { return { address: this.localAddress, family: 'IPv4', port: 0 }; }
}
