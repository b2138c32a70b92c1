/**
 * Forwards queries outside the cluster zone to the node's upstream resolvers: UDP from
 * one socket with our own message IDs (restored on the way back), TCP one connection
 * per query. Each upstream is tried in turn within the timeout; undefined means none
 * answered (the caller answers SERVFAIL).
 */
import dgram from 'node:dgram';
import net from 'node:net';

export interface Upstream { host: string; port: number }

export interface ForwarderOptions {
  upstreams: Upstream[];
  /** Per-upstream wait (default 2000 ms). */
  timeoutMs?: number;
}

interface Pending { resolve(b: Buffer | undefined): void; timer: NodeJS.Timeout; origId: number; query: Buffer; next: number }

export class Forwarder {
  readonly upstreams: Upstream[];
  readonly #timeout: number;
  readonly #pending = new Map<number, Pending>();
  #sock?: dgram.Socket;

  constructor(o: ForwarderOptions) {
    this.upstreams = o.upstreams;
    this.#timeout = o.timeoutMs ?? 2000;
  }

  async start(): Promise<void> {
    const s = dgram.createSocket('udp4');
    s.on('message', (msg, from) => this.#onReply(msg, from));
    s.on('error', () => {});
    await new Promise<void>(r => s.bind(0, r));
    this.#sock = s;
  }

  close(): void {
    this.#sock?.close();
    this.#sock = undefined;
    for (const p of this.#pending.values()) { clearTimeout(p.timer); p.resolve(undefined); }
    this.#pending.clear();
  }

  /** Relays a UDP query; the answer carries the query's own ID. */
  udp(query: Buffer): Promise<Buffer | undefined> {
    if (!this.#sock || !this.upstreams.length || query.length < 12 || this.#pending.size >= 60000) return Promise.resolve(undefined);
    return new Promise(resolve => {
      let id: number;
      do { id = (Math.random() * 65536) | 0; } while (this.#pending.has(id));
      const q = Buffer.from(query);
      const origId = q.readUInt16BE(0);
      q.writeUInt16BE(id, 0);
      const p: Pending = { resolve, timer: undefined as unknown as NodeJS.Timeout, origId, query: q, next: 0 };
      this.#pending.set(id, p);
      this.#send(id, p);
    });
  }

  #send(id: number, p: Pending): void {
    if (p.next >= this.upstreams.length) {
      this.#pending.delete(id);
      p.resolve(undefined);
      return;
    }
    const u = this.upstreams[p.next++];
    this.#sock?.send(p.query, u.port, u.host);
    p.timer = setTimeout(() => this.#send(id, p), this.#timeout);
  }

  #onReply(msg: Buffer, from: dgram.RemoteInfo): void {
    if (msg.length < 12) return;
    const id = msg.readUInt16BE(0);
    const p = this.#pending.get(id);
    if (!p || !this.upstreams.some(u => u.port === from.port && sameHost(u.host, from.address))) return;
    clearTimeout(p.timer);
    this.#pending.delete(id);
    msg.writeUInt16BE(p.origId, 0);
    p.resolve(msg);
  }

  /** Relays a TCP query (no length prefix in or out). */
  async tcp(query: Buffer): Promise<Buffer | undefined> {
    for (const u of this.upstreams) {
      const r = await tcpExchange(u, query, this.#timeout).catch(() => undefined);
      if (r) return r;
    }
    return undefined;
  }
}

function sameHost(a: string, b: string): boolean {
  return a === b || (a === 'localhost' && b === '127.0.0.1');
}

function tcpExchange(u: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(u.port, u.host);
    let buf = Buffer.alloc(0);
    const done = (v: Buffer | undefined, e?: Error) => { sock.destroy(); clearTimeout(t); if (e) reject(e); else resolve(v); };
    const t = setTimeout(() => done(undefined), timeoutMs);
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', d => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('error', e => done(undefined, e));
    sock.on('end', () => done(undefined));
  });
}

/** Nameservers of a resolv.conf text (port 53). */
export function upstreamsFromResolvConf(text: string): Upstream[] {
  return text.split('\n').map(l => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((x): x is string => !!x && !x.includes(':'))
    .map(host => ({ host, port: 53 }));
}
