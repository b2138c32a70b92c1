/** hostPath volumes: the `type` checks and creations of upstream's hostPath plugin. */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { MountError } from './payload.js';

export async function checkHostPath(path: string, type: string | undefined): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  const fail = (what: string) => { throw new MountError(`hostPath type check failed: ${path} is not a ${what}`); };
  switch (type ?? '') {
    case '': return;
    case 'DirectoryOrCreate':
      if (!st) { await mkdir(path, { recursive: true, mode: 0o755 }); return; }
      if (!st.isDirectory()) fail('directory');
      return;
    case 'Directory': if (!st?.isDirectory()) fail('directory'); return;
    case 'FileOrCreate':
      if (!st) { await writeFile(path, '', { mode: 0o644, flag: 'wx' }).catch(e => { if (e.code !== 'EEXIST') throw new MountError(`hostPath type check failed: ${path}: ${e.message}`); }); return; }
      if (!st.isFile()) fail('file');
      return;
    case 'File': if (!st?.isFile()) fail('file'); return;
    case 'Socket': if (!st?.isSocket()) fail('socket'); return;
    case 'CharDevice': if (!st?.isCharacterDevice()) fail('character device'); return;
    case 'BlockDevice': if (!st?.isBlockDevice()) fail('block device'); return;
    default: throw new MountError(`hostPath type ${type} is not supported`);
  }
}
