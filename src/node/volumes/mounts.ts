/** tmpfs mounts for memory-backed volumes, and unmounting everything under a pod's dir. */
import { execFile } from 'node:child_process';
import { pointsUnder, readMountPoints } from '../runtime/mount-table.js';
import { spawnerFor } from '../runtime/spawner.js';

/** How tmpfs volumes are mounted and unmounted. */
export interface Mounter {
  /** A tmpfs on `dir` with mount options `data` (mode=…,size=…). */
  tmpfs(dir: string, data: string): Promise<void>;
  /** `lazy`: detach now, clean up when no longer busy. */
  unmount(path: string, lazy: boolean): Promise<void>;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile(cmd, args, (e, _o, stderr) => e ? reject(new Error(`${cmd} ${args.join(' ')}: ${String(stderr).trim() || e.message}`)) : resolve()));
}

/** mount(8) and umount(8) through child_process: forks this process (fine for setup and purge, not per pod). */
export const processMounter: Mounter = {
  tmpfs: (dir, data) => run('mount', ['-t', 'tmpfs', '-o', data, 'tmpfs', dir]),
  unmount: (path, lazy) => run('umount', lazy ? ['-l', path] : [path]),
};

/**
 * mount(2) and umount2(2) by the runtime's spawner helper: a pod's tmpfs must neither fork
 * the agent (its page tables are copied, its event loop held up) nor start mount(8), which
 * parses the whole mount table, every container's overlay included.
 */
export function helperMounter(helper: string): Mounter {
  const spawner = spawnerFor(helper);
  return {
    tmpfs: (dir, data) => spawner.mount('tmpfs', dir, 'tmpfs', data),
    unmount: (path, lazy) => spawner.unmount(path, lazy),
  };
}

/** Mount points at or below `dir`, deepest first, one entry per mount (stacked ones too). */
export async function mountsUnder(dir: string): Promise<string[]> {
  return pointsUnder(await readMountPoints(), dir);
}

export async function isMounted(dir: string): Promise<boolean> {
  return (await mountsUnder(dir)).includes(dir);
}

/** Mounts a tmpfs on `dir` (the caller knows it is not mounted yet). */
export async function mountTmpfs(dir: string, sizeBytes?: number, mode = '0777', m: Mounter = processMounter): Promise<void> {
  await m.tmpfs(dir, [`mode=${mode}`, ...(sizeBytes ? [`size=${sizeBytes}`] : [])].join(','));
}

export async function unmountUnder(dir: string, m: Mounter = processMounter): Promise<void> {
  for (const p of await mountsUnder(dir)) {
    await m.unmount(p, false).catch(() => m.unmount(p, true));
  }
}
