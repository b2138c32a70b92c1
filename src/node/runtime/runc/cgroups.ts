/** Cgroup paths of pods and containers, and their removal from every hierarchy. */
import { existsSync } from 'node:fs';
import { readdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';
const V1 = existsSync(join(ROOT, 'memory', 'memory.limit_in_bytes'));

/** Where the kernel counts OOM kills of a cgroup (`oom_kill N`), v1 or v2. */
export function oomFile(cgroupsPath: string): string {
  return V1 ? join(ROOT, 'memory', cgroupsPath, 'memory.oom_control') : join(ROOT, cgroupsPath, 'memory.events');
}

async function rmdirTree(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  await Promise.all(entries.filter(e => e.isDirectory()).map(e => rmdirTree(join(dir, e.name))));
  for (let i = 0; i < 20; i++) {
    try {
      await rmdir(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw e;
      await new Promise(r => setTimeout(r, 50)); // tasks still leaving
    }
  }
}

let hierarchies: Promise<string[]> | undefined;

/** The mounted hierarchies (v1: one dir per controller under /sys/fs/cgroup), read once. */
function allHierarchies(): Promise<string[]> {
  hierarchies ??= V1
    ? readdir(ROOT, { withFileTypes: true }).then(es => es.filter(e => e.isDirectory()).map(e => join(ROOT, e.name)))
    : Promise.resolve([ROOT]);
  return hierarchies;
}

/**
 * Removes `path` (and any child cgroups) under every mounted hierarchy. A plain rmdir
 * first: a pod's cgroup is empty once runc deleted its containers, and with cgroup v1 a
 * readdir of each of ~10 hierarchies per pod was most of the work.
 */
export async function removeCgroup(path: string): Promise<void> {
  await Promise.all((await allHierarchies()).map(async h => {
    const dir = join(h, path);
    try {
      await rmdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') await rmdirTree(dir); // children, or tasks still leaving
    }
  }));
}

/**
 * Whether any process is left in the cgroup `path` (false when it does not exist). v1: the
 * devices hierarchy, where runc itself looks for a container's processes.
 */
export async function cgroupHasProcesses(path: string): Promise<boolean> {
  const procs = V1 ? join(ROOT, 'devices', path, 'cgroup.procs') : join(ROOT, path, 'cgroup.procs');
  const text = await readFile(procs, 'utf8').catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return ''; throw e; });
  return text.trim() !== '';
}

/**
 * rmdir of the empty cgroup `path` in every hierarchy, without waiting or descending:
 * true when it is gone everywhere, false when some hierarchy refused (processes or child
 * cgroups in it).
 */
export async function removeEmptyCgroup(path: string): Promise<boolean> {
  const done = await Promise.all((await allHierarchies()).map(h => rmdir(join(h, path)).then(() => true, (e: NodeJS.ErrnoException) => e.code === 'ENOENT')));
  return done.every(Boolean);
}
