/**
 * A pod's volumes on this node, under `<root>/<podUID>/volumes/kubernetes.io~<plugin>/<name>`
 * as upstream lays them out: emptyDir (a dir, or tmpfs for medium Memory), hostPath,
 * configMap/secret/downwardAPI/projected (atomically written; secrets on tmpfs), and
 * persistentVolumeClaim bound to a hostPath/local PV. `mount` is idempotent and is called
 * on every sync, so changed ConfigMaps/Secrets/labels reach the files.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../client/index.js';
import { bytes } from '../containers/resources.js';
import type { PodRuntimeFacts } from '../containers/downward.js';
import type { ObjectSource } from '../containers/objects.js';
import { payloadHash, writeAtomic } from './atomic-writer.js';
import { checkHostPath } from './host-path.js';
import { isMounted, mountTmpfs, processMounter, unmountUnder, type Mounter } from './mounts.js';
import { MountError, volumePayload } from './payload.js';
import { forgetTokens, prefetchTokens } from './sa-token.js';

const PLUGIN: Record<string, string> = {
  emptyDir: 'empty-dir', configMap: 'configmap', secret: 'secret', downwardAPI: 'downward-api', projected: 'projected',
};

function pluginOf(v: Volume): string | undefined {
  return Object.keys(PLUGIN).find(k => (v as unknown as Record<string, unknown>)[k] !== undefined);
}

export class VolumeManager {
  readonly root: string;
  readonly #objects: ObjectSource;
  readonly #client: Client;
  readonly #written = new Map<string, string>();
  /** Volume dirs made (and their tmpfs mounted, or found mounted): later syncs only refresh files. */
  readonly #setUp = new Set<string>();
  /** tmpfs dirs mounted, by pod, for pods whose directory this agent made (none can predate it). */
  readonly #tmpfs = new Map<string, string[]>();
  readonly #mounter: Mounter;

  /** `mounter`: how tmpfs volumes are mounted (default mount(8); the agent passes the runtime's spawner helper). */
  constructor(o: { root: string; objects: ObjectSource; client: Client; mounter?: Mounter }) {
    this.root = o.root;
    this.#objects = o.objects;
    this.#client = o.client;
    this.#mounter = o.mounter ?? processMounter;
  }

  podDir(uid: string): string { return join(this.root, uid); }

  /** Starts fetching the pod's service-account tokens (mount waits for the same requests). */
  prefetch(pod: Pod): void { prefetchTokens(this.#client, pod); }

  /** Sets up (or refreshes) every volume; returns name → host path. Throws MountError naming the volume. */
  async mount(pod: Pod, facts: PodRuntimeFacts): Promise<Map<string, string>> {
    const uid = pod.metadata!.uid!;
    const paths = new Map<string, string>();
    prefetchTokens(this.#client, pod);
    for (const v of pod.spec?.volumes ?? []) {
      try {
        paths.set(v.name, await this.#mountOne(pod, uid, v, facts));
      } catch (e) {
        throw new MountError(`MountVolume.SetUp failed for volume "${v.name}" : ${(e as Error).message}`);
      }
    }
    return paths;
  }

  async #mountOne(pod: Pod, uid: string, v: Volume, facts: PodRuntimeFacts): Promise<string> {
    if (v.hostPath) {
      await checkHostPath(v.hostPath.path, v.hostPath.type);
      return v.hostPath.path;
    }
    if (v.persistentVolumeClaim) return this.#claimPath(pod, v.persistentVolumeClaim.claimName);
    const plugin = pluginOf(v);
    if (!plugin) throw new MountError(`volume type of "${v.name}" is not supported on this node`);
    const dir = join(this.podDir(uid), 'volumes', `kubernetes.io~${PLUGIN[plugin]}`, v.name);
    if (!this.#setUp.has(dir)) {
      if (v.emptyDir?.medium && v.emptyDir.medium !== 'Memory') throw new MountError(`emptyDir medium ${v.emptyDir.medium} is not supported`);
      // A dir made just now holds no mount; one already there may (an agent restart).
      const made = await mkdir(dir, { recursive: true, mode: 0o750 });
      const podDir = this.podDir(uid);
      if (made !== undefined && (made === podDir || podDir.startsWith(made + '/'))) this.#tmpfs.set(uid, []);
      const tmpfs = async (sizeBytes?: number, mode?: string) => {
        if (made === undefined && await isMounted(dir)) return;
        await mountTmpfs(dir, sizeBytes, mode, this.#mounter);
        this.#tmpfs.get(uid)?.push(dir);
      };
      if (v.emptyDir?.medium === 'Memory') await tmpfs(bytes(v.emptyDir.sizeLimit) ?? podMemoryLimit(pod));
      // Secrets (and projections, which may hold tokens) never touch the disk.
      if (v.secret || v.projected) await tmpfs(undefined, '0755');
      this.#setUp.add(dir);
    }
    if (v.emptyDir) return dir;
    const payload = (await volumePayload(v, { pod, objects: this.#objects, client: this.#client, facts }))!;
    const hash = payloadHash(payload);
    if (this.#written.get(dir) !== hash) {
      await writeAtomic(dir, payload, pod.spec?.securityContext?.fsGroup, !!(v.secret || v.projected));
      this.#written.set(dir, hash);
    }
    return dir;
  }

  async #claimPath(pod: Pod, claim: string): Promise<string> {
    const pvc = await this.#client.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, claim, { namespace: pod.metadata!.namespace }) as PersistentVolumeClaim;
    const pvName = pvc.spec?.volumeName;
    if (!pvName || pvc.status?.phase !== 'Bound') throw new MountError(`persistentvolumeclaim "${claim}" is not bound`);
    const pv = await this.#client.get({ apiVersion: 'v1', kind: 'PersistentVolume' }, pvName) as PersistentVolume;
    const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
    if (!path) throw new MountError(`persistentvolume "${pvName}" is neither hostPath nor local`);
    await checkHostPath(path, pv.spec?.hostPath ? (pv.spec.hostPath.type ?? 'DirectoryOrCreate') : 'Directory');
    return path;
  }

  /** Unmounts and removes everything of a pod (hostPath and PV data are left alone). */
  async teardown(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    const own = this.#tmpfs.get(uid);
    // Only what this agent mounted when it made the pod's dir; otherwise the mount table says.
    if (own) for (const p of own) await this.#mounter.unmount(p, false).catch(() => this.#mounter.unmount(p, true));
    else await unmountUnder(dir, this.#mounter);
    this.#tmpfs.delete(uid);
    await rm(dir, { recursive: true, force: true });
    for (const k of this.#written.keys()) if (k.startsWith(dir + '/')) this.#written.delete(k);
    for (const k of this.#setUp) if (k.startsWith(dir + '/')) this.#setUp.delete(k);
    forgetTokens(uid);
  }

  /** Pod UIDs that have a directory here. */
  async podUids(): Promise<string[]> {
    return readdir(this.root).catch(() => []);
  }
}

/** The sum of the containers' memory limits when every one has one (tmpfs default size). */
function podMemoryLimit(pod: Pod): number | undefined {
  let sum = 0;
  for (const c of pod.spec?.containers ?? []) {
    const b = bytes(c.resources?.limits?.memory);
    if (!b) return undefined;
    sum += b;
  }
  return sum || undefined;
}
