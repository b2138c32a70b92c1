/**
 * Writes a volume's files the way upstream's AtomicWriter does, so a reader never sees a
 * half-updated set: the payload goes into a fresh `..<timestamp>` directory, the
 * `..data` symlink is swapped to it with one rename, and each top-level name is a
 * symlink through `..data`. Containers see updates through the bind mount of the dir.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

/**
 * Writes `payload` into `dir` atomically; `gid` (fsGroup) owns the files when given.
 * Synchronous calls: a volume is a few small files on tmpfs or in the page cache, and each
 * of the dozen steps costs less done at once than as a thread-pool round trip.
 */
export async function writeAtomic(dir: string, payload: Payload, gid?: number): Promise<void> {
  writeAtomicSync(dir, payload, gid);
}

function writeAtomicSync(dir: string, payload: Payload, gid?: number): void {
  for (const rel of payload.keys()) if (!validPayloadPath(rel)) throw new Error(`invalid path in volume payload: ${rel}`);
  let ts: string;
  try {
    ts = mkdtempSync(join(dir, timestampDir()));
  } catch (e) {
    // The volume dir usually exists (the volume manager made it): made only when missing.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    ts = mkdtempSync(join(dir, timestampDir()));
  }
  chmodSync(ts, 0o755);
  for (const [rel, f] of payload) {
    const file = join(ts, rel);
    if (rel.includes('/')) mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    writeFileSync(file, f.data, { mode: f.mode });
    if (f.mode & UMASK) chmodSync(file, f.mode); // umask must not narrow the requested mode
    if (gid !== undefined) chownSync(file, 0, gid);
  }
  let old: string | undefined;
  try { old = readlinkSync(join(dir, DATA)); } catch { /* first write */ }
  const tmpLink = join(dir, `${DATA}_tmp`);
  const target = ts.slice(dir.length + 1);
  try {
    symlinkSync(target, tmpLink);
  } catch (e) {
    // A link left by an interrupted write is replaced.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    rmSync(tmpLink, { force: true });
    symlinkSync(target, tmpLink);
  }
  renameSync(tmpLink, join(dir, DATA));
  const top = new Set([...payload.keys()].map(p => p.split('/')[0]!));
  const present = new Set(readdirSync(dir));
  for (const name of top) {
    if (present.has(name)) continue;
    try { symlinkSync(join(DATA, name), join(dir, name)); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
  }
  for (const name of present) {
    if (name.startsWith('..') || top.has(name)) continue;
    rmSync(join(dir, name), { force: true, recursive: true }); // a key that went away
  }
  if (old && old !== target) rmSync(join(dir, old), { recursive: true, force: true });
}

/** A stable fingerprint of a payload (skip rewriting when nothing changed). */
export function payloadHash(payload: Payload): string {
  return JSON.stringify([...payload].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.mode, v.data.toString('base64')]));
}
