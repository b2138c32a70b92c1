/**
 * The local image store: an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/`)
 * plus `layers/<hex>/`, each layer unpacked once. `index.json` has one entry per name,
 * annotated `org.opencontainers.image.ref.name` = the canonical reference, so `skopeo`
 * can read the store as `oci:ROOT:docker.io/library/busybox:latest`.
 *
 * Concurrency: writes to index.json are serialized within the process and atomic
 * (rename); two processes importing at the same instant may lose one name.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageNotFoundError, InvalidImageError } from '../errors.js';
import { BlobStore, sha256 } from './blobs.js';
import { importArchive, type ImportOptions } from './import.js';
import { MANIFEST_TYPES, MT, type Descriptor, type ImageConfig, type ImageRunConfig, type Index, type Manifest } from './media-types.js';
import { pullImage, type PullOptions } from './pull.js';
import { DIGEST, formatReference, normalizeReference, parseReference, repository } from './reference.js';
import { unpackLayer } from './unpack.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
export const REPO_DIGEST = 'io.kubeling.repo-digest';

export interface LayerInfo {
  digest: string;
  mediaType: string;
  size: number;
  diffId: string;
  /** The unpacked layer, usable as an overlayfs lowerdir. */
  dir: string;
}

export interface ResolvedImage {
  /** The canonical name it was found by (the first name when found by id). */
  ref: string;
  /** Image id: the config digest. */
  id: string;
  manifestDigest: string;
  names: string[];
  /** `repository@digest` forms (for a pod's `imageID`). */
  repoDigests: string[];
  config: ImageRunConfig;
  layers: LayerInfo[];
  /** Bytes of config plus (compressed) layers. */
  size: number;
}

export interface ImageSummary {
  id: string;
  manifestDigest: string;
  names: string[];
  repoDigests: string[];
  size: number;
}

export interface ImageStoreOptions {
  /** The store directory, e.g. /var/lib/kubeling/images. */
  root: string;
  /** kubeling-shim binary, used for overlay whiteouts while unpacking. */
  helper: string;
}

export class ImageStore {
  readonly root: string;
  readonly blobs: BlobStore;
  readonly helper: string;
  readonly layersDir: string;
  #indexLock: Promise<unknown> = Promise.resolve();
  #unpacking = new Map<string, Promise<void>>();
  #unpacked = new Set<string>();
  /** index.json as last read, and the file identity it was read from. */
  #indexCache?: { key: string; index: Index };
  /** Resolved images by index identity, manifest and name (blobs never change). */
  #described = new Map<string, ResolvedImage>();

  private constructor(opts: ImageStoreOptions) {
    this.root = opts.root;
    this.helper = opts.helper;
    this.blobs = new BlobStore(opts.root);
    this.layersDir = join(opts.root, 'layers');
  }

