/**
 * What the runtime remembers about each sandbox and container, as one JSON file in its
 * directory (`sandboxes/<id>/sandbox.json`, `containers/<id>/container.json`), cached in
 * memory. The files are the truth an agent restart adopts; the cache only saves reads.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PortMapping } from '../cni/cni.js';
import { RuntimeNotFoundError } from '../errors.js';
import type { Labels } from '../runtime.js';

export interface SandboxRecord {
  id: string;
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
  hostname: string;
  labels: Labels;
  annotations: Labels;
  hostNetwork: boolean;
  hostPID: boolean;
  hostIPC: boolean;
  shareProcessNamespace: boolean;
  createdAt: string;
  /** The pod's cgroup (parent of the pause's and every container's). */
  cgroupPath: string;
  pid?: number;
  pidStart?: string;
  ips: string[];
  portMappings: PortMapping[];
  cniResult?: Record<string, unknown>;
  /** CNI ADD (maybe) done and not yet undone: set before the ADD runs, since DEL is idempotent. */
  networkAttached: boolean;
  stopped: boolean;
}

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  image: string;
  imageId: string;
  imageRef: string;
  labels: Labels;
  annotations: Labels;
  logPath: string;
  createdAt: string;
  cgroupPath: string;
  /** overlayfs options (lowerdirs relative to the image store's layer dir). */
  overlay: string;
  stopSignal?: string;
  /** The container's stdin is the FIFO `stdin` in its dir (attach). */
  stdin?: boolean;
  /** The container runs on a pty; `resize` in its dir takes "<rows> <cols>" lines. */
  tty?: boolean;
  startedAt?: string;
  pid?: number;
  pidStart?: string;
  shimPid?: number;
  shimStart?: string;
}

/** JSON records of one kind in `<dir>/<id>/<file>`. */
export class RecordStore<T extends { id: string }> {
  readonly dir: string;
  readonly #file: string;
  readonly #kind: string;
  readonly #cache = new Map<string, T>();
  #loaded?: Promise<void>;

  constructor(dir: string, file: string, kind: string) {
    this.dir = dir;
    this.#file = file;
    this.#kind = kind;
  }

  pathOf(id: string): string {
    return join(this.dir, id);
  }

  /** Reads every record once (adoption after a restart). */
  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      for (const id of await readdir(this.dir)) {
        if (this.#cache.has(id)) continue;
        try {
          this.#cache.set(id, JSON.parse(await readFile(join(this.dir, id, this.#file), 'utf8')) as T);
        } catch { /* a half-created entry: it has no record, list skips it */ }
      }
    })();
    return this.#loaded;
  }

  async get(id: string): Promise<T> {
    const hit = this.#cache.get(id);
    if (hit) return hit;
    try {
      const r = JSON.parse(await readFile(join(this.dir, id, this.#file), 'utf8')) as T;
      this.#cache.set(id, r);
      return r;
    } catch {
      throw new RuntimeNotFoundError(`${this.#kind} ${id} not found`);
    }
  }

  async find(id: string): Promise<T | undefined> {
    return this.get(id).catch(() => undefined);
  }

  async all(): Promise<T[]> {
    await this.#load();
    return [...this.#cache.values()];
  }

  /** Every record as the files say now (the cache dropped first). */
  async reload(): Promise<T[]> {
    this.#cache.clear();
    this.#loaded = undefined;
    return this.all();
  }

  /**
   * Writes atomically (temp file + rename) and caches. Synchronously: the records live on
   * a tmpfs (run-dir.ts), where writing a small file takes microseconds, less than the
   * thread-pool round trips of open, write, close and rename (four per record, several
   * records per pod start).
   */
  async put(r: T): Promise<void> {
    this.#cache.set(r.id, r);
    const tmp = join(this.dir, r.id, `.${this.#file}.${randomBytes(3).toString('hex')}`);
    writeFileSync(tmp, JSON.stringify(r));
    renameSync(tmp, join(this.dir, r.id, this.#file));
  }

  forget(id: string): void {
    this.#cache.delete(id);
  }
}
