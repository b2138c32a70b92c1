/**
 * The local-path provisioner (after k3s's rancher.io/local-path): an external provisioner
 * for claims the PV controller handed to it. A claim gets a hostPath PersistentVolume
 * `pvc-<claim uid>` at `<data dir>/storage/pvc-<uid>_<namespace>_<claim>` on the node the
 * scheduler selected (node affinity pins it there), pre-bound to the claim; the PV
 * controller completes the binding and the node agent creates the directory when it
 * mounts the volume. A Released volume of ours with reclaim policy Delete has its
 * directory removed (directly on this machine, by a helper pod on another node), then
 * the PersistentVolume is deleted.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AlreadyExistsError, NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { findResource } from '../api/resources.js';
import {
  ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, ANN_BETA_STORAGE_PROVISIONER, claimClass,
} from '../api/storage/volume-match.js';
import { EventRecorder, defaultLogger, type Client, type Informer, type Logger } from '../client/index.js';
import { ControllerLoop } from './controller-utils-loop.js';
import type { ControllerContext, RunningController } from './controller-utils.js';

export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const LOCAL_PATH_COMPONENT = 'local-path-provisioner';
const ANN_NODE = 'local.path.provisioner/selected-node';
const HOSTNAME_LABEL = 'kubernetes.io/hostname';
const SUPPORTED_MODES = ['ReadWriteOnce', 'ReadWriteOncePod'];
const PVS = findResource('', 'v1', 'persistentvolumes')!;
const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;
const CLASSES = findResource('storage.k8s.io', 'v1', 'storageclasses')!;
const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;

type Obj = KubeObject;

export interface LocalPathOptions {
  /** Directories are made under this (default `<dataDir>/storage`). */
  basePath: string;
  /** This machine's node: its volumes are created and removed directly. */
  nodeName?: string;
  /** Image of the helper pod that removes a directory on another node. */
  helperImage?: string;
  /** How long a helper pod may take (default 120 s). */
  helperTimeoutMs?: number;
}

export class LocalPathProvisioner implements RunningController {
  readonly name = LOCAL_PATH_COMPONENT;
  readonly claims: Informer<Obj>;
  readonly volumes: Informer<Obj>;
  readonly classes: Informer<Obj>;
  readonly nodes: Informer<Obj>;
  readonly #o: LocalPathOptions;
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #loop: ControllerLoop;
  readonly #log: Logger;

