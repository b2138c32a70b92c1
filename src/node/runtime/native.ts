/**
 * The two C programs of the runtime — `kubeling-shim` (per-container parent and logger,
 * overlay whiteouts) and `pause` — compiled statically with gcc. Setup builds them with
 * scripts/build-images.sh; `ensureShim` rebuilds the shim on first use when it is missing
 * or was built from other sources, so tests and a fresh checkout work without setup.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './proc.js';

/** Finds a file of the source tree by walking up from this module (works from src/ and dist/). */
export function sourceFile(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, rel);
    if (existsSync(p)) return p;
    const up = resolve(dir, '..');
    if (up === dir) throw new Error(`cannot find ${rel} above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The shim's sources: every .c (and .h) in this directory, compiled together. */
export const SHIM_SOURCE = 'src/node/runtime/shim';
export const PAUSE_SOURCE = 'src/node/pause/pause.c';

/** gcc -static -Os, written atomically so concurrent builders never see half a binary. */
export async function compileStatic(sources: string | string[], out: string, gccArgs: string[] = []): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  await run('gcc', ['-static', '-Os', '-s', '-Wall', ...gccArgs, '-o', tmp, ...([] as string[]).concat(sources)]);
  await rename(tmp, out);
}

/** The stamp the shim carries (shim.c SHIM_SOURCES): a hash of the sources it was built from. */
export const shimStamp = (hash: string) => `kubeling-shim-sources:${hash}`;

/** sha256 of the files' names and contents, as the stamp of what a binary was built from. */
export async function sourcesHash(files: string[]): Promise<string> {
  const h = createHash('sha256');
  for (const f of [...files].sort()) h.update(`${f.slice(f.lastIndexOf('/') + 1)}\0`).update(await readFile(f)).update('\0');
  return h.digest('hex').slice(0, 32);
}

/**
 * Builds the shim at `out` unless the one there carries the stamp of these sources; returns `out`.
 * Not by mtime: git worktrees with other shim sources share image dirs, and a binary built
 * later from older sources (without `spawner`) was taken as up to date.
 */
export async function ensureShim(out: string): Promise<string> {
  const dir = (() => { try { return sourceFile(SHIM_SOURCE); } catch { return undefined; } })();
  const files = dir ? (await readdir(dir)).filter(f => /\.[ch]$/.test(f)).map(f => join(dir, f)) : [];
  if (!files.length) {
    if (existsSync(out)) return out; // an installed shim without sources: the one there is the one
    throw new Error(`${out} is missing and ${SHIM_SOURCE} is not found to build it`);
  }
  const hash = await sourcesHash(files);
  const bin = await readFile(out).catch(() => undefined);
  if (bin?.includes(shimStamp(hash))) return out;
  await compileStatic(files.filter(f => f.endsWith('.c')), out, [`-DSHIM_SOURCES="${hash}"`]);
  return out;
}

/** Builds the pause binary at `out` unless one newer than pause.c is there; returns `out`. */
export async function ensurePause(out: string): Promise<string> {
  const src = (() => { try { return sourceFile(PAUSE_SOURCE); } catch { return undefined; } })();
  const o = await stat(out).catch(() => undefined);
  if (o && (!src || o.mtimeMs >= (await stat(src)).mtimeMs)) return out;
  if (!src) throw new Error(`${out} is missing and ${PAUSE_SOURCE} is not found to build it`);
  await compileStatic(src, out);
  return out;
}
