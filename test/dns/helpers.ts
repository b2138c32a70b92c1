/**
 * TEST ONLY — a fake upstream resolver on loopback (UDP+TCP) and a tiny DNS client.
 * The upstream knows a few `.test` names and answers NXDOMAIN otherwise.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { TYPE, encodeQuery, encodeResponse, parseQuery, parseResponse, type ParsedResponse, type Record } from '../../src/dns/index.js';

const KNOWN: { [name: string]: string } = { 'example.test': '192.0.2.123', 'www.example.test': '192.0.2.124' };

export class FakeUpstream {
  queries: string[] = [];
  port = 0;
  #udp = dgram.createSocket('udp4');
  #tcp = net.createServer(s => {
    let buf = Buffer.alloc(0);
    s.on('data', d => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const out = this.answer(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        const len = Buffer.alloc(2); len.writeUInt16BE(out.length);
        s.end(Buffer.concat([len, out]));
      }
    });
    s.on('error', () => {});
  });

  answer(msg: Buffer): Buffer {
    const q = parseQuery(msg);
    const name = q.question!.name;
    this.queries.push(name);
    const ip = KNOWN[name];
    const answers: Record[] = ip && q.question!.type === TYPE.A ? [{ name, ttl: 60, data: { type: 1, ip } }] : [];
    return encodeResponse(q, { rcode: ip ? 0 : 3, aa: true, answers, authority: [], additional: [] });
  }

  async start(): Promise<this> {
    this.#udp.on('message', (m, r) => this.#udp.send(this.answer(m), r.port, r.address));
    await new Promise<void>(r => this.#udp.bind(0, '127.0.0.1', r));
    this.port = this.#udp.address().port;
    await new Promise<void>(r => this.#tcp.listen(this.port, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    this.#udp.close();
    await new Promise(r => this.#tcp.close(r));
  }
}

export async function udpQuery(host: string, port: number, name: string, type: number): Promise<ParsedResponse> {
  const s = dgram.createSocket('udp4');
  try {
    const id = (Math.random() * 65536) | 0;
    return await new Promise<ParsedResponse>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer for ${name}`)), 3000);
      s.on('message', m => { const r = parseResponse(m); if (r.id === id) { clearTimeout(t); resolve(r); } });
      s.send(encodeQuery(id, name, type), port, host);
    });
  } finally { s.close(); }
}

export async function tcpQuery(host: string, port: number, name: string, type: number): Promise<ParsedResponse> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host);
    const q = encodeQuery(7, name, type);
    const len = Buffer.alloc(2); len.writeUInt16BE(q.length);
    let buf = Buffer.alloc(0);
    s.on('connect', () => s.write(Buffer.concat([len, q])));
    s.on('data', d => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { s.end(); resolve(parseResponse(buf.subarray(2, 2 + buf.readUInt16BE(0)))); }
    });
    s.on('error', reject);
  });
}

export const ips = (r: ParsedResponse) => r.answers.filter(a => a.data.type === 1).map(a => (a.data as { ip: string }).ip).sort();
