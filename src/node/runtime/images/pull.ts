/**
 * Pulls an image into the store: manifest (resolving a multi-arch index to this node's
 * platform), config, then layers concurrently, each verified by sha256 and unpacked as
 * soon as it lands. Progress goes to `onProgress` (bytes per layer and in total).
 */
import { DigestMismatchError, ImagePullError } from '../errors.js';
import { INDEX_TYPES, SUPPORTED_LAYER_TYPES, pickPlatform, type Descriptor, type ImageConfig, type Index, type Manifest, type Platform } from './media-types.js';
import { parseReference } from './reference.js';
import { RegistryClient, type RegistryOptions } from './registry-client.js';
import type { ImageStore } from './store.js';

export interface PullProgress {
  ref: string;
  phase: 'resolving' | 'downloading' | 'extracting' | 'done';
  /** The layer concerned, when one is. */
  layer?: string;
  /** Bytes downloaded so far over all layers, and the total to download. */
  completed: number;
  total: number;
}

export interface PullOptions extends RegistryOptions {
  onProgress?: (p: PullProgress) => void;
  /** Defaults to this node's (linux/amd64 here). */
  platform?: Platform;
  /** Layers downloaded at once (default 3). */
  concurrency?: number;
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(n, queue.length) }, async () => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) await fn(t);
  }));
}

/** Returns the digest of the image manifest stored. */
export async function pullImage(store: ImageStore, ref: string, opts: PullOptions = {}): Promise<string> {
  const r = parseReference(ref);
  const client = new RegistryClient(r.domain, r.path, opts);
  const report = (p: Omit<PullProgress, 'ref'>) => opts.onProgress?.({ ref, ...p });
  report({ phase: 'resolving', completed: 0, total: 0 });

  let top = await client.manifest(r.digest ?? r.tag!);
  if (r.digest && top.digest !== r.digest) throw new DigestMismatchError(`manifest ${r.digest} has digest ${top.digest}`);
  const repoDigest = top.digest;
  if (INDEX_TYPES.includes(top.mediaType)) {
    const index = JSON.parse(top.bytes.toString()) as Index;
    const d = pickPlatform(index, opts.platform);
    if (!d) throw new ImagePullError(`${ref}: no manifest for ${opts.platform?.architecture ?? 'this platform'} in ${index.manifests.map(m => m.platform?.architecture).join(', ')}`);
    top = await client.manifest(d.digest);
    if (top.digest !== d.digest) throw new DigestMismatchError(`manifest ${d.digest} has digest ${top.digest}`);
  }
  const manifest = JSON.parse(top.bytes.toString()) as Manifest;
  for (const l of manifest.layers) {
    if (!SUPPORTED_LAYER_TYPES.includes(l.mediaType)) throw new ImagePullError(`${ref}: layer type ${l.mediaType} is not supported`);
  }
  const fetchBlob = async (d: Descriptor, onBytes?: (n: number) => void) => {
    if (await store.blobs.has(d.digest)) { onBytes?.(d.size); return; }
    await store.blobs.writeStream(await client.blob(d.digest), { digest: d.digest, size: d.size }, onBytes);
  };
  await fetchBlob(manifest.config);
  const config = await store.blobs.readJson<ImageConfig>(manifest.config.digest);

  const total = manifest.layers.reduce((a, l) => a + l.size, 0);
  let completed = 0;
  const unpacks: Promise<void>[] = [];
  await pool(manifest.layers.map((l, i) => ({ l, i })), opts.concurrency ?? 3, async ({ l, i }) => {
    report({ phase: 'downloading', layer: l.digest, completed, total });
    let last = 0;
    await fetchBlob(l, n => {
      completed += n;
      if (completed - last > 1 << 20 || completed === total) { last = completed; report({ phase: 'downloading', layer: l.digest, completed, total }); }
    });
    report({ phase: 'extracting', layer: l.digest, completed, total });
    unpacks.push(store.ensureUnpacked({ digest: l.digest, diffId: config.rootfs?.diff_ids?.[i] }));
  });
  await Promise.all(unpacks);
  const digest = await store.putImage(top.bytes, [ref], repoDigest !== top.digest ? repoDigest : undefined);
  report({ phase: 'done', completed: total, total });
  return digest;
}
