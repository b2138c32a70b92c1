/**
 * The cluster DNS server: UDP and TCP on one address and port. Names in the cluster
 * zone are answered from the zone (informer caches, never an API call per query) and
 * their encoded answers cached until the caches change; ExternalName CNAMEs are chased;
 * everything else is relayed to the upstream resolvers.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { defaultLogger, type Logger } from '../client/index.js';
import { parseResponse } from './decode.js';
import type { Forwarder } from './forwarder.js';
import { RCODE, TYPE, encodeQuery, encodeResponse, parseQuery, type Query, type Record, type Response } from './wire.js';
import type { ClusterZone } from './zone.js';

export interface DnsServerOptions {
  host: string;
  /** 0 picks a free port (the same number for UDP and TCP). */
  port: number;
  zone: ClusterZone;
  forwarder: Forwarder;
  logger?: Logger;
  /** Cached encoded answers (default 10,000; cleared whenever the caches change). */
  cacheSize?: number;
}

export interface DnsStats { queries: number; cacheHits: number; forwarded: number; failed: number }

export class DnsServer {
  readonly #o: DnsServerOptions;
  readonly #log: Logger;
  readonly #cache = new Map<string, Buffer>();
  readonly #conns = new Set<net.Socket>();
  #udp?: dgram.Socket;
  #tcp?: net.Server;
  readonly stats: DnsStats = { queries: 0, cacheHits: 0, forwarded: 0, failed: 0 };
  address?: { host: string; port: number };

  constructor(o: DnsServerOptions) {
    this.#o = o;
    this.#log = o.logger ?? defaultLogger;
  }

  async listen(): Promise<{ host: string; port: number }> {
    for (let attempt = 0; ; attempt++) {
      const udp = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(this.#o.port, this.#o.host, () => resolve()); });
      const port = udp.address().port;
      const tcp = net.createServer(s => this.#onTcp(s));
      try {
        await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(port, this.#o.host, () => resolve()); });
      } catch (e) {
        udp.close();
        // The UDP port's TCP twin was taken: try another pair (only when we picked it).
        if (this.#o.port === 0 && attempt < 20) continue;
        throw e;
      }
      udp.on('error', e => this.#log.warn('dns udp socket error', { error: e.message }));
      udp.on('message', (msg, rinfo) => this.#onUdp(udp, msg, rinfo));
      this.#udp = udp;
      this.#tcp = tcp;
      this.address = { host: this.#o.host, port };
      return this.address;
    }
  }

  async close(): Promise<void> {
    this.#udp?.close();
    for (const c of this.#conns) c.destroy();
    await new Promise<void>(r => (this.#tcp ? this.#tcp.close(() => r()) : r()));
  }

  /** Forget cached answers (call on every informer change). */
  invalidate(): void { this.#cache.clear(); }

  #onUdp(sock: dgram.Socket, msg: Buffer, r: dgram.RemoteInfo): void {
    const out = this.handle(msg, 'udp');
    // Cached and zone answers come back synchronously: no promise per query.
    if (out instanceof Promise) void out.then(b => { if (b) sock.send(b, r.port, r.address); });
    else if (out) sock.send(out, r.port, r.address);
  }

  #onTcp(s: net.Socket): void {
    this.#conns.add(s);
    s.setTimeout(10_000, () => s.destroy());
    s.on('close', () => this.#conns.delete(s));
    s.on('error', () => {});
    let buf = Buffer.alloc(0);
    s.on('data', async d => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        const out = await this.handle(Buffer.from(msg), 'tcp');
        if (!out || s.destroyed) continue;
        const len = Buffer.alloc(2);
        len.writeUInt16BE(out.length);
        s.write(Buffer.concat([len, out]));
      }
    });
  }

  /** One query in, one response out (undefined: drop it); a promise only when upstream is involved. */
  handle(msg: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined | Promise<Buffer | undefined> {
    this.stats.queries++;
    let q: Query;
    try { q = parseQuery(msg); } catch {
      if (msg.length < 12) return undefined;
      return encodeResponse({ id: msg.readUInt16BE(0), flags: 0, opcode: 0, rd: false }, { rcode: RCODE.FORMERR, aa: false, answers: [], authority: [], additional: [] });
    }
    if ((q.flags & 0x8000) !== 0) return undefined; // a response, not a query
    const limit = transport === 'udp' ? q.udpSize ?? 512 : 65535;
    if (q.opcode !== 0 || !q.question) return encodeResponse(q, { rcode: RCODE.NOTIMP, aa: false, answers: [], authority: [], additional: [] });
    const key = `${q.question.name}|${q.question.type}|${q.question.class}|${limit}|${q.rd ? 1 : 0}`;
    const hit = this.#cache.get(key);
    if (hit) {
      this.stats.cacheHits++;
      return withQuestion(hit, msg, q.id);
    }
    const zoneAnswer = q.question.class === 1 ? this.#o.zone.answer(q.question) : undefined;
    if (!zoneAnswer) return this.#forward(msg, q, transport);
    if (needsChase(q, zoneAnswer)) return this.#chase(q, zoneAnswer).then(a => withQuestion(encodeResponse(q, a, limit), msg, q.id));
    const out = encodeResponse(q, zoneAnswer, limit);
    if (this.#cache.size >= (this.#o.cacheSize ?? 10_000)) this.#cache.clear();
    this.#cache.set(key, out);
    return withQuestion(out, msg, q.id);
  }

  async #forward(msg: Buffer, q: Query, transport: 'udp' | 'tcp'): Promise<Buffer> {
    this.stats.forwarded++;
    const out = transport === 'udp' ? await this.#o.forwarder.udp(msg) : await this.#o.forwarder.tcp(msg);
    if (out) return out;
    this.stats.failed++;
    return encodeResponse(q, { rcode: RCODE.SERVFAIL, aa: false, answers: [], authority: [], additional: [] });
  }

  /** ExternalName: add the CNAME target's addresses (from the zone or upstream) for A/AAAA queries. */
  async #chase(q: Query, r: Response): Promise<Response> {
    const t = q.question!.type;
    const c = r.answers[0].data;
    if (c.type !== TYPE.CNAME) return r;
    const inner = this.#o.zone.answer({ name: c.target, type: t, class: 1 });
    let more: Record[] = [];
    if (inner) more = inner.answers;
    else {
      const raw = await this.#o.forwarder.udp(encodeQuery((Math.random() * 65536) | 0, c.target, t));
      if (raw) { try { more = parseResponse(raw).answers; } catch { /* keep the bare CNAME */ } }
    }
    return more.length ? { ...r, answers: [...r.answers, ...more] } : r;
  }
}

function needsChase(q: Query, r: Response): boolean {
  const t = q.question!.type;
  return r.answers.length === 1 && r.answers[0].data.type === TYPE.CNAME && (t === TYPE.A || t === TYPE.AAAA);
}

/** The response with the asker's ID and question bytes (they may differ in letter case). */
function withQuestion(resp: Buffer, query: Buffer, id: number): Buffer {
  const out = Buffer.from(resp);
  out.writeUInt16BE(id, 0);
  let end = 12;
  while (end < query.length && query[end] !== 0 && (query[end] & 0xc0) === 0) end += query[end] + 1;
  if (end < query.length && end < out.length && query[end] === 0 && out[end] === 0) query.copy(out, 12, 12, end);
  return out;
}
