/**
 * The bind-mount targets runc would otherwise create in every container's writable layer
 * (/etc/hosts, /etc/resolv.conf, /etc/hostname, and a copy-up of /etc to hold them), as one
 * read-only overlay layer of empty files above the image's layers, shared by every container
 * that needs the same.
 *
 * Why: creating them was a copy-up and four new inodes on the writable layer's filesystem
 * per container, and as many deletions at removal; on this VM's journal-less ext4 each new
 * inode searches past the recently deleted ones (bench/runtime.ts with KUBELING_BENCH_PERF:
 * ~2 ms of `runc init` per pod). The pod's files are bind-mounted over them, so what the
 * container sees is unchanged. Only what the image lacks is provided, with /etc's own mode
 * and owner, and nothing when the image's /etc is not a plain directory (or is whited out):
 * runc then creates what it needs, as before.
 */
import { existsSync, type Stats } from 'node:fs';
import { chmod, chown, lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ResolvedImage } from '../images/store.js';

const TARGETS = ['hosts', 'resolv.conf', 'hostname'];

/** The topmost layer's entry at `rel` (layers bottom first), or undefined when no layer has one. */
async function topEntry(layerDirs: string[], rel: string): Promise<Stats | undefined> {
  for (let i = layerDirs.length - 1; i >= 0; i--) {
    const st = await lstat(join(layerDirs[i]!, rel)).catch(() => undefined);
    if (st) return st;
  }
  return undefined;
}

/** What the image needs: /etc's mode and owner, and the targets it lacks; undefined: nothing to provide. */
async function needs(img: ResolvedImage): Promise<{ mode: number; uid: number; gid: number; missing: string[] } | undefined> {
  const dirs = img.layers.map(l => l.dir);
  const etc = await topEntry(dirs, 'etc');
  if (etc && !etc.isDirectory()) return undefined; // a symlink, file or whiteout: left to runc
  // Any entry at all (file, symlink, whiteout) in any layer: runc decides, as before.
  const missing = (await Promise.all(TARGETS.map(async t => ((await topEntry(dirs, join('etc', t))) ? undefined : t)))).filter((t): t is string => !!t);
  if (!missing.length) return undefined;
  return etc ? { mode: etc.mode & 0o7777, uid: etc.uid, gid: etc.gid, missing } : { mode: 0o755, uid: 0, gid: 0, missing };
}

const made = new Map<string, Promise<string>>();

/** Builds `<root>/<key>` once (in a temp dir renamed into place, so concurrent starts never see half of it). */
function layerDir(root: string, n: { mode: number; uid: number; gid: number; missing: string[] }): Promise<string> {
  const dir = join(root, `${n.mode.toString(8)}-${n.uid}-${n.gid}-${n.missing.join('+')}`);
  let p = made.get(dir);
  if (p && existsSync(dir)) return p; // (a run dir emptied under us, as by a reboot, is built again)
  p = (async () => {
    if (existsSync(dir)) return dir;
    const tmp = `${dir}.${randomBytes(3).toString('hex')}.tmp`;
    await mkdir(join(tmp, 'etc'), { recursive: true });
    await Promise.all(n.missing.map(t => writeFile(join(tmp, 'etc', t), '', { mode: 0o644 })));
    await chown(join(tmp, 'etc'), n.uid, n.gid);
    await chmod(join(tmp, 'etc'), n.mode);
    await rename(tmp, dir).catch(async e => {
      await rm(tmp, { recursive: true, force: true });
      if (!existsSync(dir)) throw e; // else another start won the race
    });
    return dir;
  })();
  made.set(dir, p);
  p.catch(() => made.delete(dir));
  return p;
}

const perImage = new Map<string, Promise<Awaited<ReturnType<typeof needs>>>>();

/** The layer of mount targets for `img` under `root` (absolute path), or undefined when it needs none. */
export async function mountTargetsLayer(root: string, img: ResolvedImage): Promise<string | undefined> {
  const key = img.layers.map(l => l.digest).join(' ');
  let n = perImage.get(key);
  if (!n) {
    if (perImage.size >= 256) perImage.clear();
    perImage.set(key, (n = needs(img)));
    n.catch(() => perImage.delete(key));
  }
  const need = await n;
  return need ? layerDir(root, need) : undefined;
}
