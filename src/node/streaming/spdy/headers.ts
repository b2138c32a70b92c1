/**
 * SPDY/3 header blocks: `count · (len name · len value)*` (32-bit lengths, lowercase
 * names, several values joined by NUL), zlib-compressed with the SPDY dictionary.
 * Each direction of a connection is ONE zlib stream (later blocks refer back to earlier
 * ones), so every block is sync-flushed and the contexts live as long as the session.
 */
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { SpdyProtocolError } from './frames.js';

/** Lowercase name → values (several values of one name arrive NUL-separated). */
export type SpdyHeaders = Record<string, string[]>;

/** Largest inflated header block accepted; kubectl's are under 100 bytes. */
const MAX_BLOCK = 256 * 1024;

export function encodeHeaderBlock(h: Record<string, string | string[]>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const entries = Object.entries(h);
  parts.push(u32(entries.length));
  for (const [name, v] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const val = Buffer.from(Array.isArray(v) ? v.join('\0') : v, 'utf8');
    parts.push(u32(n.length), n, u32(val.length), val);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(b: Buffer): SpdyHeaders {
  let off = 0;
  const u32 = () => {
    if (off + 4 > b.length) throw new SpdyProtocolError('truncated header block');
    const n = b.readUInt32BE(off);
    off += 4;
    return n;
  };
  const str = () => {
    const n = u32();
    if (off + n > b.length) throw new SpdyProtocolError('truncated header block');
    const s = b.toString('utf8', off, off + n);
    off += n;
    return s;
  };
  const out: SpdyHeaders = {};
  for (let i = u32(); i > 0; i--) {
    const name = str();
    if (name.length === 0 || name !== name.toLowerCase()) throw new SpdyProtocolError(`invalid header name "${name}"`);
    if (name in out) throw new SpdyProtocolError(`duplicate header "${name}"`);
    out[name] = str().split('\0');
  }
  return out;
}

/** One direction's zlib stream; calls are serialized so blocks keep their order. */
class ZContext {
  readonly #z: Deflate | Inflate;
  #out: Buffer[] = [];
  #chain: Promise<unknown> = Promise.resolve();
  #error?: Error;

  constructor(z: Deflate | Inflate) {
    this.#z = z;
    // Paused mode: output is taken with read(), both as it comes and after each flush.
    z.on('readable', () => this.#drain());
    z.on('error', e => { this.#error = e; });
  }

  #drain(): void {
    for (let c: Buffer | null; (c = this.#z.read() as Buffer | null) !== null;) this.#out.push(c);
  }

  run(input: Buffer): Promise<Buffer> {
    const p = this.#chain.then(() => new Promise<Buffer>((resolve, reject) => {
      if (this.#error) return reject(new SpdyProtocolError(`header compression: ${this.#error.message}`));
      const onError = (e: Error) => reject(new SpdyProtocolError(`header compression: ${e.message}`));
      this.#z.once('error', onError);
      this.#z.write(input);
      this.#z.flush(constants.Z_SYNC_FLUSH, () => {
        this.#z.off('error', onError);
        this.#drain();
        const out = Buffer.concat(this.#out);
        this.#out = [];
        if (out.length > MAX_BLOCK) reject(new SpdyProtocolError('header block too large'));
        else resolve(out);
      });
    }));
    this.#chain = p.catch(() => {});
    return p;
  }

  close(): void { this.#z.destroy(); }
}

/** The two header zlib streams of one SPDY connection. */
export class HeaderCodec {
  readonly #deflate = new ZContext(createDeflate({ dictionary: SPDY3_DICTIONARY, level: constants.Z_BEST_COMPRESSION }));
  readonly #inflate = new ZContext(createInflate({ dictionary: SPDY3_DICTIONARY }));

  compress(h: Record<string, string | string[]>): Promise<Buffer> {
    return this.#deflate.run(encodeHeaderBlock(h));
  }

  async decompress(block: Buffer): Promise<SpdyHeaders> {
    // An empty block (no header pairs and no bytes) is how some peers say "no headers".
    if (block.length === 0) return {};
    return decodeHeaderBlock(await this.#inflate.run(block));
  }

  close(): void {
    this.#deflate.close();
    this.#inflate.close();
  }
}
