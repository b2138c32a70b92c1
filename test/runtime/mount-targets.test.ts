/** The shared layer of bind-mount targets: only what an image lacks, never over an /etc that is not a plain dir. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResolvedImage } from '../../src/node/runtime/images/store.js';
import { mountTargetsLayer } from '../../src/node/runtime/runc/mount-targets.js';

describe('mount targets layer', { skip: process.getuid?.() === 0 ? false : 'needs root (chown, mknod)' }, () => {
  let dir: string;
  let n = 0;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'kubeling-mt-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  /** An image of layers (bottom first), each built by a function given its dir. */
  const image = (...layers: ((d: string) => void)[]): ResolvedImage => ({
    layers: layers.map(build => {
      const d = join(dir, `layer${++n}`);
      mkdirSync(d);
      build(d);
      return { digest: `sha256:${String(n).padStart(64, '0')}`, dir: d };
    }),
  }) as unknown as ResolvedImage;
  const root = () => join(dir, 'targets');

  it('provides /etc and the three files for an image without /etc', async () => {
    const layer = (await mountTargetsLayer(root(), image(d => mkdirSync(join(d, 'bin')))))!;
    assert.deepEqual(readdirSync(join(layer, 'etc')).sort(), ['hostname', 'hosts', 'resolv.conf']);
    assert.equal(lstatSync(join(layer, 'etc')).mode & 0o7777, 0o755);
  });

  it('provides only the missing files, with the mode and owner of the image\'s topmost /etc', async () => {
    const img = image(
      d => { mkdirSync(join(d, 'etc')); writeFileSync(join(d, 'etc', 'hosts'), '127.0.0.1 x\n'); },
      d => { mkdirSync(join(d, 'etc'), { mode: 0o750 }); execFileSync('chown', ['5:7', join(d, 'etc')]); execFileSync('chmod', ['750', join(d, 'etc')]); },
    );
    const layer = (await mountTargetsLayer(root(), img))!;
    assert.deepEqual(readdirSync(join(layer, 'etc')).sort(), ['hostname', 'resolv.conf'], 'hosts is the image\'s');
    const st = lstatSync(join(layer, 'etc'));
    assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o750, 5, 7]);
  });

  it('leaves to runc an image whose /etc is a symlink, or whose files are all there or whited out', async () => {
    assert.equal(await mountTargetsLayer(root(), image(d => { mkdirSync(join(d, 'usr/etc'), { recursive: true }); symlinkSync('usr/etc', join(d, 'etc')); })), undefined);
    assert.equal(await mountTargetsLayer(root(), image(d => {
      mkdirSync(join(d, 'etc'));
      for (const f of ['hosts', 'hostname']) writeFileSync(join(d, 'etc', f), '');
      symlinkSync('../run/resolv.conf', join(d, 'etc', 'resolv.conf'));
    })), undefined);
    const whiteout = image(
      d => { mkdirSync(join(d, 'etc')); writeFileSync(join(d, 'etc', 'hosts'), ''); },
      d => { mkdirSync(join(d, 'etc')); execFileSync('mknod', [join(d, 'etc', 'hosts'), 'c', '0', '0']); },
    );
    const layer = (await mountTargetsLayer(root(), whiteout))!;
    assert.deepEqual(readdirSync(join(layer, 'etc')).sort(), ['hostname', 'resolv.conf'], 'a whited-out hosts is not provided either: runc decides');
  });

  it('is one shared dir per need, built again when the run dir was emptied', async () => {
    const a = await mountTargetsLayer(root(), image(d => mkdirSync(join(d, 'etc'))));
    const b = await mountTargetsLayer(root(), image(d => mkdirSync(join(d, 'etc'))));
    assert.equal(a, b);
    await rm(root(), { recursive: true, force: true });
    const c = (await mountTargetsLayer(root(), image(d => mkdirSync(join(d, 'etc')))))!;
    assert.equal(c, a);
    assert.deepEqual(readdirSync(join(c, 'etc')).sort(), ['hostname', 'hosts', 'resolv.conf']);
  });
});
