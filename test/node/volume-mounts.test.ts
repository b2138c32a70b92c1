/**
 * Memory-backed volumes are real tmpfs mounts that a pod's teardown removes, whether the
 * agent that tears down made them (its own list) or a restarted agent finds them (the
 * mount table); a restarted agent does not stack a second tmpfs over one still mounted.
 * Needs root (real mount(2)); everything lives under a per-run temp dir.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../src/client/index.js';
import { isMounted, mountsUnder, mountTmpfs, processMounter, unmountUnder, type Mounter } from '../../src/node/volumes/mounts.js';
import { VolumeManager } from '../../src/node/volumes/volume-manager.js';
import type { ObjectSource } from '../../src/node/containers/objects.js';

const TMPFS = 0x01021994;
const root = process.getuid?.() === 0 ? await mkdtemp(join(tmpdir(), 'kubeling-volmounts-')) : '';
const facts = { podIPs: [], hostIP: '127.0.0.1', nodeAllocatable: { cpuMilli: 1000, memoryBytes: 1 << 30, ephemeralBytes: 1 << 30 } };

/** processMounter, counting the calls it passes on. */
function counting(): Mounter & { mounts: string[]; unmounts: string[] } {
  const m = { mounts: [] as string[], unmounts: [] as string[],
    tmpfs: (dir: string, data: string) => { m.mounts.push(dir); return processMounter.tmpfs(dir, data); },
    unmount: (p: string, lazy: boolean) => { m.unmounts.push(p); return processMounter.unmount(p, lazy); } };
  return m;
}
const manager = (mounter: Mounter) => new VolumeManager({ root, objects: {} as ObjectSource, client: {} as Client, mounter });
const pod = (uid: string): Pod => ({
  metadata: { name: uid, namespace: 'default', uid },
  spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }, { name: 'disk', emptyDir: {} }] },
});

describe('tmpfs volumes across agent restarts', { skip: root ? false : 'needs root' }, () => {
  after(async () => {
    if (!root) return;
    await unmountUnder(root).catch(() => {});
    await rm(root, { recursive: true, force: true });
  });

  it('the agent that made a pod\'s tmpfs unmounts it on teardown', async () => {
    const m = counting();
    const vm = manager(m);
    const paths = await vm.mount(pod('made-here'), facts);
    const dir = paths.get('scratch')!;
    assert.equal((await statfs(dir)).type, TMPFS);
    assert.notEqual((await statfs(paths.get('disk')!)).type, TMPFS, 'a disk emptyDir is a plain dir');
    await vm.mount(pod('made-here'), facts);
    assert.deepEqual(m.mounts, [dir], 'mounted once');
    await vm.teardown('made-here');
    assert.deepEqual(m.unmounts, [dir]);
    assert.deepEqual(await mountsUnder(vm.podDir('made-here')), []);
    assert.equal(existsSync(vm.podDir('made-here')), false);
  });

  it('a restarted agent keeps the tmpfs it finds (with its files) and still unmounts it on teardown', async () => {
    const before = manager(counting());
    const dir = (await before.mount(pod('restarted'), facts)).get('scratch')!;
    await writeFile(join(dir, 'kept'), 'x');
    // A new agent over the same pods dir (the old one's memory is gone).
    const m = counting();
    const after = manager(m);
    assert.equal((await after.mount(pod('restarted'), facts)).get('scratch'), dir);
    assert.deepEqual(m.mounts, [], 'not mounted again over the one there');
    assert.ok(existsSync(join(dir, 'kept')), 'the files written before the restart');
    assert.deepEqual(await mountsUnder(after.podDir('restarted')), [dir]);
    await after.teardown('restarted');
    assert.deepEqual(m.unmounts, [dir]);
    assert.deepEqual(await mountsUnder(after.podDir('restarted')), []);
    assert.equal(existsSync(after.podDir('restarted')), false);
  });

  it('a pod the old agent left behind is torn down from the mount table (orphan cleanup at start)', async () => {
    const before = manager(counting());
    const dir = (await before.mount(pod('orphan'), facts)).get('scratch')!;
    const after = manager(counting());
    assert.ok((await after.podUids()).includes('orphan'));
    await after.teardown('orphan');
    assert.equal(existsSync(dir), false);
    assert.deepEqual(await mountsUnder(join(root, 'orphan')), []);
  });

  it('a mount under a dir whose name has a space, tab, newline or backslash is found and unmounted (the kernel escapes them)', async () => {
    const dir = join(root, 'odd name\twith\ntab\\slash');
    await mkdir(dir, { recursive: true });
    await mountTmpfs(dir, 1 << 20);
    assert.equal(await isMounted(dir), true);
    assert.deepEqual(await mountsUnder(join(root, 'odd name\twith\ntab\\slash')), [dir]);
    await unmountUnder(dir);
    assert.equal(await isMounted(dir), false);
    assert.notEqual((await statfs(dir)).type, TMPFS);
  });
});
