/**
 * Resolves a container's user like containerd: `runAsUser`/`runAsGroup` win; otherwise
 * the image's USER (`uid`, `uid:gid`, `name`, `name:group`) is looked up in the image's
 * /etc/passwd and /etc/group (topmost layer that has the file).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateContainerError } from '../errors.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

async function readImageFile(layerDirs: string[], path: string): Promise<string> {
  for (const dir of [...layerDirs].reverse()) {
    try {
      return await readFile(join(dir, path), 'utf8');
    } catch { /* try the layer below */ }
  }
  return '';
}

/** Layers are content-addressed and never change: what a stack of them holds is read once. */
const files = new Map<string, Promise<string>>();

function imageFile(layerDirs: string[], path: string): Promise<string> {
  const key = `${layerDirs.join(':')}/${path}`;
  let text = files.get(key);
  if (!text) {
    if (files.size >= 256) files.clear();
    files.set(key, (text = readImageFile(layerDirs, path)));
  }
  return text;
}

function table(text: string): string[][] {
  return text.split('\n').filter(l => l && !l.startsWith('#')).map(l => l.split(':'));
}

export async function resolveUser(layerDirs: string[], imageUser: string | undefined, sec: { runAsUser?: number; runAsGroup?: number; supplementalGroups?: number[] } = {}): Promise<ResolvedUser> {
  const spec = imageUser?.trim() || '0';
  const [userPart, groupPart] = spec.split(':', 2) as [string, string | undefined];
  // Always read both: the primary gid and group memberships come from them.
  const [passwd, group] = (await Promise.all([imageFile(layerDirs, 'etc/passwd'), imageFile(layerDirs, 'etc/group')])).map(table) as [string[][], string[][]];

  let uid: number;
  let gid: number | undefined;
  let name: string | undefined;
  if (sec.runAsUser !== undefined) {
    uid = sec.runAsUser;
    const e = passwd.find(p => Number(p[2]) === uid);
    name = e?.[0];
    gid = sec.runAsGroup ?? (e ? Number(e[3]) : 0);
  } else {
    if (/^\d+$/.test(userPart)) {
      uid = Number(userPart);
      const e = passwd.find(p => Number(p[2]) === uid);
      name = e?.[0];
      gid = e ? Number(e[3]) : 0;
    } else {
      const e = passwd.find(p => p[0] === userPart);
      if (!e) throw new CreateContainerError(`unable to find user ${userPart}: no matching entries in passwd file`);
      [name, uid, gid] = [e[0], Number(e[2]), Number(e[3])];
    }
    if (groupPart !== undefined) {
      if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
      else {
        const g = group.find(x => x[0] === groupPart);
        if (!g) throw new CreateContainerError(`unable to find group ${groupPart}: no matching entries in group file`);
        gid = Number(g[2]);
      }
    }
    if (sec.runAsGroup !== undefined) gid = sec.runAsGroup;
  }
  const member = name ? group.filter(g => (g[3] ?? '').split(',').includes(name!)).map(g => Number(g[2])) : [];
  const additionalGids = [...new Set([...member, ...(sec.supplementalGroups ?? [])])].filter(g => g !== gid);
  return { uid, gid: gid ?? 0, additionalGids };
}
