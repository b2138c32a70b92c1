/**
 * Dispatches this node's pods to their workers (one per pod UID), wakes pods whose
 * ConfigMaps or Secrets changed, and cleans up what belongs to no pod: on start (after
 * the pod cache synced, so an agent restart adopts instead of killing) and periodically.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { deletedObject, type Informer } from '../../client/index.js';
import { POD_UID } from '../labels.js';
import type { PodContext } from './context.js';
import { PodWorker } from './pod-worker.js';

const HOUSEKEEPING_MS = 60_000;

export class PodManager {
  readonly #cx: PodContext;
  readonly #pods: Informer<Pod & KubeObject>;
  readonly #workers = new Map<string, PodWorker>();
  readonly #unsubscribe: Array<() => void> = [];
  #timer?: NodeJS.Timeout;
  #stopped = false;

  constructor(cx: PodContext, pods: Informer<Pod & KubeObject>) {
    this.#cx = cx;
    this.#pods = pods;
  }

  worker(uid: string): PodWorker | undefined { return this.#workers.get(uid); }
  get workers(): ReadonlyMap<string, PodWorker> { return this.#workers; }

  /** Registers handlers; returns once the pod cache synced and orphans were cleaned. */
  async start(watch: { configMaps: Informer<KubeObject>; secrets: Informer<KubeObject> }): Promise<void> {
    const synced = await this.#pods.waitForSync();
    if (!synced || this.#stopped) return;
    await this.cleanupOrphans();
    this.#unsubscribe.push(this.#pods.addEventHandler({
      onAdd: pod => this.#upsert(pod),
      onUpdate: (_old, pod) => this.#upsert(pod),
      onDelete: obj => this.#workers.get(deletedObject(obj).metadata!.uid!)?.update(undefined),
    }));
    const wake = (kind: 'configMap' | 'secret') => (obj: KubeObject) => {
      const m = obj.metadata!;
      for (const w of this.#workers.values()) if (w.pod.metadata?.namespace === m.namespace && references(w.pod, kind, m.name!)) w.trigger();
    };
    for (const [inf, kind] of [[watch.configMaps, 'configMap'], [watch.secrets, 'secret']] as const) {
      this.#unsubscribe.push(inf.addEventHandler({ onAdd: (o, initial) => { if (!initial) wake(kind)(o); }, onUpdate: (_o, n) => wake(kind)(n), onDelete: o => wake(kind)(deletedObject(o)) }));
    }
    const tick = () => {
      if (this.#stopped) return;
      void this.cleanupOrphans().catch(e => this.#cx.logger.warn('node housekeeping failed', { error: (e as Error).message }))
        .finally(() => { if (!this.#stopped) this.#timer = setTimeout(tick, HOUSEKEEPING_MS); });
    };
    this.#timer = setTimeout(tick, HOUSEKEEPING_MS);
  }

  #upsert(pod: Pod): void {
    if (this.#stopped) return;
    const uid = pod.metadata!.uid!;
    const w = this.#workers.get(uid);
    if (w) { w.update(pod); return; }
    const nw = new PodWorker(pod, this.#cx, u => { if (this.#workers.get(u) === nw) this.#workers.delete(u); });
    this.#workers.set(uid, nw);
    nw.trigger();
  }

  /** Removes sandboxes, volumes and logs of pods this node no longer has. */
  async cleanupOrphans(): Promise<void> {
    const known = new Set([...this.#workers.keys(), ...this.#pods.list().map(p => p.metadata!.uid!)]);
    const rt = this.#cx.runtime;
    const [sandboxes, containers] = await Promise.all([rt.listSandboxes(), rt.listContainers()]);
    const orphanSandboxes = sandboxes.filter(s => !known.has(s.labels[POD_UID] ?? s.uid));
    if (orphanSandboxes.length) this.#cx.logger.info('removing sandboxes of deleted pods', { count: orphanSandboxes.length });
    await Promise.all(orphanSandboxes.map(s => rt.removeSandbox(s.id)));
    const live = new Set(sandboxes.map(s => s.id));
    await Promise.all(containers.filter(c => !live.has(c.sandboxId) || !known.has(c.labels[POD_UID] ?? '')).map(c => rt.removeContainer(c.id)));
    for (const uid of await this.#cx.volumes.podUids()) if (!known.has(uid)) await this.#cx.volumes.teardown(uid);
    for (const dir of await readdir(this.#cx.logsDir).catch(() => [])) {
      const uid = dir.slice(dir.lastIndexOf('_') + 1);
      if (!known.has(uid)) await rm(join(this.#cx.logsDir, dir), { recursive: true, force: true });
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const u of this.#unsubscribe.splice(0)) u();
    for (const w of this.#workers.values()) w.stop();
  }
}

function references(pod: Pod, kind: 'configMap' | 'secret', name: string): boolean {
  const s = pod.spec;
  for (const v of s?.volumes ?? []) {
    if (kind === 'configMap' && v.configMap?.name === name) return true;
    if (kind === 'secret' && v.secret?.secretName === name) return true;
    for (const p of v.projected?.sources ?? []) if ((kind === 'configMap' ? p.configMap?.name : p.secret?.name) === name) return true;
  }
  for (const c of [...(s?.initContainers ?? []), ...(s?.containers ?? [])]) {
    for (const f of c.envFrom ?? []) if ((kind === 'configMap' ? f.configMapRef?.name : f.secretRef?.name) === name) return true;
    for (const e of c.env ?? []) if ((kind === 'configMap' ? e.valueFrom?.configMapKeyRef?.name : e.valueFrom?.secretKeyRef?.name) === name) return true;
  }
  return false;
}
