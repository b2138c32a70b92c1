/**
 * The DNS wire format (RFC 1035, SRV per RFC 2782, EDNS0 OPT per RFC 6891): parse a
 * query, write a response with name compression. Only what a cluster DNS answers is
 * modelled; forwarded traffic is relayed as bytes and never parsed beyond the header.
 */

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const CLASS_IN = 1;

export interface Question { name: string; type: number; class: number }

export interface Query {
  id: number;
  flags: number;
  opcode: number;
  rd: boolean;
  question?: Question;
  /** EDNS0: the client's UDP payload size, when it sent an OPT record. */
  udpSize?: number;
}

export type RData =
  | { type: 1; ip: string }
  | { type: 28; ip: string }
  | { type: 5 | 12 | 2; target: string }
  | { type: 33; priority: number; weight: number; port: number; target: string }
  | { type: 6; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { type: 16; text: string[] };

export interface Record { name: string; ttl: number; data: RData }

export interface Response {
  rcode: number;
  aa: boolean;
  answers: Record[];
  authority: Record[];
  additional: Record[];
}

export class DnsFormatError extends Error {
  readonly code = 'KL_DNS_FORMAT';
}

/** Reads a possibly compressed name at `off`; returns it lower-cased, without the final dot. */
export function readName(buf: Buffer, off: number): { name: string; next: number } {
  const labels: string[] = [];
  let next = -1, jumps = 0;
  for (;;) {
    if (off >= buf.length) throw new DnsFormatError('name runs past the message');
    const len = buf[off];
    if (len === 0) { off++; break; }
    if ((len & 0xc0) === 0xc0) {
      if (++jumps > 32) throw new DnsFormatError('compression loop');
      if (next < 0) next = off + 2;
      off = ((len & 0x3f) << 8) | buf[off + 1];
      continue;
    }
    if (len > 63) throw new DnsFormatError('bad label length');
    labels.push(buf.toString('latin1', off + 1, off + 1 + len).toLowerCase());
    off += 1 + len;
  }
  return { name: labels.join('.'), next: next < 0 ? off : next };
}

export function parseQuery(buf: Buffer): Query {
  if (buf.length < 12) throw new DnsFormatError('short header');
  const id = buf.readUInt16BE(0), flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4), an = buf.readUInt16BE(6), ns = buf.readUInt16BE(8), ar = buf.readUInt16BE(10);
  const q: Query = { id, flags, opcode: (flags >> 11) & 0xf, rd: (flags & 0x0100) !== 0 };
  let off = 12;
  if (qd >= 1) {
    const { name, next } = readName(buf, off);
    if (next + 4 > buf.length) throw new DnsFormatError('short question');
    q.question = { name, type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) };
    off = next + 4;
    for (let i = 1; i < qd; i++) off = readName(buf, off).next + 4;
  }
  // Skip answers and authority; look for OPT among the additional records.
  for (let i = 0; i < an + ns + ar && off < buf.length; i++) {
    const { next } = readName(buf, off);
    if (next + 10 > buf.length) break;
    const type = buf.readUInt16BE(next), klass = buf.readUInt16BE(next + 2), rdlen = buf.readUInt16BE(next + 8);
    if (i >= an + ns && type === TYPE.OPT) q.udpSize = Math.max(512, klass);
    off = next + 10 + rdlen;
  }
  return q;
}

/** A growable buffer writer with name compression. */
class Writer {
  buf = Buffer.allocUnsafe(512);
  len = 0;
  readonly #names = new Map<string, number>();

