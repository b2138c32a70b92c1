/**
 * The two C programs of the runtime — `kubeling-shim` (per-container parent and logger,
 * overlay whiteouts) and `pause` — compiled statically with gcc. Setup builds them with
 * scripts/build-images.sh; `ensureShim` rebuilds the shim on first use when it is missing
 * or older than its source, so tests and a fresh checkout work without setup.
 */
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
export async function compileStatic(sources: string | string[], out: string): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  await run('gcc', ['-static', '-Os', '-s', '-Wall', '-o', tmp, ...([] as string[]).concat(sources)]);
  await rename(tmp, out);
}

/** Text every shim this code can use contains (its usage line names the newest mode). */
const SHIM_MARKER = '| spawner';

/**
 * Builds the shim at `out` unless an up-to-date one is there; returns `out`. A binary newer
 * than the sources but without the newest mode (built from an older checkout sharing the
 * directory) is rebuilt too.
 */
export async function ensureShim(out: string): Promise<string> {
  const dir = (() => { try { return sourceFile(SHIM_SOURCE); } catch { return undefined; } })();
  const files = dir ? (await readdir(dir)).filter(f => /\.[ch]$/.test(f)).map(f => join(dir, f)) : [];
  const newest = Math.max(0, ...(await Promise.all(files.map(f => stat(f)))).map(s => s.mtimeMs));
  const o = await stat(out).catch(() => undefined);
  if (o && o.mtimeMs >= newest && (!files.length || (await readFile(out)).includes(SHIM_MARKER))) return out;
  if (!files.length) throw new Error(`${out} is missing and ${SHIM_SOURCE} is not found to build it`);
  await compileStatic(files.filter(f => f.endsWith('.c')), out);
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