  constructor(ctx: ControllerContext, o: LocalPathOptions) {
    this.#o = o;
    this.#client = ctx.client.withComponent(LOCAL_PATH_COMPONENT);
    this.#log = ctx.logger ?? defaultLogger;
    this.#recorder = new EventRecorder({ client: this.#client, component: `${LOCAL_PATH_PROVISIONER}_${o.nodeName ?? 'server'}`, clock: ctx.clock, logger: this.#log });
    this.claims = ctx.informers.informerFor(PVCS);
    this.volumes = ctx.informers.informerFor(PVS);
    this.classes = ctx.informers.informerFor(CLASSES);
    this.nodes = ctx.informers.informerFor(NODES);
    this.#loop = new ControllerLoop({
      name: LOCAL_PATH_COMPONENT, sync: key => this.sync(key), workers: 2,
      informers: [this.claims, this.volumes, this.classes, this.nodes], logger: this.#log,
    });
    const claim = (c: Obj) => { if (this.#isOurs(c)) this.#loop.enqueue(`claim:${c.metadata!.namespace}/${c.metadata!.name}`); };
    const volume = (v: Obj) => {
      if (v.metadata?.annotations?.[ANN_PROVISIONED_BY] === LOCAL_PATH_PROVISIONER) this.#loop.enqueue(`volume:${v.metadata!.name}`);
    };
    this.#loop.on(this.claims, { onAdd: claim, onUpdate: (_o, c) => claim(c) });
    this.#loop.on(this.volumes, { onAdd: volume, onUpdate: (_o, v) => volume(v) });
  }

  start(): this { this.#loop.start(); return this; }

  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.#recorder.close();
    this.#client.close();
  }

  #isOurs(c: Obj): boolean {
    const a = c.metadata?.annotations ?? {};
    return (a[ANN_STORAGE_PROVISIONER] ?? a[ANN_BETA_STORAGE_PROVISIONER]) === LOCAL_PATH_PROVISIONER;
  }

  async sync(key: string): Promise<void> {
    const i = key.indexOf(':');
    const kind = key.slice(0, i), name = key.slice(i + 1);
    if (kind === 'claim') {
      const c = this.claims.get(name);
      if (c) await this.provision(c);
    } else {
      const v = this.volumes.get(name);
      if (v) await this.reclaim(v);
    }
  }

  /** Where a claim's directory lives. */
  pathFor(pvName: string, claim: Obj): string {
    return join(this.#o.basePath, `${pvName}_${claim.metadata!.namespace}_${claim.metadata!.name}`);
  }

  async provision(claim: Obj): Promise<void> {
    if (claim.spec?.volumeName || claim.metadata?.deletionTimestamp || !this.#isOurs(claim)) return;
    const pvName = `pvc-${claim.metadata!.uid}`;
    if (this.volumes.get(pvName)) return; // made already; the PV controller binds it
    const sc = this.classes.get(claimClass(claim));
    if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return;
    const ref = `${claim.metadata!.namespace}/${claim.metadata!.name}`;
    const fail = (msg: string) => this.#recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata!.name}": ${msg}`);
    const nodeName = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
    if (!nodeName) return fail('configuration error, no node was specified');
    const node = this.nodes.get(nodeName);
    if (!node) return fail(`node "${nodeName}" not found`);
    const modes: string[] = claim.spec?.accessModes ?? [];
    const bad = modes.find(m => !SUPPORTED_MODES.includes(m));
    if (bad) return fail(`NodePath only supports ReadWriteOnce and ReadWriteOncePod access modes, not ${bad}`);
    if ((claim.spec?.volumeMode ?? 'Filesystem') !== 'Filesystem') return fail('only the Filesystem volume mode is supported');
    this.#recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${ref}"`);
    const path = this.pathFor(pvName, claim);
    // On this machine, make it now (world-writable, as k3s's helper does, so non-root containers can write).
    if (nodeName === this.#o.nodeName) {
      await mkdir(path, { recursive: true });
      await chmod(path, 0o777);
    }
    const pv: Obj = {
      apiVersion: 'v1', kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER, [ANN_NODE]: nodeName } },
      spec: {
        capacity: { storage: claim.spec?.resources?.requests?.storage },
        accessModes: modes,
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata!.name,
        volumeMode: 'Filesystem',
        claimRef: {
          apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata!.namespace, name: claim.metadata!.name,
          uid: claim.metadata!.uid, resourceVersion: claim.metadata!.resourceVersion,
        },
        hostPath: { path, type: 'DirectoryOrCreate' },
        nodeAffinity: {
          required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [node.metadata?.labels?.[HOSTNAME_LABEL] ?? nodeName] }] }] },
        },
      },
    };
    try {
      await this.#client.create(PVS, pv);
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
    this.#recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  /** A Released volume of ours with reclaim policy Delete: remove its directory, then the PersistentVolume. */
  async reclaim(pv: Obj): Promise<void> {
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata?.deletionTimestamp) return;
    const path: string | undefined = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
    // Only ever remove what we made: a directory of ours, directly under the base path.
    if (!path || dirname(path) !== this.#o.basePath || !basename(path).startsWith(`${pv.metadata!.name}_`)) {
      this.#recorder.event(pv, 'Warning', 'VolumeFailedDelete', `refusing to delete ${path ?? '(no path)'}: not a directory this provisioner created`);
      return;
    }
    const nodeName = pv.metadata?.annotations?.[ANN_NODE];
    try {
      if (!nodeName || nodeName === this.#o.nodeName) await rm(path, { recursive: true, force: true });
      else await this.#removeOnNode(pv, nodeName, path);
    } catch (e) {
      this.#recorder.event(pv, 'Warning', 'VolumeFailedDelete', String((e as Error).message ?? e));
      throw e;
    }
    try { await this.#client.delete(PVS, pv.metadata!.name!, { preconditions: { uid: pv.metadata!.uid } }); } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    this.#log.info('deleted local-path volume', { volume: pv.metadata!.name, path, node: nodeName });
  }

  /** Another machine's directory: a helper pod pinned to that node removes it (k3s does the same). */
  async #removeOnNode(pv: Obj, nodeName: string, path: string): Promise<void> {
    const name = `helper-pod-delete-${pv.metadata!.name}`.slice(0, 63);
    const ns = 'kube-system';
    const pod: Obj = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
      spec: {
        nodeName, restartPolicy: 'Never', priorityClassName: 'system-node-critical', tolerations: [{ operator: 'Exists' }],
        containers: [{
          name: 'helper-pod', image: this.#o.helperImage ?? 'busybox', command: ['rm', '-rf', `/data/${basename(path)}`],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        }],
        volumes: [{ name: 'data', hostPath: { path: dirname(path), type: 'DirectoryOrCreate' } }],
      },
    };
    try { await this.#client.create(PODS, pod); } catch (e) { if (!(e instanceof AlreadyExistsError)) throw e; }
    const end = Date.now() + (this.#o.helperTimeoutMs ?? 120_000);
    try {
      for (;;) {
        const p = await this.#client.get<Obj>(PODS, name, { namespace: ns });
        if (p.status?.phase === 'Succeeded') return;
        if (p.status?.phase === 'Failed') throw new Error(`helper pod ${ns}/${name} failed on node ${nodeName}`);
        if (Date.now() > end) throw new Error(`helper pod ${ns}/${name} did not finish on node ${nodeName}`);
        await new Promise(r => setTimeout(r, 500));
      }
    } finally {
      await this.#client.delete(PODS, name, { namespace: ns, gracePeriodSeconds: 0 }).catch(() => undefined);
    }
  }
}
