/**
 * Content-addressed blobs in the OCI image layout: `blobs/sha256/<hex>`. Every write is
 * hashed on the way in and only renamed into place when its digest is the expected one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DigestMismatchError, InvalidImageError } from '../errors.js';
import { DIGEST } from './reference.js';

export interface BlobInfo {
  digest: string;
  size: number;
}

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export class BlobStore {
  readonly root: string;
  readonly #ingest: string;
  /** Parsed JSON blobs by digest: content never changes, so caching is always right. */
  readonly #json = new Map<string, unknown>();

  constructor(root: string) {
    this.root = root;
    this.#ingest = join(root, 'ingest');
  }

  async init(): Promise<void> {
    await Promise.all([mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true }), mkdir(this.#ingest, { recursive: true })]);
  }

  path(digest: string): string {
    if (!DIGEST.test(digest)) throw new InvalidImageError(`unsupported digest ${JSON.stringify(digest)}`);
    return join(this.root, 'blobs', 'sha256', digest.slice(7));
  }

  async has(digest: string): Promise<boolean> {
    try {
      await stat(this.path(digest));
      return true;
    } catch {
      return false;
    }
  }

  async writeBuffer(data: Buffer, expected?: string): Promise<BlobInfo> {
    return this.writeStream((async function* () { yield data; })(), expected ? { digest: expected } : undefined);
  }

  /**
   * Streams bytes into the store. With `expected`, a different digest (or size) is a
   * DigestMismatchError and nothing is kept. `onBytes` reports progress.
   */
  async writeStream(src: AsyncIterable<Uint8Array>, expected?: { digest: string; size?: number }, onBytes?: (n: number) => void): Promise<BlobInfo> {
    if (expected && (await this.has(expected.digest))) {
      for await (const _ of src) { /* nothing to keep */ break; }
      return { digest: expected.digest, size: (await stat(this.path(expected.digest))).size };
    }
    const tmp = join(this.#ingest, randomBytes(8).toString('hex'));
    const hash = createHash('sha256');
    const out = createWriteStream(tmp);
    let size = 0;
    try {
      for await (const chunk of src) {
        hash.update(chunk);
        size += chunk.length;
        onBytes?.(chunk.length);
        if (!out.write(chunk)) await new Promise<void>(r => out.once('drain', () => r()));
      }
      await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
      const digest = 'sha256:' + hash.digest('hex');
      if (expected && (digest !== expected.digest || (expected.size !== undefined && expected.size !== size))) {
        throw new DigestMismatchError(`content of ${expected.digest} has digest ${digest} (${size} bytes)`);
      }
      await rename(tmp, this.path(digest));
      return { digest, size };
    } catch (e) {
      out.destroy();
      await unlink(tmp).catch(() => {});
      throw e;
    }
  }

  async read(digest: string): Promise<Buffer> {
    return readFile(this.path(digest));
  }

  async readJson<T>(digest: string): Promise<T> {
    const hit = this.#json.get(digest);
    if (hit) return hit as T;
    const v = JSON.parse((await this.read(digest)).toString('utf8')) as T;
    this.#json.set(digest, v);
    return v;
  }

  async remove(digest: string): Promise<void> {
    this.#json.delete(digest);
    await rm(this.path(digest), { force: true });
  }
}
