/**
 * `kubeling images import FILE`: loads OCI-archive (a tarred OCI image layout, as
 * `skopeo copy … oci-archive:` writes) and docker-archive (`docker save`,
 * `skopeo copy … docker-archive:`) tarballs, gzipped or not, in one streaming pass:
 * blobs go straight into the store (verified), small JSON files are kept in memory.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { InvalidImageError } from '../errors.js';
import { sha256, type BlobInfo } from './blobs.js';
import { INDEX_TYPES, MT, pickPlatform, type Descriptor, type ImageConfig, type Index } from './media-types.js';
import { normalizeReference, parseReference, repository } from './reference.js';
import type { ImageStore } from './store.js';
import { readAll, readTar } from './tar-reader.js';

export interface ImportOptions {
  /** Name for images the archive names only by tag (`latest`) or not at all. */
  name?: string;
}

interface DockerArchiveItem {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

async function* archiveBytes(file: string): AsyncGenerator<Buffer> {
  const head = await new Promise<Buffer>((res, rej) => {
    const s = createReadStream(file, { start: 0, end: 1 });
    const parts: Buffer[] = [];
    s.on('data', b => parts.push(b as Buffer)).on('end', () => res(Buffer.concat(parts))).on('error', rej);
  });
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gz = createGunzip();
    raw.on('error', e => gz.destroy(e));
    yield* raw.pipe(gz);
  } else yield* raw as AsyncIterable<Buffer>;
}

function clean(p: string): string {
  return p.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

export async function importArchive(store: ImageStore, file: string, opts: ImportOptions): Promise<string[]> {
  const small = new Map<string, Buffer>();
  const blobs = new Map<string, BlobInfo>();
  const links = new Map<string, string>();
  for await (const { entry, body } of readTar(archiveBytes(file))) {
    const path = clean(entry.path);
    if (entry.type === 'symlink') links.set(path, posix.normalize(posix.join(posix.dirname(path), entry.linkname)));
    if (entry.type !== 'file') continue;
    const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path);
    if (m) blobs.set(path, await store.blobs.writeStream(body, { digest: `sha256:${m[1]}`, size: entry.size }));
    else if (entry.size < 4 << 20 && (path.endsWith('.json') || path === 'oci-layout' || path === 'repositories')) small.set(path, await readAll(body));
    else blobs.set(path, await store.blobs.writeStream(body));
  }
  for (const [from, to] of links) { // docker-archive writes `<id>/layer.tar -> ../<hex>.tar`
    if (blobs.has(to)) blobs.set(from, blobs.get(to)!);
    if (small.has(to)) small.set(from, small.get(to)!);
  }
  if (small.has('manifest.json')) return importDocker(store, small, blobs, opts);
  if (small.has('index.json')) return importOci(store, small, opts);
  throw new InvalidImageError(`${file}: neither an OCI archive (index.json) nor a docker archive (manifest.json)`);
}

/** Names an image from an archive annotation, falling back to (or completing with) opts.name. */
function nameFor(annotation: string | undefined, opts: ImportOptions): string {
  if (annotation && /[/:@]/.test(annotation)) return annotation;
  if (!opts.name) throw new InvalidImageError(`archive image ${annotation ? `tagged "${annotation}" ` : ''}has no repository name; give one`);
  return annotation ? `${repository(parseReference(opts.name))}:${annotation}` : opts.name;
}

async function importOci(store: ImageStore, small: Map<string, Buffer>, opts: ImportOptions): Promise<string[]> {
  const index = JSON.parse(small.get('index.json')!.toString()) as Index;
  const names: string[] = [];
  for (const d of index.manifests ?? []) {
    const ann = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
    let desc: Descriptor | undefined = d;
    if (INDEX_TYPES.includes(d.mediaType)) desc = pickPlatform(await store.blobs.readJson<Index>(d.digest));
    if (!desc) throw new InvalidImageError(`archive index ${d.digest} has no manifest for this platform`);
    const name = nameFor(ann, opts);
    await store.putImage(await store.blobs.read(desc.digest), [name], d.digest !== desc.digest ? d.digest : undefined);
    names.push(normalizeReference(name));
  }
  return names;
}

async function isGzip(store: ImageStore, digest: string): Promise<boolean> {
  const fh = await open(store.blobs.path(digest));
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

async function importDocker(store: ImageStore, small: Map<string, Buffer>, blobs: Map<string, BlobInfo>, opts: ImportOptions): Promise<string[]> {
  const items = JSON.parse(small.get('manifest.json')!.toString()) as DockerArchiveItem[];
  const names: string[] = [];
  for (const item of items) {
    const cfgPath = clean(item.Config);
    const cfgBytes = small.get(cfgPath) ?? (blobs.has(cfgPath) ? await store.blobs.read(blobs.get(cfgPath)!.digest) : undefined);
    if (!cfgBytes) throw new InvalidImageError(`docker archive: missing config ${item.Config}`);
    const config = await store.blobs.writeBuffer(cfgBytes, sha256(cfgBytes));
    const cfg = JSON.parse(cfgBytes.toString()) as ImageConfig;
    const layers = await Promise.all(item.Layers.map(async (l, i) => {
      const b = blobs.get(clean(l));
      if (!b) throw new InvalidImageError(`docker archive: missing layer ${l}`);
      const gz = await isGzip(store, b.digest);
      if (!gz && cfg.rootfs?.diff_ids?.[i] && cfg.rootfs.diff_ids[i] !== b.digest) throw new InvalidImageError(`docker archive: layer ${l} is not diff_id ${cfg.rootfs.diff_ids[i]}`);
      return { mediaType: gz ? MT.ociLayerGzip : MT.ociLayer, digest: b.digest, size: b.size };
    }));
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: MT.ociManifest,
      config: { mediaType: MT.ociConfig, digest: config.digest, size: config.size }, layers,
    }));
    const tags = item.RepoTags?.length ? item.RepoTags : [nameFor(undefined, opts)];
    await store.putImage(manifest, tags);
    names.push(...tags);
  }
  return names.map(normalizeReference);
}
