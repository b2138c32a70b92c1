/**
 * A streaming tar reader (ustar, GNU long names, PAX headers) over any async byte source.
 * Consume each entry's `body` before asking for the next entry; what is left is skipped.
 */
import { InvalidImageError } from '../errors.js';

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';

export interface TarEntry {
  path: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo',
};

/** Pulls exact byte counts out of a chunked async source. */
class ByteReader {
  #it: AsyncIterator<Buffer>;
  #buf: Buffer = Buffer.alloc(0);
  constructor(src: AsyncIterable<Buffer>) { this.#it = src[Symbol.asyncIterator](); }

  async #fill(): Promise<boolean> {
    const r = await this.#it.next();
    if (r.done) return false;
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, r.value]) : r.value;
    return true;
  }
  /** Exactly n bytes, or null at a clean end of input. */
  async read(n: number): Promise<Buffer | null> {
    while (this.#buf.length < n) {
      if (!(await this.#fill())) {
        if (this.#buf.length === 0) return null;
        throw new InvalidImageError('tar: truncated archive');
      }
    }
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }
  /** Up to n bytes in the chunks they arrive in. */
  async *chunks(n: number): AsyncGenerator<Buffer> {
    while (n > 0) {
      if (this.#buf.length === 0 && !(await this.#fill())) throw new InvalidImageError('tar: truncated entry');
      const take = Math.min(n, this.#buf.length);
      const out = this.#buf.subarray(0, take);
      this.#buf = this.#buf.subarray(take);
      n -= take;
      yield out;
    }
  }
  async skip(n: number): Promise<void> {
    for await (const _ of this.chunks(n)) { /* discard */ }
  }
  /** Reads whatever is left so that upstream hashing sees every byte. */
  async drain(): Promise<void> {
    this.#buf = Buffer.alloc(0);
    while (await this.#fill()) this.#buf = Buffer.alloc(0);
  }
}

function str(b: Buffer, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const z = s.indexOf(0);
  return s.subarray(0, z < 0 ? len : z).toString('utf8');
}

function num(b: Buffer, off: number, len: number): number {
  if (b[off]! & 0x80) { // GNU base-256 for big values
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = str(b, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === num(h, 148, 8);
}

function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(body.subarray(i, sp).toString(), 10);
    if (!(len > 0)) break;
    const rec = body.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

export interface TarItem {
  entry: TarEntry;
  body: AsyncIterable<Buffer>;
}

/** Iterates the entries of a tar stream. */
export async function* readTar(src: AsyncIterable<Buffer>): AsyncGenerator<TarItem> {
  const r = new ByteReader(src);
  let pax: Record<string, string> = {};
  let global: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const h = await r.read(512);
    if (!h || h.every(b => b === 0)) break;
    if (!checksumOk(h)) throw new InvalidImageError('tar: bad header checksum');
    const flag = String.fromCharCode(h[156]!);
    const size = num(h, 124, 12);
    const padded = Math.ceil(size / 512) * 512;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      const body = (await r.read(padded)) ?? Buffer.alloc(0);
      const data = body.subarray(0, size);
      if (flag === 'x') pax = parsePax(data);
      else if (flag === 'g') global = { ...global, ...parsePax(data) };
      else if (flag === 'L') longName = str(data, 0, data.length);
      else longLink = str(data, 0, data.length);
      continue;
    }
    const meta = { ...global, ...pax };
    const prefix = h.subarray(257, 262).toString() === 'ustar' ? str(h, 345, 155) : '';
    const name = meta.path ?? longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    const entry: TarEntry = {
      path: name,
      type: TYPES[flag] ?? 'other',
      mode: num(h, 100, 8) & 0o7777,
      uid: meta.uid !== undefined ? Number(meta.uid) : num(h, 108, 8),
      gid: meta.gid !== undefined ? Number(meta.gid) : num(h, 116, 8),
      size: meta.size !== undefined ? Number(meta.size) : size,
      mtime: meta.mtime !== undefined ? Math.floor(Number(meta.mtime)) : num(h, 136, 12),
      linkname: meta.linkpath ?? longLink ?? str(h, 157, 100),
      devmajor: num(h, 329, 8),
      devminor: num(h, 337, 8),
    };
    if (entry.type === 'dir' && entry.path.endsWith('/')) entry.path = entry.path.slice(0, -1);
    pax = {};
    longName = longLink = undefined;
    const dataLen = entry.type === 'file' ? entry.size : (flag === '1' || flag === '2' ? 0 : entry.size);
    let consumed = 0;
    const body = (async function* () {
      for await (const c of r.chunks(dataLen)) { consumed += c.length; yield c; }
    })();
    yield { entry, body };
    await r.skip(dataLen - consumed + (Math.ceil(dataLen / 512) * 512 - dataLen));
  }
  await r.drain();
}

/** Collects a body into one buffer (for small entries such as JSON). */
export async function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c);
  return Buffer.concat(parts);
}
