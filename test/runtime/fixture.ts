/**
 * A private corner of the machine for one runtime test file: temp dir, image store with
 * the setup images, its own runc root, bridge `klt<hex>`, subnet 10.250.<n>.0/24 and
 * cgroup parent. `cleanup()` removes all of it, and runs even when tests fail.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSetupImages, ensurePause, ensureShim, ImageStore, RuncRuntime } from '../../src/node/runtime/index.js';

export const isRoot = process.getuid?.() === 0;
export const rootSkip = isRoot ? false : 'needs root (runc, overlayfs, CNI)';

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A /24 in 10.250.0.0/16 that no route on this machine uses yet. */
function freeSubnet(): string {
  const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  for (;;) {
    const n = 1 + randomBytes(1)[0]! % 254;
    if (!routes.includes(`10.250.${n}.`)) return `10.250.${n}.0/24`;
  }
}

export interface TestEnv {
  dir: string;
  hex: string;
  helper: string;
  images: ImageStore;
  /** A runtime with its own root/bridge/subnet/cgroup parent (made on first use). */
  runtime(): Promise<RuncRuntime>;
  runtimeOptions(): Parameters<typeof RuncRuntime.create>[0];
  cleanup(): Promise<void>;
}

export async function makeEnv(opts: { images?: boolean } = {}): Promise<TestEnv> {
  const hex = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), `kubeling-rt-${hex}-`));
  const helper = join(dir, 'bin', 'kubeling-shim');
  let images: ImageStore;
  if (opts.images !== false) {
    const pause = join(dir, 'bin', 'pause');
    await ensurePause(pause);
    await buildSetupImages({ store: join(dir, 'images'), pause, shim: helper });
    images = await ImageStore.open({ root: join(dir, 'images'), helper });
  } else {
    await ensureShim(helper);
    images = await ImageStore.open({ root: join(dir, 'images'), helper });
  }
  const runtimeOptions = () => ({
    stateDir: join(dir, 'state'), runcRoot: `/run/kubeling-test-${hex}`, images, cgroupParent: `/kubeling-test-${hex}`,
    network: { name: `klt${hex}`, bridge: `klt${hex}`, subnet: subnet ??= freeSubnet(), ipMasq: false },
  });
  let subnet: string | undefined;
  let rt: RuncRuntime | undefined;
  return {
    dir, hex, helper, images, runtimeOptions,
    async runtime() {
      rt ??= await RuncRuntime.create(runtimeOptions());
      return rt;
    },
    async cleanup() {
      await rt?.purge().catch(e => console.error('purge:', e));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}
