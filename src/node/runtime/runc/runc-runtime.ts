/**
 * The runc implementation of Runtime. Every runc call uses `runcRoot`; the pod network,
 * cgroup parent and directories all come from the options, so several runtimes (tests)
 * run side by side and `purge()` leaves the machine as it was.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CniNetwork, type CniNetworkOptions } from '../cni/cni.js';
import { CreateContainerError, ImageInUseError, RuntimeNotFoundError } from '../errors.js';
import type { ImageStore } from '../images/store.js';
import { ensureShim } from '../native.js';
import type { ContainerConfig, ContainerStatus, ExecOptions, ExecResult, ExecSession, ImageService, ListFilter, Runtime, SandboxConfig, SandboxStatus } from '../runtime.js';
import { isAlive } from '../proc.js';
import { spawnerFor } from '../spawner.js';
import { removeCgroup } from './cgroups.js';
import { boundingCapabilities, lowestOomScoreAdj, type RuncContext } from './context.js';
import { containerStatus, createContainer, openStdin, removeContainer, resizeTty, startContainer, stopAndKill } from './containers.js';
import { execCollect, execStream } from './exec.js';
import { RecordStore, type ContainerRecord, type SandboxRecord } from './records.js';
import { RuncCli } from './runc-cli.js';
import { ensureRunDir, mountPointOf, removeRunDir } from './run-dir.js';
import { removeSandbox, runSandbox, sandboxStatus, stopSandbox } from './sandboxes.js';
import { waitForExit } from './shim.js';

export interface RuncRuntimeOptions {
  /** On disk: containers' overlay upper and work dirs (kept across agent restarts). */
  stateDir: string;
  /**
   * Records, bundles, pod files, IPAM leases: a tmpfs (mounted when not on one), kept
   * across agent restarts but not reboots, like the containers. Default `<stateDir>/run`.
   */
  runDir?: string;
  /** `runc --root` for every call, e.g. /run/kubeling/runc; on a tmpfs like runDir. */
  runcRoot: string;
  runcPath?: string;
  /** kubeling-shim; built from source when missing. Default: the image store's helper. */
  shimPath?: string;
  images: ImageStore;
  /** Default registry.k8s.io/pause:3.10 (built by setup). */
  pauseImage?: string;
  /** Parent of every pod cgroup, e.g. /kubeling. */
  cgroupParent?: string;
  /** The node's pod network; `dir` defaults to `<runDir>/cni`. */
  network: Omit<CniNetworkOptions, 'dir'> & { dir?: string };
}

/**
 * Writable layers whose records are gone: the run dir was empty, so the machine rebooted
 * (every container with it) or this is a new node. Only dirs holding nothing but a
 * writable layer are removed.
 */
async function removeOrphanLayers(stateDir: string): Promise<void> {
  const layerFiles = new Set(['upper', 'work', 'container.log']);
  for (const kind of ['containers', 'sandboxes']) {
    const ids = await readdir(join(stateDir, kind)).catch(() => [] as string[]);
    await Promise.all(ids.map(async id => {
      const dir = join(stateDir, kind, id);
      const entries = await readdir(dir).catch(() => ['?']);
      if (entries.every(e => layerFiles.has(e))) await rm(dir, { recursive: true, force: true });
    }));
  }
}

function matches(labels: Record<string, string>, want?: Record<string, string>): boolean {
  return !want || Object.entries(want).every(([k, v]) => labels[k] === v);
}

export class RuncRuntime implements Runtime {
  readonly name = 'runc';
  readonly #ctx: RuncContext;
  readonly stateDir: string;
  readonly runDir: string;

  private constructor(ctx: RuncContext, stateDir: string, runDir: string) {
    this.#ctx = ctx;
    this.stateDir = stateDir;
    this.runDir = runDir;
  }

