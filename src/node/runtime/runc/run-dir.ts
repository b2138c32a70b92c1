/**
 * Volatile runtime state (bundles, records, pid and exit files, runc's own state, IPAM
 * leases) belongs on a tmpfs, as containerd keeps it in /run/containerd and runc in
 * /run/runc: it dies with the machine, like the containers it describes, and creating a
 * file there costs no disk inode. Where the directory is not on a tmpfs already (this VM's
 * /run is ext4, whose inode allocation under churn cost milliseconds per file), one is
 * mounted on it; `removeRunDir` unmounts it again.
 */
import { mkdir, readdir, realpath, rm, statfs } from 'node:fs/promises';
import { pointsUnder, readMountPoints } from '../mount-table.js';
import { run } from '../proc.js';

const TMPFS_MAGIC = 0x01021994;

/**
 * Makes `dir` and puts it on a tmpfs unless it is on one already, or already holds state
 * (never hidden under a new mount). Returns true when it holds nothing yet.
 */
export async function ensureRunDir(dir: string): Promise<boolean> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const empty = (await readdir(dir)).length === 0;
  if (!empty || (await statfs(dir)).type === TMPFS_MAGIC) return empty;
  await run('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'kubeling-run', dir]);
  return true;
}

/** The mount point of the mount holding `dir` (the shim keeps container rootfs mounts below it out of the host's table). */
export async function mountPointOf(dir: string): Promise<string> {
  const real = await realpath(dir);
  const points = await readMountPoints();
  return points.filter(p => real === p || real.startsWith(p === '/' ? '/' : p + '/')).sort((a, b) => b.length - a.length)[0] ?? '/';
}

/** Unmounts what `ensureRunDir` mounted (with anything mounted below it) and removes the directory. */
export async function removeRunDir(dir: string): Promise<void> {
  for (const p of pointsUnder(await readMountPoints(), dir)) await run('umount', ['-l', p], { allowFailure: true });
  await rm(dir, { recursive: true, force: true });
}
