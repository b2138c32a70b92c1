/**
 * Registry pulls against Debian's docker-registry on loopback (random port, temp storage),
 * filled with `skopeo copy`: OCI and Docker schema 2 manifests, pulls by digest, a
 * multi-arch index, and token auth through a small Bearer-challenging proxy.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sha256 } from '../../src/node/runtime/images/blobs.js';
import { MT } from '../../src/node/runtime/images/media-types.js';
import type { PullProgress } from '../../src/node/runtime/images/pull.js';
import { ImageStore } from '../../src/node/runtime/images/store.js';
import { eventually, hasCommand, makeEnv, rootSkip, type TestEnv } from './fixture.js';

const skip = rootSkip || (!hasCommand('skopeo') ? 'skopeo not installed' : !hasCommand('docker-registry') ? 'docker-registry not installed (apt-get install docker-registry)' : false);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>(r => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise(r => s.close(r));
  return port;
}

/** Demands `Bearer good-token` on /v2/*, hands it out at /token for user:secret, forwards the rest. */
function tokenProxy(upstream: number): Server {
  return createServer((req, res) => {
    const self = `http://${req.headers.host}`;
    if (req.url?.startsWith('/token')) {
      const ok = req.headers.authorization === 'Basic ' + Buffer.from('user:secret').toString('base64');
      const scope = new URL(req.url, self).searchParams.get('scope');
      res.writeHead(ok && scope === 'repository:lib/busybox:pull' ? 200 : 401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(ok ? { token: 'good-token' } : { errors: [{ code: 'UNAUTHORIZED' }] }));
    }
    if (req.headers.authorization !== 'Bearer good-token') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${self}/token",service="test-registry",scope="repository:lib/busybox:pull"` });
      return res.end();
    }
    const fwd = request({ host: '127.0.0.1', port: upstream, path: req.url, method: req.method, headers: { ...req.headers, host: `127.0.0.1:${upstream}` } }, up => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(fwd);
  });
}

