/**
 * Builds single-purpose images from directories on this machine (setup's `pause` and
 * `busybox`): each directory becomes one gzipped layer, written deterministically
 * (sorted entries, uid/gid 0, fixed mtime) so rebuilding yields the same digests.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256 } from './blobs.js';
import { MT, hostPlatform, type ImageRunConfig } from './media-types.js';
import type { ImageStore } from './store.js';
import { TarWriter } from './tar-writer.js';

/** Tars a directory tree (root-owned, mtime 0). */
export async function tarDirectory(dir: string): Promise<Buffer> {
  const tw = new TarWriter();
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort();
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      const abs = join(dir, r);
      const st = await lstat(abs);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) tw.add({ path: r, type: 'symlink', mode: 0o777, linkname: await readlink(abs) });
      else if (st.isDirectory()) { tw.add({ path: r, type: 'dir', mode }); await walk(r); }
      else if (st.isFile()) tw.add({ path: r, type: 'file', mode, data: await readFile(abs) });
    }
  };
  await walk('');
  return tw.finish();
}

export interface BuildOptions {
  /** Directories, bottom layer first. */
  layers: string[];
  config: ImageRunConfig;
  /** Names to tag, e.g. `docker.io/kubeling/pause:3.10`. */
  names: string[];
}

/** Builds and stores an image; returns its manifest digest. */
export async function buildImage(store: ImageStore, opts: BuildOptions): Promise<string> {
  const layers = [];
  const diffIds = [];
  for (const dir of opts.layers) {
    const tar = await tarDirectory(dir);
    const gz = gzipSync(tar, { level: 9 });
    const blob = await store.blobs.writeBuffer(gz, sha256(gz));
    layers.push({ mediaType: MT.ociLayerGzip, digest: blob.digest, size: blob.size });
    diffIds.push(sha256(tar));
  }
  const { os, architecture } = hostPlatform();
  const config = Buffer.from(JSON.stringify({
    created: '1970-01-01T00:00:00Z', architecture, os, config: opts.config,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: opts.layers.map(() => ({ created: '1970-01-01T00:00:00Z', created_by: 'kubeling build-images' })),
  }));
  const cfg = await store.blobs.writeBuffer(config, sha256(config));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: cfg.digest, size: cfg.size }, layers,
  }));
  return store.putImage(manifest, opts.names);
}
