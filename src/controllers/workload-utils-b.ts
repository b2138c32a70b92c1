/**
 * What the StatefulSet, DaemonSet and Job controllers share (upstream's
 * pkg/controller/controller_utils.go and pkg/api/v1/pod in miniature): pod state,
 * controller references, pods from templates, creation/deletion expectations,
 * adoption and release of pods, ControllerRevision hashing and history, and running
 * a Controller as a Component.
 */
import type { PodCondition, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../api/errors.js';
import type { KubeObject, OwnerReference } from '../api/object.js';
import type { LabelMatcher } from '../api/selectors/index.js';
import {
  deletedObject, keyOf, realClock, type Client, type Clock, type Controller, type EventHandler, type Informer,
} from '../client/index.js';
import type { Component } from '../cli/components.js';

/** Objects as they come from informers: plain JSON (spec and status are structural). */
export type Obj = KubeObject;

export const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
export const NODE = { apiVersion: 'v1', kind: 'Node' } as const;
export const PVC = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' } as const;
export const REVISION = { apiVersion: 'apps/v1', kind: 'ControllerRevision' } as const;

/** Index names on shared informers (suffixed so they never clash with other rooms'). */
export const BY_CONTROLLER = 'b/controller-uid';
export const POD_BY_NODE = 'b/node-name';

// ---- pod state ---------------------------------------------------------------------

export const isPodTerminal = (p: Obj): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
export const isTerminating = (p: Obj): boolean => !!p.metadata?.deletionTimestamp;
/** Counts toward a controller's replicas: not finished and not being deleted (FilterActivePods). */
export const isPodActive = (p: Obj): boolean => !isPodTerminal(p) && !isTerminating(p);

export function podCondition(p: Obj, type: string): PodCondition | undefined {
  return (p.status?.conditions as PodCondition[] | undefined)?.find(c => c.type === type);
}

export const isPodReady = (p: Obj): boolean => podCondition(p, 'Ready')?.status === 'True';

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(p: Obj, minReadySeconds: number, now: number): boolean {
  const c = podCondition(p, 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const t = Date.parse(c.lastTransitionTime ?? '');
  return !Number.isNaN(t) && t + minReadySeconds * 1000 < now;
}

export const creationTime = (o: Obj): number => Date.parse(o.metadata?.creationTimestamp ?? '') || 0;

export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

// ---- owners --------------------------------------------------------------------------

export function controllerRefOf(o: Obj): OwnerReference | undefined {
  return o.metadata?.ownerReferences?.find(r => r.controller);
}

export function newControllerRef(owner: Obj, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

/** A pod from a template (GetPodFromTemplate): labels, annotations, finalizers and spec copied. */
export function podFromTemplate(template: Obj, ownerName: string, ref: OwnerReference): Obj {
  const t = structuredClone(template) as { metadata?: Obj['metadata']; spec?: unknown };
  const meta = t.metadata ?? {};
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${ownerName}-`,
      labels: { ...(meta.labels ?? {}) },
      annotations: { ...(meta.annotations ?? {}) },
      ...(meta.finalizers?.length ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ref],
    },
    spec: t.spec ?? {},
  };
}

// ---- taints ----------------------------------------------------------------------------

/** v1helper.TolerationsTolerateTaint for one toleration. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export const toleratesAll = (tols: Toleration[], taint: Taint): boolean => tols.some(t => tolerates(t, taint));

// ---- expectations ------------------------------------------------------------------------

/**
 * ControllerExpectations: after creating or deleting pods, a controller waits until its
 * informer has seen them before acting again, so a lagging cache never doubles a create.
 * Records expire after five minutes, as upstream, in case a watch event was missed.
 */
export class Expectations {
  readonly #m = new Map<string, { add: number; del: number; at: number }>();
  constructor(readonly clock: Clock = realClock, readonly ttlMs = 5 * 60_000) {}

  satisfied(key: string): boolean {
    const e = this.#m.get(key);
    if (!e || (e.add <= 0 && e.del <= 0)) return true;
    return this.clock.now() - e.at > this.ttlMs;
  }

  expect(key: string, add: number, del: number): void { this.#m.set(key, { add, del, at: this.clock.now() }); }
  creationObserved(key: string): void { const e = this.#m.get(key); if (e) e.add--; }
  deletionObserved(key: string): void { const e = this.#m.get(key); if (e) e.del--; }
  forget(key: string): void { this.#m.delete(key); }
}

// ---- pod events → owner keys ----------------------------------------------------------------

export interface PodOwnerRouting {
  /** The owner kind whose controller references count (e.g. "DaemonSet"). */
  kind: string;
  owners: Informer;
  enqueue(key: string): void;
  expectations?: Expectations;
  /** Owners that could adopt an orphan (selector matches). */
  orphanOwners(pod: Obj): Obj[];
}

/** The owner a controller reference points at, if it is in the cache with that uid. */
export function resolveOwner(r: PodOwnerRouting, pod: Obj, ref = controllerRefOf(pod)): Obj | undefined {
  if (!ref || ref.kind !== r.kind) return undefined;
  const o = r.owners.getByName(ref.name, pod.metadata?.namespace);
  return o?.metadata?.uid === ref.uid ? o : undefined;
}

/** The ReplicaSet controller's addPod/updatePod/deletePod routing, reused by every workload. */
export function podOwnerHandler(r: PodOwnerRouting): EventHandler {
  const deleted = (pod: Obj) => {
    const o = resolveOwner(r, pod);
    if (!o) return;
    r.expectations?.deletionObserved(keyOf(o));
    r.enqueue(keyOf(o));
  };
  const orphan = (pod: Obj) => { for (const o of r.orphanOwners(pod)) r.enqueue(keyOf(o)); };
  return {
    onAdd(pod) {
      if (pod.metadata?.deletionTimestamp) { deleted(pod); return; }
      const o = resolveOwner(r, pod);
      if (o) { r.expectations?.creationObserved(keyOf(o)); r.enqueue(keyOf(o)); } else if (!controllerRefOf(pod)) orphan(pod);
    },
    onUpdate(old, cur) {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion && old !== cur) return;
      const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
      if (cur.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) {
        deleted(cur);
        if (labelsChanged) deleted(old);
        return;
      }
      const oldRef = controllerRefOf(old), curRef = controllerRefOf(cur);
      if (oldRef && oldRef.uid !== curRef?.uid) { const o = resolveOwner(r, old, oldRef); if (o) r.enqueue(keyOf(o)); }
      const o = resolveOwner(r, cur, curRef);
      if (o) r.enqueue(keyOf(o));
      else if (!curRef && (labelsChanged || oldRef)) orphan(cur);
    },
    onDelete(x) { deleted(deletedObject(x)); },
  };
}

// ---- adoption ------------------------------------------------------------------------------

export interface ClaimOptions {
  client: Client;
  owner: Obj;
  ownerRef: OwnerReference;
  selector: LabelMatcher;
  /** Extra condition an orphan must meet to be adopted (StatefulSet: its name). */
  filter?: (pod: Obj) => boolean;
  /** Finalizer added on adoption (Job: batch.kubernetes.io/job-tracking). */
  finalizer?: string;
}

/**
 * ControllerRefManager.ClaimPods: returns the pods this owner controls after adopting
 * matching orphans and releasing owned pods that stopped matching. `pods` are one
 * namespace's pods from the cache; they are never mutated.
 */
export async function claimPods(o: ClaimOptions, pods: Obj[]): Promise<Obj[]> {
  const uid = o.owner.metadata!.uid!;
  const deleting = !!o.owner.metadata?.deletionTimestamp;
  const out: Obj[] = [];
  let fresh: boolean | undefined;
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    const matches = o.selector.matches(pod.metadata?.labels) && (o.filter?.(pod) ?? true);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches || deleting) { out.push(pod); continue; }
      await patchIgnoringNotFound(o.client, pod, { metadata: { ownerReferences: [{ $patch: 'delete', uid }] } });
      continue;
    }
    if (deleting || !matches || isTerminating(pod)) continue;
    // Recheck with a quorum read that the owner still exists and is not being deleted (#42639).
    fresh ??= await ownerStillLive(o);
    if (!fresh) continue;
    const meta: Record<string, unknown> = { ownerReferences: [o.ownerRef] };
    if (o.finalizer && !pod.metadata?.finalizers?.includes(o.finalizer)) meta.finalizers = [o.finalizer];
    const adopted = await patchIgnoringNotFound(o.client, pod, { metadata: meta });
    if (adopted) out.push(adopted);
  }
  return out;
}

async function ownerStillLive(o: ClaimOptions): Promise<boolean> {
  try {
    const cur = await o.client.get<Obj>(o.ownerRef, o.owner.metadata!.name!, { namespace: o.owner.metadata!.namespace });
    return cur.metadata?.uid === o.owner.metadata!.uid && !cur.metadata?.deletionTimestamp;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
}

async function patchIgnoringNotFound(client: Client, pod: Obj, patch: unknown): Promise<Obj | undefined> {
  try {
    return await client.patch<Obj>(POD, pod.metadata!.name!, patch, { namespace: pod.metadata!.namespace, type: 'strategic' });
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

/** Deletes, treating NotFound as done. */
export async function deleteIgnoringNotFound(client: Client, ref: { apiVersion: string; kind: string }, o: Obj,
  opts: { gracePeriodSeconds?: number; propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' } = {}): Promise<boolean> {
  try {
    await client.delete(ref, o.metadata!.name!, {
      namespace: o.metadata!.namespace, ...opts, preconditions: o.metadata?.uid ? { uid: o.metadata.uid } : undefined,
    });
    return true;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
}

// ---- revisions ------------------------------------------------------------------------------

/** JSON with sorted keys, so equal objects hash and compare equal whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter(k => o[k] !== undefined).map(k => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** controller.ComputeHash: FNV-32a of the value (plus collision count), as rand.SafeEncodeString. */
export function computeHash(v: unknown, collisionCount = 0): string {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(canonicalJson(v) + (collisionCount ? String(collisionCount) : ''));
  for (const b of bytes) { h ^= b; h = Math.imul(h, 0x01000193) >>> 0; }
  return [...String(h)].map(c => SAFE[c.charCodeAt(0) % SAFE.length]).join('');
}

/** The revision patch upstream stores: the template, marked to replace the owner's wholesale. */
export const templatePatch = (owner: Obj): Obj => ({ spec: { template: { ...structuredClone(owner.spec?.template ?? {}), $patch: 'replace' } } });

/** The template a revision's patch carries. */
export function templateOf(rev: Obj): Obj {
  const { $patch: _p, ...t } = ((rev.data as Obj | undefined)?.spec?.template ?? {}) as Record<string, unknown>;
  return t as Obj;
}

/** SortControllerRevisions: by revision number, then creation time, then name. */
export function sortRevisions(revs: Obj[]): Obj[] {
  return [...revs].sort((a, b) => Number(a.revision ?? 0) - Number(b.revision ?? 0) ||
    creationTime(a) - creationTime(b) || (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}

export const nextRevision = (sorted: Obj[]): number => (sorted.length ? Number(sorted[sorted.length - 1].revision ?? 0) + 1 : 1);

/**
 * history.CreateControllerRevision: names the revision `<owner>-<hash>`; on a name clash
 * with different data, bumps the collision count and tries the next name.
 */
export async function createRevision(client: Client, owner: Obj, rev: Obj, collision: { count: number }): Promise<Obj> {
  for (;;) {
    const hash = computeHash(rev.data, collision.count);
    const body: Obj = structuredClone(rev);
    body.metadata!.name = `${owner.metadata!.name}-${hash}`;
    body.metadata!.labels = { ...(body.metadata!.labels ?? {}), 'controller.kubernetes.io/hash': hash };
    try {
      return await client.create<Obj>(REVISION, body, { namespace: owner.metadata!.namespace });
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      const cur = await client.get<Obj>(REVISION, body.metadata!.name!, { namespace: owner.metadata!.namespace });
      if (canonicalJson(cur.data) === canonicalJson(rev.data)) return cur;
      collision.count++;
    }
  }
}

/** Deletes the oldest revisions that nothing uses, keeping `limit` of them. */
export async function truncateHistory(client: Client, sorted: Obj[], live: Set<string>, limit: number): Promise<void> {
  const old = sorted.filter(r => !live.has(r.metadata!.name!));
  if (limit < 0 || old.length <= limit) return;
  for (const r of old.slice(0, old.length - limit)) await deleteIgnoringNotFound(client, REVISION, r);
}

/**
 * Writes `status` through the status subresource on a copy of `obj`; on a conflict
 * (the cached copy was stale) re-reads once and writes again. Returns the stored object.
 */
export async function writeStatus(client: Client, ref: { apiVersion: string; kind: string }, obj: Obj, status: unknown): Promise<Obj> {
  const next = { ...structuredClone(obj), status };
  try {
    return await client.updateStatus<Obj>(ref, next);
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    const fresh = await client.get<Obj>(ref, obj.metadata!.name!, { namespace: obj.metadata!.namespace });
    if (fresh.metadata?.uid !== obj.metadata?.uid) throw e;
    return client.updateStatus<Obj>(ref, { ...fresh, status });
  }
}

// ---- running ---------------------------------------------------------------------------------

/** Runs a Controller until stopped; `cleanup` releases timers and handlers. */
export function runController(c: Controller, cleanup: () => void = () => {}): Component {
  const ac = new AbortController();
  const done = c.run(ac.signal);
  return {
    name: c.name,
    async stop() {
      cleanup();
      ac.abort();
      await c.stop();
      await done;
    },
  };
}

/** Runs tasks with at most `limit` in flight; returns the errors (slowStartBatch's job, simply). */
export async function inBatches<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (let i = 0, batch = 1; i < items.length; i += batch, batch = Math.min(batch * 2, limit)) {
    const slice = items.slice(i, i + batch);
    const rs = await Promise.allSettled(slice.map(fn));
    for (const r of rs) if (r.status === 'rejected') errors.push(r.reason);
    // Slow start: a batch that failed stops the rest (they would most likely fail alike).
    if (errors.length) break;
  }
  return errors;
}
