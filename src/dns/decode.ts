/** Reads a DNS response (for clients, tests and the benchmark): header flags and every record. */
import { DnsFormatError, TYPE, readName, type RData, type Record } from './wire.js';

export interface ParsedResponse {
  id: number;
  rcode: number;
  aa: boolean;
  tc: boolean;
  ra: boolean;
  question?: { name: string; type: number };
  answers: Record[];
  authority: Record[];
  additional: Record[];
}

export function parseResponse(buf: Buffer): ParsedResponse {
  if (buf.length < 12) throw new DnsFormatError('short header');
  const flags = buf.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map(o => buf.readUInt16BE(o));
  const out: ParsedResponse = {
    id: buf.readUInt16BE(0), rcode: flags & 0xf, aa: (flags & 0x0400) !== 0, tc: (flags & 0x0200) !== 0, ra: (flags & 0x0080) !== 0,
    answers: [], authority: [], additional: [],
  };
  let off = 12;
  for (let i = 0; i < counts[0]; i++) {
    const { name, next } = readName(buf, off);
    out.question = { name, type: buf.readUInt16BE(next) };
    off = next + 4;
  }
  const lists = [out.answers, out.authority, out.additional];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) {
      const { name, next } = readName(buf, off);
      const type = buf.readUInt16BE(next), ttl = buf.readUInt32BE(next + 4), len = buf.readUInt16BE(next + 8);
      const at = next + 10;
      off = at + len;
      if (type === TYPE.OPT) continue;
      const data = rdata(buf, type, at, len);
      if (data) lists[s].push({ name, ttl, data });
    }
  }
  return out;
}

function rdata(buf: Buffer, type: number, at: number, len: number): RData | undefined {
  switch (type) {
    case TYPE.A: return { type: 1, ip: [...buf.subarray(at, at + 4)].join('.') };
    case TYPE.AAAA: {
      const g: string[] = [];
      for (let i = 0; i < 16; i += 2) g.push(buf.readUInt16BE(at + i).toString(16));
      return { type: 28, ip: g.join(':') };
    }
    case TYPE.CNAME: case TYPE.PTR: case TYPE.NS: return { type: type as 5 | 12 | 2, target: readName(buf, at).name };
    case TYPE.SRV: return { type: 33, priority: buf.readUInt16BE(at), weight: buf.readUInt16BE(at + 2), port: buf.readUInt16BE(at + 4), target: readName(buf, at + 6).name };
    case TYPE.SOA: {
      const m = readName(buf, at), r = readName(buf, m.next);
      const o = r.next;
      return { type: 6, mname: m.name, rname: r.name, serial: buf.readUInt32BE(o), refresh: buf.readUInt32BE(o + 4), retry: buf.readUInt32BE(o + 8), expire: buf.readUInt32BE(o + 12), minimum: buf.readUInt32BE(o + 16) };
    }
    case TYPE.TXT: {
      const text: string[] = [];
      for (let o = at; o < at + len;) { const l = buf[o]; text.push(buf.toString('utf8', o + 1, o + 1 + l)); o += 1 + l; }
      return { type: 16, text };
    }
    default: return undefined;
  }
}