describe('registry pull', { skip }, () => {
  let env: TestEnv;
  let registry: ChildProcess;
  let proxy: Server;
  let host: string;
  let proxyHost: string;
  let store: ImageStore;
  let pushedDigest: string;

  before(async () => {
    env = await makeEnv();
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    await writeFile(join(env.dir, 'registry.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${env.dir}/registry\nhttp:\n  addr: ${host}\n`);
    registry = spawn('docker-registry', ['serve', join(env.dir, 'registry.yml')], { stdio: 'ignore' });
    await eventually(async () => (await fetch(`http://${host}/v2/`)).ok, 10_000, 'the registry');
    const push = (src: string, dst: string, ...flags: string[]) =>
      execFileSync('skopeo', ['--insecure-policy', 'copy', '-q', '--dest-tls-verify=false', ...flags, src, `docker://${host}/${dst}`], { stdio: 'pipe' });
    const bb = `oci:${env.images.root}:docker.io/library/busybox:latest`;
    push(bb, 'lib/busybox:oci');
    push(bb, 'lib/busybox:v2s2', '--format', 'v2s2');
    // A two-platform index: amd64 is busybox, arm64 is the pause image.
    const multi = join(env.dir, 'multi');
    await mkdir(join(multi, 'blobs', 'sha256'), { recursive: true });
    const [b, p] = [await env.images.resolve('busybox'), await env.images.resolve('registry.k8s.io/pause:3.10')];
    for (const img of [b, p]) {
      const manifest = await env.images.blobs.readJson<{ config: { digest: string } }>(img.manifestDigest);
      for (const d of [img.manifestDigest, manifest.config.digest, ...img.layers.map(l => l.digest)]) await copyFile(env.images.blobs.path(d), join(multi, 'blobs', 'sha256', d.slice(7)));
    }
    const size = async (d: string) => (await readFile(env.images.blobs.path(d))).length;
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [
      { mediaType: MT.ociManifest, digest: p.manifestDigest, size: await size(p.manifestDigest), platform: { os: 'linux', architecture: 'arm64' } },
      { mediaType: MT.ociManifest, digest: b.manifestDigest, size: await size(b.manifestDigest), platform: { os: 'linux', architecture: 'amd64' } },
    ] }));
    await writeFile(join(multi, 'blobs', 'sha256', sha256(index).slice(7)), index);
    await writeFile(join(multi, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(join(multi, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MT.ociIndex, digest: sha256(index), size: index.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }] }));
    push(`oci:${multi}:multi`, 'lib/multi:1', '--all');
    pushedDigest = b.manifestDigest;
    proxy = tokenProxy(port);
    await new Promise<void>(r => proxy.listen(0, '127.0.0.1', r));
    proxyHost = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    store = await ImageStore.open({ root: join(env.dir, 'pulled'), helper: env.helper });
  });

  after(async () => {
    registry?.kill('SIGTERM');
    proxy?.close();
    await env?.cleanup();
  });

  it('pulls an OCI image with progress, verified and unpacked', async () => {
    const events: PullProgress[] = [];
    const img = await store.pull(`${host}/lib/busybox:oci`, { onProgress: p => events.push(p) });
    assert.deepEqual(img.config.Cmd, ['sh']);
    assert.equal(img.manifestDigest, pushedDigest, 'same manifest as pushed');
    assert.ok(existsSync(join(img.layers[0]!.dir, 'bin', 'busybox')));
    assert.deepEqual(events.map(e => e.phase).filter((v, i, a) => a.indexOf(v) === i), ['resolving', 'downloading', 'extracting', 'done']);
    const last = events.at(-1)!;
    assert.ok(last.total > 0 && last.completed === last.total);
  });

  it('pulls a Docker schema 2 image and by digest', async () => {
    const v2 = await store.pull(`${host}/lib/busybox:v2s2`);
    assert.deepEqual(v2.config.Cmd, ['sh']);
    const byDigest = await store.pull(`${host}/lib/busybox@${pushedDigest}`);
    assert.equal(byDigest.manifestDigest, pushedDigest);
    assert.ok(await store.has(`${host}/lib/busybox@${pushedDigest}`));
  });

  it('picks linux/amd64 from a multi-arch index, or the platform asked for', async () => {
    const amd = await store.pull(`${host}/lib/multi:1`);
    assert.deepEqual(amd.config.Cmd, ['sh']);
    const repoDigest = amd.repoDigests.find(d => d.startsWith(`${host}/lib/multi@`));
    assert.ok(repoDigest && !repoDigest.endsWith(amd.manifestDigest), 'the repo digest is the index\'s');
    const arm = await ImageStore.open({ root: join(env.dir, 'arm'), helper: env.helper });
    const img = await arm.pull(`${host}/lib/multi:1`, { platform: { os: 'linux', architecture: 'arm64' } });
    assert.deepEqual(img.config.Entrypoint, ['/pause']);
  });

  it('answers a Bearer challenge with a token fetched using credentials', async () => {
    const authed = await ImageStore.open({ root: join(env.dir, 'authed'), helper: env.helper });
    await assert.rejects(authed.pull(`${proxyHost}/lib/busybox:oci`), (e: Error & { code?: string }) => e.code === 'KL_IMAGE_PULL' && /token/.test(e.message));
    const img = await authed.pull(`${proxyHost}/lib/busybox:oci`, { credentials: h => (h === proxyHost ? { username: 'user', password: 'secret' } : undefined) });
    assert.deepEqual(img.config.Cmd, ['sh']);
  });

  it('reports unknown images and unreachable registries as ErrImagePull', async () => {
    await assert.rejects(store.pull(`${host}/lib/busybox:nope`), (e: Error & { code?: string; reason?: string }) => e.code === 'KL_IMAGE_PULL' && e.reason === 'ErrImagePull' && /not found/.test(e.message));
    await assert.rejects(store.pull(`127.0.0.1:${await freePort()}/x:1`), (e: Error & { code?: string }) => e.code === 'KL_IMAGE_PULL');
  });
});
