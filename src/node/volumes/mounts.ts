/** tmpfs mounts for memory-backed volumes, and unmounting everything under a pod's dir. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { spawnerFor } from '../runtime/spawner.js';

/** Runs a command to completion; rejects with its stderr when it fails. */
export type CommandRunner = (cmd: string, args: string[]) => Promise<void>;

const fail = (cmd: string, args: string[], why: string) => new Error(`${cmd} ${args.join(' ')}: ${why}`);

/** Through child_process: forks this process (fine for setup and purge, not per pod). */
export const execRunner: CommandRunner = (cmd, args) => new Promise((resolve, reject) =>
  execFile(cmd, args, (e, _o, stderr) => e ? reject(fail(cmd, args, String(stderr).trim() || e.message)) : resolve()));

const which = (name: string) => ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].map(d => `${d}/${name}`).find(p => existsSync(p)) ?? name;

/**
 * Through the runtime's spawner helper (a small process that does the forking): a pod's
 * tmpfs mount must not fork the agent, whose every fork copies its page tables and holds
 * up the event loop while a burst of pods starts.
 */
export function helperRunner(helper: string): CommandRunner {
  const spawner = spawnerFor(helper);
  const paths = new Map<string, string>();
  return async (cmd, args) => {
    let file = paths.get(cmd);
    if (!file) paths.set(cmd, (file = which(cmd)));
    const r = await spawner.run(file, args);
    if (r.errno) throw fail(cmd, args, r.errno);
    if (r.code !== 0) throw fail(cmd, args, r.stderr.toString().trim() || `exit ${r.code}`);
  };
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

/** Mounts a tmpfs on `dir` (the caller knows it is not mounted yet). */
export async function mountTmpfs(dir: string, sizeBytes?: number, mode = '0777', run: CommandRunner = execRunner): Promise<void> {
  const opts = [`mode=${mode}`, ...(sizeBytes ? [`size=${sizeBytes}`] : [])].join(',');
  await run('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
}

export async function unmountUnder(dir: string, run: CommandRunner = execRunner): Promise<void> {
  for (const p of await mountsUnder(dir)) {
    await run('umount', [p]).catch(() => run('umount', ['-l', p]));
  }
}
