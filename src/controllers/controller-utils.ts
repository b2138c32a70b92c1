/**
 * Helpers every workload controller shares (upstream's pkg/controller/controller_utils.go
 * and podutil): what a controller gets to run, pod readiness and availability, controller
 * references, and the small integer/time helpers the sync functions use.
 */
import type { KubeObject, OwnerReference } from '../api/object.js';
import { apiVersionOf, type ResourceInfo } from '../api/resources.js';
import { ForbiddenError } from '../api/errors.js';
import type { Client, Clock, Logger, SharedInformerFactory } from '../client/index.js';

/** What the controller manager hands each controller (a subset of the CLI's ComponentContext). */
export interface ControllerContext {
  client: Client;
  informers: SharedInformerFactory;
  logger?: Logger;
  clock?: Clock;
}

/** A running controller: `stop()` ends its workers and removes its informer handlers. */
export interface RunningController {
  name: string;
  stop(): Promise<void>;
}

/** Index names controllers register on shared informers (same name ⇒ registered once). */
export const OWNER_UID_INDEX = 'ownerUid';
export const CONTROLLER_UID_INDEX = 'controllerUid';
export const UID_INDEX = 'uid';
/** Objects without a controller reference, by namespace: what a controller may adopt. */
export const ORPHAN_NAMESPACE_INDEX = 'orphanNamespace';
export const indexOrphansByNamespace = (o: KubeObject): string[] =>
  (!o.metadata?.namespace || (o.metadata.ownerReferences ?? []).some(r => r.controller) ? [] : [o.metadata.namespace]);

export type Pod = KubeObject;

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function parseTime(s: unknown): number | undefined {
  if (typeof s !== 'string' || !s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** Not finished and not being deleted (controller.IsPodActive). */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata?.deletionTimestamp;
}

export function podReadyCondition(p: Pod): Condition | undefined {
  return (p.status?.conditions as Condition[] | undefined)?.find(c => c.type === 'Ready');
}

export function isPodReady(p: Pod): boolean {
  return podReadyCondition(p)?.status === 'True';
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(p)) return false;
  if (!minReadySeconds) return true;
  const since = parseTime(podReadyCondition(p)?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

export function controllerRefOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata?.ownerReferences?.find(r => r.controller === true);
}

/** metav1.NewControllerRef: controller=true, blockOwnerDeletion=true. */
export function newControllerRef(owner: KubeObject, ri: ResourceInfo): OwnerReference {
  return {
    apiVersion: apiVersionOf(ri), kind: ri.kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!,
    controller: true, blockOwnerDeletion: true,
  };
}

/** The creating request failed because the namespace is terminating (not worth an event). */
export function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ForbiddenError && !!e.details?.causes?.some(c => c.reason === 'NamespaceTerminating');
}

/** An int32 field that may be absent (Go's zero value). */
export function int(v: unknown, dflt = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}

/**
 * JSON with sorted keys, for semantic comparison and hashing: null, undefined, {} and []
 * members are left out, as Go's Semantic.DeepEqual equates empty and absent values
 * (kubectl sends `resources: {}` where the server stored nothing).
 */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(canon(v) ?? null);
}

function canon(v: unknown): unknown {
  if (Array.isArray(v)) {
    const a = v.map(x => canon(x) ?? null);
    return a.length ? a : undefined;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = canon((v as Record<string, unknown>)[k]);
      if (x !== undefined) out[k] = x;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v ?? undefined;
}

/** Runs `fn` count times in batches of 1, 2, 4… stopping after a batch with errors (slowStartBatch). */
export async function slowStartBatch(count: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, 1); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return { successes, error: failed[0]!.reason };
    remaining -= batch;
  }
  return { successes };
}
