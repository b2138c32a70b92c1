/** What the sandbox and container operations share: config, stores, CNI, runc, the pause image. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CniNetwork } from '../cni/cni.js';
import { ALL_CAPABILITIES } from './capabilities.js';
import { ImageNotFoundError } from '../errors.js';
import type { ImageStore, ResolvedImage } from '../images/store.js';
import type { ContainerRecord, RecordStore, SandboxRecord } from './records.js';
import type { RuncCli } from './runc-cli.js';
import type { Spawner } from '../spawner.js';

export interface RuncContext {
  runc: RuncCli;
  /** The spawner holds a sealed copy of runc.bin and gives it to the shims it launches. */
  sealedRunc: boolean;
  shim: string;
  /** Starts the shims (and runc, CNI) so the agent never forks itself. */
  spawner: Spawner;
  images: ImageStore;
  cni: CniNetwork;
  /** The mount holding the run dir: shims mount container rootfs below it in a namespace of their own (shim.c). */
  runMount: string;
  /** Where the shared layers of bind-mount targets live (mount-targets.ts), on the run tmpfs. */
  mountTargetsDir: string;
  /** Records and bundles, on a tmpfs (run-dir.ts). */
  sandboxes: RecordStore<SandboxRecord>;
  containers: RecordStore<ContainerRecord>;
  /** On disk: overlay upper and work dirs (and default container logs), `<stateDir>/<kind>/<id>`. */
  stateDir: string;
  cgroupParent: string;
  pauseImage: string;
  /** Without CAP_SYS_RESOURCE (as on this VM) oom_score_adj can only go up from ours. */
  minOomScoreAdj: number;
  /** Our bounding set: runc cannot grant a container more (privileged gets these). */
  boundingCaps: Set<string>;
}

/** Names of the capabilities in this process's bounding set. */
export async function boundingCapabilities(): Promise<Set<string>> {
  const status = await readFile('/proc/self/status', 'utf8');
  const bnd = BigInt('0x' + (/CapBnd:\s*([0-9a-f]+)/.exec(status)?.[1] ?? '0'));
  return new Set(ALL_CAPABILITIES.filter((_, i) => bnd & (1n << BigInt(i))));
}

/** The lowest oom_score_adj this process may give its children. */
export async function lowestOomScoreAdj(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  const eff = BigInt('0x' + (/CapEff:\s*([0-9a-f]+)/.exec(status)?.[1] ?? '0'));
  if (eff & (1n << 24n)) return -1000; // CAP_SYS_RESOURCE
  return Number((await readFile('/proc/self/oom_score_adj', 'utf8')).trim());
}

/** runc ids: 24 hex chars (short paths keep overlay option strings short). */
export function newId(): string {
  return randomBytes(12).toString('hex');
}

const pauseCache = new WeakMap<RuncContext, Promise<ResolvedImage>>();

/** The pause image, resolved once per runtime. */
export function pauseImage(ctx: RuncContext): Promise<ResolvedImage> {
  let p = pauseCache.get(ctx);
  if (!p) {
    p = ctx.images.resolve(ctx.pauseImage).catch(e => {
      pauseCache.delete(ctx);
      if (e instanceof ImageNotFoundError) throw new ImageNotFoundError(`pause image ${ctx.pauseImage} is not in the image store: run scripts/build-images.sh`);
      throw e;
    });
    pauseCache.set(ctx, p);
  }
  return p;
}

/** Where a container's (or a multi-layer pause's) writable layer lives: on disk, unlike its bundle. */
export function diskDir(ctx: RuncContext, kind: 'containers' | 'sandboxes', id: string): string {
  return join(ctx.stateDir, kind, id);
}

/**
 * overlayfs options with lowerdirs relative to the layer dir (the shim mounts from there); upper
 * and work in `dir`. `top`: an absolute dir as the topmost lower layer (mount-targets.ts).
 */
export function overlayOptions(img: ResolvedImage, dir: string, top?: string): string {
  const lower = [...(top ? [top] : []), ...img.layers.map(l => l.digest.slice(7)).reverse()].join(':');
  return `lowerdir=${lower},upperdir=${dir}/upper,workdir=${dir}/work`;
}