  #room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }
  u8(v: number): void { this.#room(1); this.buf[this.len++] = v; }
  u16(v: number): void { this.#room(2); this.buf.writeUInt16BE(v, this.len); this.len += 2; }
  u32(v: number): void { this.#room(4); this.buf.writeUInt32BE(v >>> 0, this.len); this.len += 4; }
  bytes(b: Buffer): void { this.#room(b.length); b.copy(this.buf, this.len); this.len += b.length; }

  name(name: string): void {
    let rest = name.replace(/\.$/, '');
    while (rest) {
      const at = this.#names.get(rest);
      if (at !== undefined) { this.u16(0xc000 | at); return; }
      if (this.len < 0x3fff) this.#names.set(rest, this.len);
      const dot = rest.indexOf('.');
      const label = dot < 0 ? rest : rest.slice(0, dot);
      const lb = Buffer.from(label, 'latin1');
      if (lb.length > 63) throw new DnsFormatError(`label too long: ${label}`);
      this.u8(lb.length);
      this.bytes(lb);
      rest = dot < 0 ? '' : rest.slice(dot + 1);
    }
    this.u8(0);
  }
}

function writeRecord(w: Writer, r: Record): void {
  w.name(r.name);
  w.u16(r.data.type);
  w.u16(CLASS_IN);
  w.u32(r.ttl);
  const lenAt = w.len;
  w.u16(0);
  const d = r.data;
  switch (d.type) {
    case 1: for (const x of d.ip.split('.')) w.u8(Number(x)); break;
    case 28: w.bytes(ipv6Bytes(d.ip)); break;
    case 2: case 5: case 12: w.name(d.target); break;
    case 33: w.u16(d.priority); w.u16(d.weight); w.u16(d.port); w.name(d.target); break;
    case 6: w.name(d.mname); w.name(d.rname); w.u32(d.serial); w.u32(d.refresh); w.u32(d.retry); w.u32(d.expire); w.u32(d.minimum); break;
    case 16: for (const t of d.text) { const b = Buffer.from(t).subarray(0, 255); w.u8(b.length); w.bytes(b); } break;
  }
  w.buf.writeUInt16BE(w.len - lenAt - 2, lenAt);
}

/**
 * Encodes the response to `q`. Over UDP (`maxSize` = the client's limit) whole records
 * that do not fit are dropped (additional first) and TC is set when answers were cut.
 */
export function encodeResponse(q: Query, r: Response, maxSize = 65535): Buffer {
  const sections: Array<[Record[], Record[], Record[]]> = [
    [r.answers, r.authority, r.additional],
    [r.answers, r.authority, []],
  ];
  for (const [an, ns, ar] of sections) {
    const out = encode(q, r, an, ns, ar, false);
    if (out.length <= maxSize) return out;
  }
  return encode(q, r, [], [], [], true);
}

function encode(q: Query, r: Response, an: Record[], ns: Record[], ar: Record[], tc: boolean): Buffer {
  const w = new Writer();
  w.u16(q.id);
  // QR, opcode echoed, AA, TC, RD echoed, RA.
  w.u16(0x8000 | (q.opcode << 11) | (r.aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) | (q.rd ? 0x0100 : 0) | 0x0080 | (r.rcode & 0xf));
  w.u16(q.question ? 1 : 0);
  w.u16(an.length);
  w.u16(ns.length);
  w.u16(ar.length + (q.udpSize ? 1 : 0));
  if (q.question) { w.name(q.question.name); w.u16(q.question.type); w.u16(q.question.class); }
  for (const rec of an) writeRecord(w, rec);
  for (const rec of ns) writeRecord(w, rec);
  for (const rec of ar) writeRecord(w, rec);
  if (q.udpSize) { w.u8(0); w.u16(TYPE.OPT); w.u16(1232); w.u32(0); w.u16(0); }
  return w.buf.subarray(0, w.len);
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [], t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16) || 0, i * 2));
  return b;
}

/** A query message (for clients, tests and the benchmark). */
export function encodeQuery(id: number, name: string, type: number, rd = true): Buffer {
  const w = new Writer();
  w.u16(id); w.u16(rd ? 0x0100 : 0); w.u16(1); w.u16(0); w.u16(0); w.u16(0);
  w.name(name); w.u16(type); w.u16(CLASS_IN);
  return Buffer.from(w.buf.subarray(0, w.len));
}
