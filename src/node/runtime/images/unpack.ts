/**
 * Unpacks one layer (tar or tar+gzip) into its own directory, ready to be an overlayfs
 * lowerdir: `.wh.NAME` becomes a 0:0 character device and `.wh..wh..opq` the
 * `trusted.overlay.opaque` xattr. Node can do neither, so those are handed, in one batch,
 * to `kubeling-shim whiteout`. Entries that would escape the layer dir (`..`, paths through
 * a symlink) are rejected. The result appears atomically (unpack to a temp dir, rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lchown, link, lutimes, mkdir, open, rename, rm, symlink, unlink } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DigestMismatchError, InvalidImageError } from '../errors.js';
import { run } from '../proc.js';
import { readTar, type TarEntry } from './tar-reader.js';

export interface UnpackOptions {
  /** The kubeling-shim binary (its `whiteout` subcommand). */
  helper: string;
  /** sha256 of the uncompressed tar (the config's diff_id), checked when given. */
  diffId?: string;
}

/** Opens a blob as a stream of uncompressed tar bytes, sniffing gzip by its magic. */
async function* tarBytes(file: string): AsyncGenerator<Buffer> {
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  if (first.done) return;
  const rest = (async function* () {
    yield first.value;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  })();
  if (first.value[0] !== 0x1f || first.value[1] !== 0x8b) return yield* rest;
  const src = Readable.from(rest);
  const gz = createGunzip();
  src.on('error', e => gz.destroy(e));
  yield* src.pipe(gz);
}

function cleanPath(p: string): string | null {
  const n = posix.normalize('/' + p).slice(1);
  if (n === '' || n === '.') return '';
  return n.split('/').includes('..') ? null : n.replace(/\/$/, '');
}

export async function unpackLayer(blobFile: string, dest: string, opts: UnpackOptions): Promise<void> {
  const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
  await mkdir(tmp, { recursive: true });
  const kinds = new Map<string, TarEntry['type']>([['', 'dir']]);
  const dirs: TarEntry[] = [];
  const whiteouts: string[] = [];
  const hash = createHash('sha256');

  /** Creates missing parents as plain dirs; refuses a parent that is not a dir of ours. */
  const ensureParent = async (rel: string) => {
    const parts = rel.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      const k = kinds.get(p);
      if (k === 'dir') continue;
      if (k) throw new InvalidImageError(`layer entry ${rel} goes through a ${k}`);
      await mkdir(join(tmp, p));
      kinds.set(p, 'dir');
    }
  };
  const replace = async (rel: string) => {
    const k = kinds.get(rel);
    if (k === 'dir') await rm(join(tmp, rel), { recursive: true, force: true });
    else if (k) await unlink(join(tmp, rel));
    kinds.delete(rel);
  };

  try {
    const hashed = (async function* () {
      for await (const c of tarBytes(blobFile)) { hash.update(c); yield c; }
    })();
    for await (const { entry, body } of readTar(hashed)) {
      const rel = cleanPath(entry.path);
      if (rel === null) throw new InvalidImageError(`layer entry escapes the rootfs: ${entry.path}`);
      if (rel === '') { if (entry.type === 'dir') dirs.push({ ...entry, path: '' }); continue; }
      const base = posix.basename(rel);
      if (base.startsWith('.wh.')) {
        await ensureParent(rel);
        if (base === '.wh..wh..opq') whiteouts.push('o' + join(tmp, posix.dirname(rel)));
        else {
          const target = posix.join(posix.dirname(rel), base.slice(4));
          await replace(target);
          whiteouts.push('w' + join(tmp, target));
        }
        continue;
      }
      await ensureParent(rel);
      const abs = join(tmp, rel);
      if (entry.type === 'dir') {
        if (kinds.get(rel) !== 'dir') { await replace(rel); await mkdir(abs); }
        kinds.set(rel, 'dir');
        dirs.push({ ...entry, path: rel });
        continue;
      }
      await replace(rel);
      if (entry.type === 'file') {
        const fh = await open(abs, 'wx', 0o600);
        try {
          for await (const c of body) await fh.write(c);
          await fh.chown(entry.uid, entry.gid);
          await fh.chmod(entry.mode); // after chown, which clears setuid bits
          await fh.utimes(entry.mtime, entry.mtime);
        } finally {
          await fh.close();
        }
      } else if (entry.type === 'symlink') {
        await symlink(entry.linkname, abs);
        await lchown(abs, entry.uid, entry.gid);
        await lutimes(abs, entry.mtime, entry.mtime);
      } else if (entry.type === 'hardlink') {
        const target = cleanPath(entry.linkname);
        if (!target || kinds.get(target) !== 'file') throw new InvalidImageError(`hard link ${rel} to missing ${entry.linkname}`);
        await link(join(tmp, target), abs);
      } else {
        continue; // devices and fifos: images do not need them (runc makes /dev)
      }
      kinds.set(rel, entry.type === 'hardlink' ? 'file' : entry.type);
    }
    const diffId = 'sha256:' + hash.digest('hex');
    if (opts.diffId && opts.diffId !== diffId) throw new DigestMismatchError(`layer diff_id is ${diffId}, config says ${opts.diffId}`);
    // Deepest first, so setting a parent's mtime is not undone by its children.
    for (const d of dirs.sort((a, b) => b.path.length - a.path.length)) {
      const abs = join(tmp, d.path);
      await lchown(abs, d.uid, d.gid);
      await chmod(abs, d.mode);
      await lutimes(abs, d.mtime, d.mtime);
    }
    if (whiteouts.length) await run(opts.helper, ['whiteout'], { input: Buffer.from(whiteouts.join('\0') + '\0') });
    await mkdir(dirname(dest), { recursive: true });
    await rename(tmp, dest).catch(async e => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      await rm(tmp, { recursive: true, force: true }); // another unpack of the same layer won
    });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