  static async open(opts: ImageStoreOptions): Promise<ImageStore> {
    const s = new ImageStore(opts);
    await s.blobs.init();
    await mkdir(s.layersDir, { recursive: true });
    await writeFile(join(s.root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}', { flag: 'wx' }).catch(() => {});
    await writeFile(join(s.root, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] }), { flag: 'wx' }).catch(() => {});
    return s;
  }

  /** Identifies the index.json there now: every write renames a new file into place. */
  async #indexKey(): Promise<string> {
    // One stat, where reading and parsing the index every time cost four thread-pool round
    // trips per image lookup (a few per pod start). Asynchronous on purpose: callers loop on
    // lookups, and one that never waited for I/O would hold the event loop.
    const st = await stat(join(this.root, 'index.json'));
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  }

  /** The index, read again only when the file changed (other processes may pull or import). Never mutate it. */
  async #index(): Promise<Index> {
    const key = await this.#indexKey();
    if (this.#indexCache?.key === key) return this.#indexCache.index;
    const index = JSON.parse(await readFile(join(this.root, 'index.json'), 'utf8')) as Index;
    if (this.#described.size > 256) this.#described.clear();
    this.#indexCache = { key, index };
    return index;
  }

  /** Read-modify-write of index.json, one at a time. */
  #updateIndex(fn: (entries: Descriptor[]) => Descriptor[]): Promise<void> {
    const next = this.#indexLock.then(async () => {
      const idx = { ...(await this.#index()) }; // the cached one stays as it was
      idx.manifests = fn(idx.manifests);
      const tmp = join(this.root, `index.json.${randomBytes(4).toString('hex')}`);
      await writeFile(tmp, JSON.stringify(idx, null, 1));
      await rename(tmp, join(this.root, 'index.json'));
    });
    this.#indexLock = next.catch(() => {});
    return next;
  }

  /** Finds the index entries for a name, a `name@digest`, or an image id (full or ≥12-hex prefix). */
  async #find(ref: string): Promise<{ entry: Descriptor; name: string } | undefined> {
    const entries = (await this.#index()).manifests;
    const isId = /^sha256:[a-f0-9]{64}$/.test(ref);
    if (isId || /^[a-f0-9]{12,64}$/.test(ref)) {
      const hex = ref.replace(/^sha256:/, '');
      for (const e of entries) {
        const m = await this.blobs.readJson<Manifest>(e.digest);
        if (m.config.digest.slice(7).startsWith(hex)) return { entry: e, name: '' };
      }
      if (isId) return undefined;
    }
    const r = parseReference(ref);
    if (r.digest) {
      const repo = repository(r);
      const e = entries.find(e => (e.digest === r.digest || e.annotations?.[REPO_DIGEST] === r.digest)
        && repository(parseReference(e.annotations?.[REF_NAME] ?? 'invalid')) === repo);
      return e ? { entry: e, name: formatReference(r) } : undefined;
    }
    const name = formatReference(r);
    const e = entries.find(e => e.annotations?.[REF_NAME] === name);
    return e ? { entry: e, name } : undefined;
  }

  /** True when `ref` is in the store. */
  async has(ref: string): Promise<boolean> {
    return (await this.#find(ref)) !== undefined;
  }

  /** The image's run config and unpacked layers (unpacking any that are missing). */
  async resolve(ref: string): Promise<ResolvedImage> {
    const found = await this.#find(ref);
    if (!found) throw new ImageNotFoundError(`image "${ref}" not present locally`);
    const img = await this.#describe(found.entry.digest, found.name);
    await Promise.all(img.layers.map(l => this.ensureUnpacked(l)));
    return img;
  }

  async #describe(manifestDigest: string, ref: string): Promise<ResolvedImage> {
    await this.#index();
    const key = `${this.#indexCache!.key}|${manifestDigest}|${ref}`;
    const hit = this.#described.get(key);
    if (hit) return hit;
    const img = await this.#describeUncached(manifestDigest, ref);
    this.#described.set(key, img);
    return img;
  }

  async #describeUncached(manifestDigest: string, ref: string): Promise<ResolvedImage> {
    const manifest = await this.blobs.readJson<Manifest>(manifestDigest);
    const config = await this.blobs.readJson<ImageConfig>(manifest.config.digest);
    const entries = (await this.#index()).manifests.filter(e => e.digest === manifestDigest);
    const names = entries.map(e => e.annotations?.[REF_NAME] ?? '').filter(Boolean);
    const repoDigests = [...new Set(entries.map(e => {
      const n = parseReference(e.annotations?.[REF_NAME] ?? '');
      return `${repository(n)}@${e.annotations?.[REPO_DIGEST] ?? manifestDigest}`;
    }))];
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== manifest.layers.length) throw new InvalidImageError(`image ${ref}: ${manifest.layers.length} layers but ${diffIds.length} diff_ids`);
    return {
      ref: ref || names[0] || manifestDigest,
      id: manifest.config.digest,
      manifestDigest,
      names,
      repoDigests,
      config: config.config ?? {},
      layers: manifest.layers.map((l, i) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size, diffId: diffIds[i]!, dir: this.layerDir(l.digest) })),
      size: manifest.config.size + manifest.layers.reduce((a, l) => a + l.size, 0),
    };
  }

  layerDir(digest: string): string {
    return join(this.layersDir, digest.slice(7));
  }

  /** Unpacks a layer once; concurrent callers share the work. */
  ensureUnpacked(layer: { digest: string; diffId?: string }): Promise<void> {
    if (this.#unpacked.has(layer.digest)) return Promise.resolve();
    let p = this.#unpacking.get(layer.digest);
    if (!p) {
      const dir = this.layerDir(layer.digest);
      p = stat(dir).then(() => {}, () => unpackLayer(this.blobs.path(layer.digest), dir, { helper: this.helper, diffId: layer.diffId }))
        .then(() => { this.#unpacked.add(layer.digest); })
        .finally(() => this.#unpacking.delete(layer.digest));
      this.#unpacking.set(layer.digest, p);
    }
    return p;
  }

  /**
   * Records an image whose config and layer blobs are already stored: writes the manifest,
   * unpacks the layers, then points each name at it. Returns the manifest digest.
   */
  async putImage(manifestBytes: Buffer, names: string[], repoDigest?: string): Promise<string> {
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    if (manifest.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) throw new InvalidImageError('not an image manifest (schemaVersion 2)');
    const mediaType = manifest.mediaType ?? MT.ociManifest;
    if (!MANIFEST_TYPES.includes(mediaType)) throw new InvalidImageError(`unsupported manifest type ${mediaType}`);
    const { digest } = await this.blobs.writeBuffer(manifestBytes, sha256(manifestBytes));
    const config = await this.blobs.readJson<ImageConfig>(manifest.config.digest);
    await Promise.all(manifest.layers.map((l, i) => this.ensureUnpacked({ digest: l.digest, diffId: config.rootfs?.diff_ids?.[i] })));
    const canonical = names.map(normalizeReference);
    await this.#updateIndex(entries => [
      ...entries.filter(e => !canonical.includes(e.annotations?.[REF_NAME] ?? '')),
      ...canonical.map(n => ({
        mediaType, digest, size: manifestBytes.length,
        annotations: { [REF_NAME]: n, ...(repoDigest ? { [REPO_DIGEST]: repoDigest } : {}) },
      })),
    ]);
    return digest;
  }

  /** Adds `target` as another name of the image `source` resolves to. */
  async tag(source: string, target: string): Promise<void> {
    const found = await this.#find(source);
    if (!found) throw new ImageNotFoundError(`image "${source}" not present locally`);
    const name = normalizeReference(target);
    await this.#updateIndex(entries => [
      ...entries.filter(e => e.annotations?.[REF_NAME] !== name),
      { ...found.entry, annotations: { ...found.entry.annotations, [REF_NAME]: name } },
    ]);
  }

  async list(): Promise<ImageSummary[]> {
    const digests = [...new Set((await this.#index()).manifests.map(e => e.digest))];
    return Promise.all(digests.map(async d => {
      const i = await this.#describe(d, '');
      return { id: i.id, manifestDigest: d, names: i.names, repoDigests: i.repoDigests, size: i.size };
    }));
  }

  /** Removes a name (or, for an image id, all its names), then unused blobs and layers. */
  async remove(ref: string): Promise<void> {
    const found = await this.#find(ref);
    if (!found) throw new ImageNotFoundError(`image "${ref}" not present locally`);
    const byId = found.entry.annotations?.[REF_NAME] !== found.name; // an id or a digest names the image
    await this.#updateIndex(entries => entries.filter(e => byId ? e.digest !== found.entry.digest : e.annotations?.[REF_NAME] !== found.name));
    await this.gc();
  }

  /** Deletes blobs and unpacked layers no name refers to (sparing blobs younger than a minute: pulls in flight). */
  async gc(): Promise<void> {
    const keep = new Set<string>();
    for (const e of (await this.#index()).manifests) {
      keep.add(e.digest);
      const m = await this.blobs.readJson<Manifest>(e.digest);
      keep.add(m.config.digest);
      for (const l of m.layers) keep.add(l.digest);
    }
    const young = Date.now() - 60_000;
    const blobDir = join(this.root, 'blobs', 'sha256');
    for (const hex of await readdir(blobDir)) {
      const d = `sha256:${hex}`;
      if (keep.has(d) || !DIGEST.test(d)) continue;
      if ((await stat(join(blobDir, hex))).mtimeMs > young) continue;
      await this.blobs.remove(d);
    }
    for (const name of await readdir(this.layersDir)) {
      if (keep.has(`sha256:${name}`) || name.includes('.tmp-')) continue;
      this.#unpacked.delete(`sha256:${name}`);
      await rm(join(this.layersDir, name), { recursive: true, force: true });
    }
  }

  /** Loads an OCI-archive or docker-archive tarball; returns the canonical names imported. */
  importArchive(file: string, opts: ImportOptions = {}): Promise<string[]> {
    return importArchive(this, file, opts);
  }

  /** Pulls from a registry over the OCI distribution API. */
  async pull(ref: string, opts: PullOptions = {}): Promise<ResolvedImage> {
    await pullImage(this, ref, opts);
    return this.resolve(ref);
  }
}
