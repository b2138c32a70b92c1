/** A small in-memory tar writer (ustar + PAX for long names), for images setup builds. */

export interface TarWriteEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  data?: Buffer;
}

function octal(n: number, len: number): string {
  return n.toString(8).padStart(len - 1, '0') + '\0';
}

function header(name: string, e: TarWriteEntry, flag: string, size: number, linkname: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.mode & 0o7777, 8), 100);
  h.write(octal(e.uid ?? 0, 8), 108);
  h.write(octal(e.gid ?? 0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(e.mtime ?? 0, 12), 136);
  h.write('        ', 148);
  h.write(flag, 156);
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

function pad(len: number): Buffer {
  return Buffer.alloc((512 - (len % 512)) % 512);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const blen = Buffer.byteLength(body);
  let len = blen + 1;
  while (String(len).length + blen !== len) len++; // the length counts its own digits
  return `${len}${body}`;
}

export class TarWriter {
  #parts: Buffer[] = [];

  add(e: TarWriteEntry): this {
    const name = e.type === 'dir' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
    const link = e.linkname ?? '';
    const data = e.type === 'file' ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    if (Buffer.byteLength(name) > 100 || Buffer.byteLength(link) > 100) {
      let pax = paxRecord('path', name);
      if (link) pax += paxRecord('linkpath', link);
      const body = Buffer.from(pax);
      this.#parts.push(header('PaxHeader', { ...e, mode: 0o644 }, 'x', body.length, ''), body, pad(body.length));
    }
    const flag = e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2';
    this.#parts.push(header(name.slice(0, 100), e, flag, data.length, link.slice(0, 100)), data, pad(data.length));
    return this;
  }

  /** The archive with its two zero blocks. */
  finish(): Buffer {
    return Buffer.concat([...this.#parts, Buffer.alloc(1024)]);
  }
}
