/** tmpfs mounts for memory-backed volumes, and unmounting everything under a pod's dir. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile(cmd, args, (e, _o, stderr) => e ? reject(new Error(`${cmd} ${args.join(' ')}: ${String(stderr).trim() || e.message}`)) : resolve()));
}

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points = info.split('\n').map(l => l.split(' ')[4]).filter((p): p is string => !!p)
    .map(p => p.replace(/\\040/g, ' ')).filter(p => p === dir || p.startsWith(dir + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

export async function isMounted(dir: string): Promise<boolean> {
  return (await mountsUnder(dir)).includes(dir);
}

export async function mountTmpfs(dir: string, sizeBytes?: number, mode = '0777'): Promise<void> {
  if (await isMounted(dir)) return;
  const opts = [`mode=${mode}`, ...(sizeBytes ? [`size=${sizeBytes}`] : [])].join(',');
  await run('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
}

export async function unmountUnder(dir: string): Promise<void> {
  for (const p of await mountsUnder(dir)) {
    await run('umount', [p]).catch(() => run('umount', ['-l', p]));
  }
}
