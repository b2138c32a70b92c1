/**
 * The two C programs of the runtime — `kubeling-shim` (per-container parent and logger,
 * overlay whiteouts) and `pause` — compiled statically with gcc. Setup builds them with
 * scripts/build-images.sh; `ensureShim` rebuilds the shim on first use when it is missing
 * or older than its source, so tests and a fresh checkout work without setup.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
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

export const SHIM_SOURCE = 'src/node/runtime/shim/shim.c';
export const PAUSE_SOURCE = 'src/node/pause/pause.c';

/** gcc -static -Os, written atomically so concurrent builders never see half a binary. */
export async function compileStatic(source: string, out: string): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  await run('gcc', ['-static', '-Os', '-s', '-Wall', '-o', tmp, source]);
  await rename(tmp, out);
}

/** Builds the shim at `out` unless an up-to-date one is there; returns `out`. */
export async function ensureShim(out: string): Promise<string> {
  const src = (() => { try { return sourceFile(SHIM_SOURCE); } catch { return undefined; } })();
  const [o, s] = await Promise.all([stat(out).catch(() => undefined), src ? stat(src) : undefined]);
  if (o && (!s || o.mtimeMs >= s.mtimeMs)) return out;
  if (!src) throw new Error(`${out} is missing and ${SHIM_SOURCE} is not found to build it`);
  await compileStatic(src, out);
  return out;
}
