/**
 * The mount table as the kernel lists it in /proc/self/mountinfo: the one parser the agent
 * and the runtime share. The kernel writes a space, tab, newline and backslash in a path
 * as the octal escapes \040, \011, \012 and \134 (seq_path's " \t\n\\"); every consumer
 * compares real paths, so every escape is decoded here, not only spaces.
 */
import { readFile } from 'node:fs/promises';

/** A mountinfo path field with its octal escapes decoded. */
export function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The mount points (5th field) of a mountinfo text, decoded, in table order (a mount after the one it sits on). */
export function parseMountPoints(mountinfo: string): string[] {
  const points: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const field = line.split(' ')[4];
    if (field) points.push(unescapeMountPath(field));
  }
  return points;
}

/**
 * Of `points`, those at or below `dir`, in the order to unmount them: deepest first, and of
 * mounts stacked on one path the later (upper) one first (each appears once per mount).
 */
export function pointsUnder(points: readonly string[], dir: string): string[] {
  const below = points.filter(p => p === dir || p.startsWith(dir === '/' ? '/' : dir + '/')).reverse();
  return below.sort((a, b) => b.length - a.length); // stable: stacked ones keep their reversed order
}

/** The mount points of this process's mount namespace. */
export async function readMountPoints(): Promise<string[]> {
  return parseMountPoints(await readFile('/proc/self/mountinfo', 'utf8'));
}
