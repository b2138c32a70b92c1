/**
 * The node's runtime from the agent's options: the image store (with the setup images
 * built on first use when missing: pause from our C source, busybox from busybox-static)
 * and a RuncRuntime over the agent's directories, bridge and pod CIDR.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../client/index.js';
import { resolveAgentOptions, type AgentOptions, type AgentOptionsInput } from './options.js';
import { removeUnreachableRoute } from './node/routes.js';
import { unmountUnder } from './volumes/mounts.js';
import {
  buildSetupImages, ensurePause, ensureShim, ImageStore, PAUSE_IMAGE, RuncRuntime, type RuncRuntimeOptions,
} from './runtime/index.js';

export async function openImageStore(imagesDir: string, logger: Logger): Promise<ImageStore> {
  const bin = join(dirname(imagesDir), 'bin');
  const helper = join(bin, 'kubeling-shim');
  await mkdir(imagesDir, { recursive: true });
  await ensureShim(helper);
  let store = await ImageStore.open({ root: imagesDir, helper });
  if (!(await store.has(PAUSE_IMAGE))) {
    logger.info('building setup images (pause, busybox)', { store: imagesDir });
    await buildSetupImages({ store: imagesDir, pause: await ensurePause(join(bin, 'pause')), shim: helper });
    store = await ImageStore.open({ root: imagesDir, helper });
  }
  return store;
}

export function runtimeOptions(o: AgentOptions, images: ImageStore): RuncRuntimeOptions {
  return {
    stateDir: join(o.dir, 'runtime'), runcRoot: o.runcRoot, images, cgroupParent: o.cgroupParent,
    network: { name: `kubeling-${o.bridge}`, bridge: o.bridge, subnet: o.podCidr, ipMasq: o.ipMasq },
  };
}

export async function createRuntime(o: AgentOptions, images: ImageStore): Promise<RuncRuntime> {
  return RuncRuntime.create(runtimeOptions(o, images));
}

/**
 * Removes everything an agent with these options left on the machine: containers,
 * sandboxes, runc state, bridge, IPAM, cgroups, volume mounts, its directory and route.
 * The image store is kept. Run it with the agent stopped.
 */
export async function purgeNode(input: AgentOptionsInput): Promise<void> {
  const o = resolveAgentOptions(input);
  const images = await openImageStore(o.imagesDir, o.logger);
  await (await createRuntime(o, images)).purge();
  await unmountUnder(o.dir);
  await rm(o.dir, { recursive: true, force: true });
  if (o.manageRoute) await removeUnreachableRoute(o.clusterCidr);
}
