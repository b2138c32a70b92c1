/**
 * The garbage collector (upstream's garbagecollector package), keyed by object uid:
 * - background: an object whose owners are all gone is deleted;
 * - foreground: an owner marked for deletion with the `foregroundDeletion` finalizer has
 *   its dependents deleted, and loses the finalizer once no blockOwnerDeletion dependent
 *   is left (the API server then removes it);
 * - orphan: an owner with the `orphan` finalizer has its reference removed from every
 *   dependent, then loses the finalizer.
 * Each sync re-derives what to do from the caches (plus live reads of owners the cache
 * does not know), so repeating one is harmless.
 */
import type { KubeObject } from '../api/object.js';
import { defaultLogger, deletedObject, type DeletedFinalStateUnknown, type Logger } from '../client/index.js';
import { ControllerLoop } from './controller-utils-loop.js';
import type { ControllerContext, RunningController } from './controller-utils.js';
import { deleteNode, removeFinalizer, removeOwnerRefs } from './garbage-collector-actions.js';
import { FOREGROUND, ORPHAN, OwnerGraph, deletingDependents, hasFinalizer, type Node } from './garbage-collector-graph.js';

export const GC_COMPONENT = 'garbage-collector-controller';

export class GarbageCollector implements RunningController {
  readonly name = GC_COMPONENT;
  readonly graph: OwnerGraph;
  readonly #ctx: ControllerContext;
  readonly #log: Logger;
  readonly #loop: ControllerLoop;

  constructor(ctx: ControllerContext, opts: { workers?: number } = {}) {
    this.#ctx = ctx;
    this.#log = ctx.logger ?? defaultLogger;
    this.graph = new OwnerGraph(ctx.client, ctx.informers);
    this.#loop = new ControllerLoop({
      name: GC_COMPONENT, sync: uid => this.sync(uid), workers: opts.workers ?? 10,
      informers: this.graph.informers, logger: this.#log,
    });
    for (const inf of this.graph.informers) {
      this.#loop.on(inf, {
        onAdd: o => this.#changed(undefined, o),
        onUpdate: (old, cur) => this.#changed(old, cur),
        onDelete: o => this.#deleted(o),
      });
    }
  }

  start(): this { this.#loop.start(); return this; }

  stop(): Promise<void> { return this.#loop.stop(); }

  /** Queues what a change may have made actionable. */
  #changed(old: KubeObject | undefined, cur: KubeObject): void {
    const m = cur.metadata ?? {};
    if (!m.uid) return;
    if (m.deletionTimestamp && (hasFinalizer(cur, ORPHAN) || hasFinalizer(cur, FOREGROUND))) this.#loop.enqueue(m.uid);
    // A dependent whose owner is unknown to the cache or being deleted needs a look.
    for (const ref of m.ownerReferences ?? []) {
      const owner = this.graph.cachedOwner(ref);
      if (!owner || owner.metadata?.deletionTimestamp) { this.#loop.enqueue(m.uid); break; }
    }
    // A dropped reference may unblock an owner waiting for its dependents.
    const now = new Set((m.ownerReferences ?? []).map(r => r.uid));
    for (const ref of old?.metadata?.ownerReferences ?? []) if (!now.has(ref.uid)) this.#loop.enqueue(ref.uid);
  }

  #deleted(x: KubeObject | DeletedFinalStateUnknown<KubeObject>): void {
    const o = deletedObject(x);
    const uid = o.metadata?.uid;
    if (!uid) return;
    for (const d of this.graph.dependents(uid)) this.#loop.enqueue(d.obj.metadata!.uid!);
    for (const ref of o.metadata?.ownerReferences ?? []) {
      if (this.graph.cachedOwner(ref)?.metadata?.deletionTimestamp) this.#loop.enqueue(ref.uid);
    }
  }

  async sync(uid: string): Promise<void> {
    const n = this.graph.find(uid);
    if (!n) return;
    const m = n.obj.metadata!;
    if (m.deletionTimestamp) {
      if (hasFinalizer(n.obj, ORPHAN)) return this.#orphanDependents(n);
      if (hasFinalizer(n.obj, FOREGROUND)) return this.#deleteDependents(n);
      return; // being deleted some other way: not the collector's business
    }
    const refs = m.ownerReferences ?? [];
    if (refs.length === 0) return;
    const dangling = new Set<string>(), waiting = new Set<string>();
    let solid = 0;
    for (const ref of refs) {
      const st = await this.graph.owner(ref, n);
      if (st.kind === 'absent') dangling.add(ref.uid);
      else if (st.kind === 'present' && deletingDependents(st.obj)) waiting.add(ref.uid);
      else solid++;
    }
    if (solid > 0) {
      // Still owned: only forget the owners that are gone or waiting on us.
      if (dangling.size || waiting.size) await removeOwnerRefs(this.#ctx.client, n, new Set([...dangling, ...waiting]));
      return;
    }
    if (waiting.size && this.graph.dependents(uid).length) {
      // An owner waits in the foreground: take our own dependents down first, the same way.
      return deleteNode(this.#ctx.client, n, 'Foreground');
    }
    const policy = hasFinalizer(n.obj, ORPHAN) ? 'Orphan' : hasFinalizer(n.obj, FOREGROUND) ? 'Foreground' : 'Background';
    this.#log.info('deleting object whose owners are gone', { kind: n.ri.kind, namespace: m.namespace, name: m.name, policy });
    return deleteNode(this.#ctx.client, n, policy);
  }

  /** Orphan: drop our reference from each dependent, then our finalizer. */
  async #orphanDependents(owner: Node): Promise<void> {
    const uid = owner.obj.metadata!.uid!;
    const only = new Set([uid]);
    for (const d of this.graph.dependents(uid)) await removeOwnerRefs(this.#ctx.client, d, only);
    await removeFinalizer(this.#ctx.client, owner, ORPHAN);
  }

  /** Foreground: get every dependent deleted; finish once no blocking dependent is left. */
  async #deleteDependents(owner: Node): Promise<void> {
    const uid = owner.obj.metadata!.uid!;
    const deps = this.graph.dependents(uid);
    const blocking = deps.filter(d => d.obj.metadata?.ownerReferences?.some(r => r.uid === uid && r.blockOwnerDeletion));
    if (blocking.length === 0) {
      await removeFinalizer(this.#ctx.client, owner, FOREGROUND);
      return;
    }
    for (const d of deps) if (!d.obj.metadata?.deletionTimestamp || deletingDependents(d.obj)) this.#loop.enqueue(d.obj.metadata!.uid!);
  }
}

export type { Node as GraphNode };