  static async create(o: RuncRuntimeOptions): Promise<RuncRuntime> {
    const runcPath = o.runcPath ?? (existsSync('/usr/sbin/runc') ? '/usr/sbin/runc' : '/usr/bin/runc');
    const shim = await ensureShim(o.shimPath ?? o.images.helper);
    const spawner = spawnerFor(shim);
    const runDir = o.runDir ?? join(o.stateDir, 'run');
    const [fresh, freshRoot] = await Promise.all([ensureRunDir(runDir), ensureRunDir(o.runcRoot)]);
    try {
      if (fresh) await removeOrphanLayers(o.stateDir);
      return await RuncRuntime.#open(o, runcPath, shim, spawner, runDir);
    } catch (e) {
      // Nothing was recorded in them yet: no tmpfs stays behind a runtime that never was.
      if (fresh) await removeRunDir(runDir).catch(() => {});
      if (freshRoot) await removeRunDir(o.runcRoot).catch(() => {});
      throw e;
    }
  }

  static async #open(o: RuncRuntimeOptions, runcPath: string, shim: string, spawner: ReturnType<typeof spawnerFor>, runDir: string): Promise<RuncRuntime> {
    const cni = new CniNetwork({ ...o.network, dir: o.network.dir ?? join(runDir, 'cni') }, spawner);
    // Shims then start runc from a sealed copy (shim/sealed.c); without one, from the file.
    const [sealedRunc] = await Promise.all([spawner.seal(runcPath).catch(() => false), cni.init()]);
    const ctx: RuncContext = {
      runc: new RuncCli(runcPath, o.runcRoot, spawner), sealedRunc, runMount: await mountPointOf(runDir), mountTargetsDir: join(runDir, 'mount-targets'), shim, spawner, images: o.images, cni, stateDir: o.stateDir,
      sandboxes: new RecordStore<SandboxRecord>(join(runDir, 'sandboxes'), 'sandbox.json', 'sandbox'),
      containers: new RecordStore<ContainerRecord>(join(runDir, 'containers'), 'container.json', 'container'),
      cgroupParent: o.cgroupParent ?? '/kubeling', pauseImage: o.pauseImage ?? 'registry.k8s.io/pause:3.10',
      minOomScoreAdj: await lowestOomScoreAdj(), boundingCaps: await boundingCapabilities(),
    };
    return new RuncRuntime(ctx, o.stateDir, runDir);
  }

  get images(): ImageService {
    const store = this.#ctx.images;
    const containers = this.#ctx.containers;
    return {
      pull: (ref, opts) => store.pull(ref, opts),
      resolve: ref => store.resolve(ref),
      has: ref => store.has(ref),
      list: () => store.list(),
      importArchive: (file, opts) => store.importArchive(file, opts),
      remove: async ref => {
        const img = await store.resolve(ref);
        const users = (await containers.all()).filter(c => c.imageId === img.id);
        if (users.length && (ref === img.id || img.names.length <= 1)) throw new ImageInUseError(`image ${ref} is used by container ${users[0]!.id}`);
        await store.remove(ref);
      },
    };
  }

  async version(): Promise<{ name: string; version: string }> {
    return { name: 'runc', version: await this.#ctx.runc.version() };
  }

  async runSandbox(config: SandboxConfig): Promise<SandboxStatus> {
    return sandboxStatus(this.#ctx, await runSandbox(this.#ctx, config));
  }

  stopSandbox(id: string): Promise<void> {
    return stopSandbox(this.#ctx, id);
  }

  removeSandbox(id: string): Promise<void> {
    return removeSandbox(this.#ctx, id);
  }

  async sandboxStatus(id: string): Promise<SandboxStatus> {
    return sandboxStatus(this.#ctx, await this.#ctx.sandboxes.get(id));
  }

  async listSandboxes(filter: ListFilter = {}): Promise<SandboxStatus[]> {
    const all = await Promise.all((await this.#ctx.sandboxes.all()).filter(r => matches(r.labels, filter.labels)).map(r => sandboxStatus(this.#ctx, r)));
    return all.filter(s => !filter.state || s.state === filter.state);
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    if (!(await this.#ctx.sandboxes.find(sandboxId))) throw new CreateContainerError(`sandbox ${sandboxId} not found`);
    return createContainer(this.#ctx, sandboxId, config);
  }

  startContainer(id: string): Promise<void> {
    return startContainer(this.#ctx, id);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const rec = await this.#ctx.containers.find(id);
    if (rec) await stopAndKill(this.#ctx, rec, timeoutSeconds);
  }

  removeContainer(id: string): Promise<void> {
    return removeContainer(this.#ctx, id);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return containerStatus(this.#ctx, await this.#ctx.containers.get(id));
  }

  async listContainers(filter: ListFilter = {}): Promise<ContainerStatus[]> {
    const recs = (await this.#ctx.containers.all()).filter(r => (!filter.sandboxId || r.sandboxId === filter.sandboxId) && matches(r.labels, filter.labels));
    const all = await Promise.all(recs.map(r => containerStatus(this.#ctx, r)));
    return all.filter(s => !filter.state || s.state === filter.state);
  }

  async waitContainer(id: string, signal?: AbortSignal): Promise<ContainerStatus> {
    const rec = await this.#ctx.containers.get(id);
    for (;;) {
      const st = await containerStatus(this.#ctx, rec);
      if (st.state === 'exited' || signal?.aborted) return st;
      await waitForExit(this.#ctx.containers.pathOf(id), st.state === 'created' ? 250 : 5000, signal);
    }
  }

  async reopenContainerLog(id: string): Promise<void> {
    const st = await this.containerStatus(id);
    const rec = await this.#ctx.containers.get(id);
    if (st.state === 'running' && rec.shimPid && (await isAlive(rec.shimPid, rec.shimStart))) process.kill(rec.shimPid, 'SIGUSR1');
  }

  async #running(id: string): Promise<void> {
    const st = await this.containerStatus(id);
    if (st.state !== 'running') throw new RuntimeNotFoundError(`container ${id} is not running`);
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecResult> {
    await this.#running(id);
    return execCollect(this.#ctx.runc, this.#ctx.shim, id, opts, this.#ctx.spawner);
  }

  execStream(id: string, opts: Omit<ExecOptions, 'input' | 'timeoutMs'>): ExecSession {
    return execStream(this.#ctx.runc, this.#ctx.shim, id, opts, this.#ctx.containers.pathOf(id));
  }

  attachStdin(id: string): ReturnType<typeof openStdin> {
    return openStdin(this.#ctx.containers.pathOf(id));
  }

  resizeTty(id: string, cols: number, rows: number): void {
    resizeTty(this.#ctx.containers.pathOf(id), cols, rows);
  }

  /**
   * Removes everything this runtime made on the node: sandboxes, containers, runc state
   * (also containers runc knows that no record names), the bridge, IPAM, cgroups and the
   * run dir's tmpfs.
   */
  async purge(): Promise<void> {
    const ctx = this.#ctx;
    // From the files, not the cache: another runtime over the same state may have changed them.
    await Promise.all((await ctx.sandboxes.reload()).map(s => removeSandbox(ctx, s.id).catch(() => {})));
    await Promise.all((await ctx.containers.reload()).map(c => removeContainer(ctx, c.id).catch(() => {})));
    await Promise.all((await ctx.runc.list()).map(c => ctx.runc.delete(c.id).catch(() => {})));
    await ctx.cni.destroy();
    await removeCgroup(ctx.cgroupParent);
    // Records of what could not be removed stay (and with them the run dir): the caller sees leftovers.
    if (!(await ctx.sandboxes.reload()).length && !(await ctx.containers.reload()).length) await removeRunDir(this.runDir);
    if (existsSync(ctx.runc.root) && (await readdir(ctx.runc.root)).length === 0) await removeRunDir(ctx.runc.root);
  }
}
