/** Image store: archives made by skopeo (docker-archive, oci-archive), whiteouts, list/remove/GC. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildImage } from '../../src/node/runtime/images/build.js';
import { ImageStore } from '../../src/node/runtime/images/store.js';
import { hasCommand, makeEnv, rootSkip, type TestEnv } from './fixture.js';

const skip = rootSkip || (hasCommand('skopeo') ? false : 'skopeo not installed');

async function tree(root: string, files: Record<string, string>): Promise<string> {
  for (const [p, content] of Object.entries(files)) {
    await mkdir(join(root, p, '..'), { recursive: true });
    if (p.endsWith('/')) await mkdir(join(root, p), { recursive: true });
    else await writeFile(join(root, p), content);
  }
  return root;
}

describe('image import and whiteouts', { skip }, () => {
  let env: TestEnv;
  let store: ImageStore;
  before(async () => {
    env = await makeEnv();
    const src = await ImageStore.open({ root: join(env.dir, 'src'), helper: env.helper });
    const lower = await tree(join(env.dir, 'l1'), { 'etc/keep': 'k', 'etc/gone': 'g', 'opq/old1': 'o', 'opq/sub/old2': 'o', 'bin/x': '#!/bin/sh\n' });
    const upper = await tree(join(env.dir, 'l2'), { 'etc/.wh.gone': '', 'opq/.wh..wh..opq': '', 'opq/new': 'n', 'added': 'a' });
    await buildImage(src, { layers: [lower, upper], names: ['test.local/wh:1'], config: { Cmd: ['/bin/x'], Env: ['A=1'], User: '65534', WorkingDir: '/opq' } });
    const skopeo = (...a: string[]) => execFileSync('skopeo', ['--insecure-policy', 'copy', '-q', ...a], { stdio: 'pipe' });
    skopeo(`oci:${src.root}:test.local/wh:1`, `docker-archive:${env.dir}/docker.tar:test.local/dock:2`);
    skopeo(`oci:${src.root}:test.local/wh:1`, `oci-archive:${env.dir}/oci.tar:v3`);
    store = await ImageStore.open({ root: join(env.dir, 'dest'), helper: env.helper });
  });
  after(async () => { await env?.cleanup(); });

  it('imports a docker-archive under its RepoTags', async () => {
    assert.deepEqual(await store.importArchive(join(env.dir, 'docker.tar')), ['test.local/dock:2']);
    const img = await store.resolve('test.local/dock:2');
    assert.deepEqual(img.config.Cmd, ['/bin/x']);
    assert.equal(img.config.User, '65534');
    assert.equal(img.layers.length, 2);
  });

  it('imports an oci-archive whose ref is only a tag, given a name', async () => {
    await assert.rejects(store.importArchive(join(env.dir, 'oci.tar')), (e: Error & { code?: string }) => e.code === 'KL_INVALID_IMAGE');
    assert.deepEqual(await store.importArchive(join(env.dir, 'oci.tar'), { name: 'example.com/ocitest' }), ['example.com/ocitest:v3']);
    const img = await store.resolve('example.com/ocitest:v3');
    assert.equal(img.config.WorkingDir, '/opq');
    assert.deepEqual(img.repoDigests, [`example.com/ocitest@${img.manifestDigest}`]);
  });

  it('unpacks whiteouts as overlayfs expects them', async () => {
    const img = await store.resolve('example.com/ocitest:v3');
    const top = img.layers[1]!.dir;
    const wh = await lstat(join(top, 'etc/gone'));
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'whiteout is a 0:0 char device');
    assert.ok(!existsSync(join(top, 'etc/.wh.gone')) && !existsSync(join(top, 'opq/.wh..wh..opq')));
    const m = join(env.dir, 'mnt');
    await Promise.all(['merged', 'upper', 'work'].map(d => mkdir(join(m, d), { recursive: true })));
    const lower = [...img.layers].reverse().map(l => l.dir).join(':');
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${m}/upper,workdir=${m}/work`, `${m}/merged`]);
    try {
      assert.deepEqual((await readdir(join(m, 'merged/etc'))).sort(), ['keep']);
      assert.deepEqual((await readdir(join(m, 'merged/opq'))).sort(), ['new'], 'opaque dir hides the lower layer');
      assert.ok(existsSync(join(m, 'merged/added')) && existsSync(join(m, 'merged/bin/x')));
    } finally {
      execFileSync('umount', [`${m}/merged`]);
    }
  });

  it('lists one entry per manifest, with all its names', async () => {
    await store.tag('example.com/ocitest:v3', 'example.com/ocitest:latest');
    const list = await store.list();
    assert.equal(list.length, 2, 'docker-archive layers are uncompressed: another manifest');
    const oci = list.find(i => i.names.includes('example.com/ocitest:v3'))!;
    assert.deepEqual(oci.names.sort(), ['example.com/ocitest:latest', 'example.com/ocitest:v3']);
    assert.ok(await store.has(oci.id.slice(7, 19)), 'found by a short image id');
  });

  it('removes names, then garbage-collects blobs and layers', async () => {
    const dock = await store.resolve('test.local/dock:2');
    const oci = await store.resolve('example.com/ocitest:v3');
    await store.remove('test.local/dock:2');
    assert.ok(!existsSync(dock.layers[0]!.dir), 'unused layers go');
    assert.ok(existsSync(oci.layers[0]!.dir), 'used layers stay');
    await store.remove('example.com/ocitest:latest');
    assert.ok(await store.has('example.com/ocitest:v3'));
    await store.remove(oci.manifestDigest.replace('sha256:', 'example.com/ocitest@sha256:'));
    assert.deepEqual(await store.list(), []);
    await assert.rejects(store.resolve('example.com/ocitest:v3'), (e: Error & { code?: string }) => e.code === 'KL_IMAGE_NOT_FOUND');
    assert.deepEqual(await readdir(store.layersDir), []);
  });

  it('refuses an archive that is neither format', async () => {
    execFileSync('tar', ['-cf', join(env.dir, 'junk.tar'), '-C', env.dir, 'l1']);
    await assert.rejects(store.importArchive(join(env.dir, 'junk.tar')), (e: Error & { code?: string }) => e.code === 'KL_INVALID_IMAGE');
  });

  it('sees names another store over the same directory adds and removes (the index is cached per file)', async () => {
    const other = await ImageStore.open({ root: env.images.root, helper: env.helper });
    const img = await env.images.resolve('busybox');
    assert.equal(await env.images.has('test.local/tagged:9'), false);
    await other.tag('busybox', 'test.local/tagged:9');
    assert.equal(await env.images.has('test.local/tagged:9'), true);
    assert.ok((await env.images.resolve('busybox')).names.includes('test.local/tagged:9'));
    assert.equal((await env.images.resolve('test.local/tagged:9')).id, img.id);
    await other.remove('test.local/tagged:9');
    assert.equal(await env.images.has('test.local/tagged:9'), false);
    assert.deepEqual((await env.images.resolve('busybox')).names, img.names);
  });

  it('builds the setup images reproducibly', async () => {
    const before = await env.images.list();
    const { buildSetupImages } = await import('../../src/node/runtime/images/build-cli.js');
    await buildSetupImages({ store: env.images.root, pause: join(env.dir, 'bin', 'pause'), shim: env.helper });
    assert.deepEqual((await env.images.list()).map(i => i.manifestDigest).sort(), before.map(i => i.manifestDigest).sort());
    const bb = await env.images.resolve('busybox');
    assert.ok(bb.names.includes('docker.io/library/busybox:latest'));
    const pause = await env.images.resolve('registry.k8s.io/pause:3.10');
    assert.deepEqual(pause.config.Entrypoint, ['/pause']);
  });
});
