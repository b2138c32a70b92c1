/**
 * Writes a volume's files the way upstream's AtomicWriter does, so a reader never sees a
 * half-updated set: the payload goes into a fresh `..<timestamp>` directory, the
 * `..data` symlink is swapped to it with one rename, and each top-level name is a
 * symlink through `..data`. Containers see updates through the bind mount of the dir.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** This process's umask (read once): a file mode it would narrow needs a chmod after the write. */
const UMASK = (() => {
  try { return parseInt(/^Umask:\s*(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '777', 8); } catch { return 0o777; }
})();

export interface FileProjection {
  data: Buffer;
  /** File mode, e.g. 0o644. */
  mode: number;
}

export type Payload = Map<string, FileProjection>;

const DATA = '..data';

function timestampDir(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.`;
}

/** Rejects paths that would leave the volume (absolute, `..` segments, names starting with `..`). */
export function validPayloadPath(p: string): boolean {
  if (!p || p.startsWith('/') || p.startsWith('..')) return false;
  return p.split('/').every(s => s !== '..' && s !== '');
}

/** The file operations a write uses: the same steps, done at once or through the thread pool. */
interface FsOps {
  mkdtemp(prefix: string): string | Promise<string>;
  mkdir(dir: string, o: { recursive: true; mode: number }): unknown;
  chmod(p: string, mode: number): unknown;
  chown(p: string, uid: number, gid: number): unknown;
  writeFile(p: string, data: Buffer, o: { mode: number }): unknown;
  readlink(p: string): string | Promise<string>;
  symlink(target: string, p: string): unknown;
  rename(from: string, to: string): unknown;
  readdir(p: string): string[] | Promise<string[]>;
  rm(p: string, o: { force: true; recursive?: boolean }): unknown;
}

const SYNC: FsOps = {
  mkdtemp: mkdtempSync, mkdir: mkdirSync, chmod: chmodSync, chown: chownSync, writeFile: writeFileSync,
  readlink: p => readlinkSync(p), symlink: symlinkSync, rename: renameSync, readdir: p => readdirSync(p), rm: rmSync,
};
const ASYNC: FsOps = {
  mkdtemp: p => fsp.mkdtemp(p), mkdir: fsp.mkdir, chmod: fsp.chmod, chown: fsp.chown, writeFile: fsp.writeFile,
  readlink: p => fsp.readlink(p), symlink: fsp.symlink, rename: fsp.rename, readdir: p => fsp.readdir(p), rm: fsp.rm,
};

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/**
 * Writes `payload` into `dir` atomically; `gid` (fsGroup) owns the files when given.
 * `inMemory` (the dir is a tmpfs): each step is done at once, cheaper than a thread-pool
 * round trip; on a disk (ext4 allocating inodes can take milliseconds) they run off the
 * event loop.
 */
export async function writeAtomic(dir: string, payload: Payload, gid?: number, inMemory = false): Promise<void> {
  const fs = inMemory ? SYNC : ASYNC;
  for (const rel of payload.keys()) if (!validPayloadPath(rel)) throw new Error(`invalid path in volume payload: ${rel}`);
  let ts: string;
  try {
    ts = await fs.mkdtemp(join(dir, timestampDir()));
  } catch (e) {
    // The volume dir usually exists (the volume manager made it): made only when missing.
    if (code(e) !== 'ENOENT') throw e;
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    ts = await fs.mkdtemp(join(dir, timestampDir()));
  }
  await fs.chmod(ts, 0o755);
  for (const [rel, f] of payload) {
    const file = join(ts, rel);
    if (rel.includes('/')) await fs.mkdir(dirname(file), { recursive: true, mode: 0o755 });
    await fs.writeFile(file, f.data, { mode: f.mode });
    if (f.mode & UMASK) await fs.chmod(file, f.mode); // umask must not narrow the requested mode
    if (gid !== undefined) await fs.chown(file, 0, gid);
  }
  let old: string | undefined;
  try { old = await fs.readlink(join(dir, DATA)); } catch { /* first write */ }
  const tmpLink = join(dir, `${DATA}_tmp`);
  const target = ts.slice(dir.length + 1);
  try {
    await fs.symlink(target, tmpLink);
  } catch (e) {
    // A link left by an interrupted write is replaced.
    if (code(e) !== 'EEXIST') throw e;
    await fs.rm(tmpLink, { force: true });
    await fs.symlink(target, tmpLink);
  }
  await fs.rename(tmpLink, join(dir, DATA));
  const top = new Set([...payload.keys()].map(p => p.split('/')[0]!));
  const present = new Set(await fs.readdir(dir));
  for (const name of top) {
    if (present.has(name)) continue;
    try { await fs.symlink(join(DATA, name), join(dir, name)); } catch (e) { if (code(e) !== 'EEXIST') throw e; }
  }
  for (const name of present) {
    if (name.startsWith('..') || top.has(name)) continue;
    await fs.rm(join(dir, name), { force: true, recursive: true }); // a key that went away
  }
  if (old && old !== target) await fs.rm(join(dir, old), { recursive: true, force: true });
}

/** A stable fingerprint of a payload (skip rewriting when nothing changed). */
export function payloadHash(payload: Payload): string {
  return JSON.stringify([...payload].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.mode, v.data.toString('base64')]));
}
