/**
 * DaemonSet revisions (constructHistory / cleanupHistory) and the RollingUpdate step
 * (upstream's update.go): without surge, delete old pods within maxUnavailable and let
 * the manage loop create new ones; with surge, start a new pod beside an old one and
 * delete the old pod once the new one is available.
 */
import type { Client, Informer } from '../client/index.js';
import { DS, HASH_LABEL, isPodUpdated, nodeShouldRunDaemonPod } from './daemonset-predicates.js';
import {
  BY_CONTROLLER, REVISION, canonicalJson, computeHash, deleteIgnoringNotFound, isPodAvailable, newControllerRef,
  sortRevisions, templatePatch, writeStatus, type Obj,
} from './workload-utils-b.js';

/** The revision matching the set's template (created if missing), and the older ones. */
export async function constructHistory(client: Client, revs: Informer, ds: Obj): Promise<{ cur: Obj; old: Obj[] }> {
  const all = sortRevisions(revs.byIndex(BY_CONTROLLER, ds.metadata!.uid!));
  const data = templatePatch(ds);
  const key = canonicalJson(data);
  const current = all.filter(r => canonicalJson(r.data) === key);
  const old = all.filter(r => canonicalJson(r.data) !== key);
  const next = Math.max(0, ...old.map(r => Number(r.revision ?? 0))) + 1;
  if (current.length) {
    let cur = current[current.length - 1];
    for (const dup of current.slice(0, -1)) await deleteIgnoringNotFound(client, REVISION, dup);
    if (Number(cur.revision ?? 0) < next) cur = await client.update<Obj>(REVISION, { ...structuredClone(cur), revision: next });
    return { cur, old };
  }
  const collisionCount = Number(ds.status?.collisionCount ?? 0);
  const hash = computeHash(ds.spec.template, collisionCount);
  const rev: Obj = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata!.name}-${hash}`, namespace: ds.metadata!.namespace,
      labels: { ...(ds.spec.template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
      annotations: { ...(ds.metadata?.annotations ?? {}) },
      ownerReferences: [newControllerRef(ds, DS.apiVersion, DS.kind)],
    },
    data, revision: next,
  };
  try {
    return { cur: await client.create<Obj>(REVISION, rev), old };
  } catch (e) {
    const existing = await client.get<Obj>(REVISION, rev.metadata!.name!, { namespace: ds.metadata!.namespace }).catch(() => undefined);
    if (existing && canonicalJson(existing.data) === key) return { cur: existing, old };
    if (existing) {
      // A different template hashed to this name: bump the collision count and retry.
      await writeStatus(client, DS, ds, { ...(ds.status ?? {}), collisionCount: collisionCount + 1 });
    }
    throw e;
  }
}

/** Keeps revisionHistoryLimit old revisions that no pod uses. */
export async function cleanupHistory(client: Client, ds: Obj, old: Obj[], pods: Obj[]): Promise<void> {
  const limit = Number(ds.spec?.revisionHistoryLimit ?? 10);
  const live = new Set(pods.map(p => p.metadata?.labels?.[HASH_LABEL]));
  const dead = old.filter(r => !live.has(r.metadata?.labels?.[HASH_LABEL]));
  for (const r of dead.slice(0, Math.max(0, dead.length - limit))) await deleteIgnoringNotFound(client, REVISION, r);
}

/** An int-or-percent of `total`, percentages rounded up (GetScaledValueFromIntOrPercent). */
function scaled(v: unknown, total: number, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v));
  return m ? Math.ceil((Number(m[1]) * total) / 100) : Number(v) || 0;
}

/** At most one new and one old live pod on the node; `ok` false when there are more. */
function updatedPodsOnNode(ds: Obj, pods: Obj[], hash: string): { newPod?: Obj; oldPod?: Obj; ok: boolean } {
  let newPod: Obj | undefined, oldPod: Obj | undefined;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(p, hash, ds)) { if (newPod) return { ok: false }; newPod = p; } else { if (oldPod) return { ok: false }; oldPod = p; }
  }
  return { newPod, oldPod, ok: true };
}

export interface UpdatePlan { deletePods: string[]; createOn: string[] }

export function rollingUpdate(ds: Obj, nodes: Obj[], nodeToPods: Map<string, Obj[]>, hash: string, now: number): UpdatePlan {
  const minReady = Number(ds.spec?.minReadySeconds ?? 0);
  const available = (p: Obj) => isPodAvailable(p, minReady, now);
  const byName = new Map(nodes.map(n => [n.metadata!.name!, n]));
  let desired = 0;
  for (const n of nodes) {
    if (!nodeShouldRunDaemonPod(n, ds).shouldRun) continue;
    desired++;
    if (!nodeToPods.has(n.metadata!.name!)) nodeToPods.set(n.metadata!.name!, []);
  }
  const ru = ds.spec?.updateStrategy?.rollingUpdate ?? {};
  let maxSurge = scaled(ru.maxSurge, desired, 0);
  let maxUnavailable = scaled(ru.maxUnavailable, desired, 1);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;

  if (maxSurge === 0) {
    let unavailable = 0;
    const replace: string[] = [], candidates: string[] = [];
    for (const pods of nodeToPods.values()) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(ds, pods, hash);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) { unavailable++; continue; }
      if (newPod) { if (!available(newPod)) unavailable++; continue; }
      if (!available(oldPod!)) replace.push(oldPod!.metadata!.name!);
      else if (unavailable < maxUnavailable) candidates.push(oldPod!.metadata!.name!);
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    return { deletePods: [...replace, ...candidates.slice(0, room)], createOn: [] };
  }

  const deletePods: string[] = [], shouldNotRun: string[] = [], candidates: string[] = [], allowed: string[] = [];
  let surge = 0, numAvailable = 0;
  for (const [nodeName, pods] of nodeToPods) {
    const { newPod, oldPod, ok } = updatedPodsOnNode(ds, pods, hash);
    if (!ok) { surge++; continue; }
    if (oldPod ? available(oldPod) : newPod && available(newPod)) numAvailable++;
    if (!oldPod) continue;
    const node = byName.get(nodeName);
    const shouldRun = !!node && nodeShouldRunDaemonPod(node, ds).shouldRun;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun) deletePods.push(oldPod.metadata!.name!); else allowed.push(nodeName);
      } else if (!shouldRun) shouldNotRun.push(oldPod.metadata!.name!);
      else if (surge < maxSurge) candidates.push(nodeName);
      continue;
    }
    if (!available(newPod)) { surge++; continue; }
    deletePods.push(oldPod.metadata!.name!); // the new pod is available: retire the old one
  }
  // With surge the owner expects full availability: retire pods on nodes that no longer
  // qualify only once as many pods are available elsewhere.
  const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRun.length);
  deletePods.push(...shouldNotRun.slice(0, deletable));
  const room = Math.min(Math.max(0, maxSurge - surge), candidates.length);
  return { deletePods, createOn: [...allowed, ...candidates.slice(0, room)] };
}
