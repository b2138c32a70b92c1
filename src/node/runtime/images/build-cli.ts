/**
 * Builds the images setup provides, into an image store:
 *   node dist/src/node/runtime/images/build-cli.js --store DIR --pause PAUSE_BIN
 *        [--busybox /usr/bin/busybox] [--shim SHIM_BIN]
 * `pause` (docker.io/kubeling/pause:3.10, also registry.k8s.io/pause:3.10) holds the
 * static pause binary; `busybox` (docker.io/library/busybox:latest) the static busybox
 * with every applet linked at its usual path, /etc/passwd and /etc/group (root, nobody)
 * and /tmp. Rebuilding gives the same digests, so running it again changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureShim } from '../native.js';
import { buildImage } from './build.js';
import { ImageStore } from './store.js';

export const PAUSE_IMAGE = 'docker.io/kubeling/pause:3.10';
export const PAUSE_ALIASES = ['registry.k8s.io/pause:3.10'];
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:latest';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

async function pauseRootfs(dir: string, pauseBin: string): Promise<void> {
  // Mount points exist in the image: the sandbox uses this layer read-only, unmerged.
  await Promise.all(['proc', 'dev', 'sys', 'etc'].map(d => mkdir(join(dir, d), { recursive: true })));
  await copyFile(pauseBin, join(dir, 'pause'));
  await chmod(join(dir, 'pause'), 0o755);
}

async function busyboxRootfs(dir: string, busybox: string): Promise<void> {
  const list = spawnSync(busybox, ['--list-full'], { encoding: 'utf8' });
  if (list.status !== 0) throw new Error(`${busybox} --list-full failed: ${list.stderr}`);
  await mkdir(join(dir, 'bin'), { recursive: true });
  await copyFile(busybox, join(dir, 'bin', 'busybox'));
  await chmod(join(dir, 'bin', 'busybox'), 0o755);
  // What `busybox --install -s` does in a chroot: one symlink per applet at its full path.
  for (const applet of list.stdout.split('\n').map(s => s.trim()).filter(Boolean)) {
    if (applet === 'bin/busybox') continue;
    await mkdir(join(dir, dirname(applet)), { recursive: true });
    await symlink('/bin/busybox', join(dir, applet)).catch(() => {});
  }
  await Promise.all(['etc', 'root', 'home', 'var/www', 'tmp', 'proc', 'sys', 'dev'].map(d => mkdir(join(dir, d), { recursive: true })));
  await chmod(join(dir, 'tmp'), 0o1777);
  await chmod(join(dir, 'root'), 0o700);
  await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n');
}

export interface BuildSetupImagesOptions {
  store: string;
  pause: string;
  busybox?: string;
  /** Where to build kubeling-shim (the whiteout helper); default `<store>/../bin/kubeling-shim`. */
  shim?: string;
}

/** Builds both images; returns `name → manifest digest`. */
export async function buildSetupImages(o: BuildSetupImagesOptions): Promise<Record<string, string>> {
  const helper = await ensureShim(o.shim ?? join(dirname(o.store), 'bin', 'kubeling-shim'));
  const store = await ImageStore.open({ root: o.store, helper });
  const work = await mkdtemp(join(tmpdir(), 'kubeling-build-'));
  try {
    await pauseRootfs(join(work, 'pause'), o.pause);
    await busyboxRootfs(join(work, 'busybox'), o.busybox ?? '/usr/bin/busybox');
    const pause = await buildImage(store, { layers: [join(work, 'pause')], names: [PAUSE_IMAGE, ...PAUSE_ALIASES], config: { Entrypoint: ['/pause'], Env: [PATH_ENV], WorkingDir: '/' } });
    const bb = await buildImage(store, { layers: [join(work, 'busybox')], names: [BUSYBOX_IMAGE], config: { Cmd: ['sh'], Env: [PATH_ENV], WorkingDir: '/' } });
    return { [PAUSE_IMAGE]: pause, [BUSYBOX_IMAGE]: bb };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { values } = parseArgs({ options: { store: { type: 'string' }, pause: { type: 'string' }, busybox: { type: 'string' }, shim: { type: 'string' } } });
  const storeDir = values.store ?? '/var/lib/kubeling/images';
  if (!values.pause) { console.error('usage: build-cli --store DIR --pause PAUSE_BIN [--busybox BIN] [--shim OUT]'); process.exit(2); }
  buildSetupImages({ store: storeDir, pause: values.pause, busybox: values.busybox, shim: values.shim }).then(
    r => { for (const [n, d] of Object.entries(r)) console.log(`${n}  ${d}`); },
    e => { console.error(`build-images: ${(e as Error).message}`); process.exit(1); },
  );
}
