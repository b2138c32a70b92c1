/**
 * Deleting everything in a terminating namespace (upstream's namespaced_resources_deleter):
 * per namespaced resource, delete the collection (or each item), then list what is left
 * and say how long to wait for it: pods by their grace period, objects held by finalizers
 * a fixed estimate; anything else left over is an error.
 */
import { NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { RESOURCES, type ResourceInfo } from '../api/resources.js';
import type { Client } from '../client/index.js';
import { int, parseTime } from './controller-utils.js';

/** Seconds to wait for objects held by finalizers (upstream's finalizerEstimateSeconds). */
export const FINALIZER_ESTIMATE_SECONDS = 15;

export interface ContentResult {
  /** Seconds until what remains is expected to be gone; 0 = nothing left to wait for. */
  estimate: number;
  /** "pods." → count, for the NamespaceContentRemaining condition. */
  remaining: Map<string, number>;
  /** finalizer → objects carrying it. */
  finalizers: Map<string, number>;
  /** Per-resource failures (NamespaceDeletionContentFailure). */
  failures: string[];
}

export function namespacedResources(): ResourceInfo[] {
  return RESOURCES.filter(ri => ri.namespaced && ri.verbs.includes('list') && ri.verbs.includes('delete'));
}

export async function deleteAllContent(client: Client, namespace: string, deletedAt: number, now: number): Promise<ContentResult> {
  const out: ContentResult = { estimate: 0, remaining: new Map(), finalizers: new Map(), failures: [] };
  for (const ri of namespacedResources()) {
    try {
      await deleteCollection(client, ri, namespace);
      const left = (await client.list(ri, { namespace })).items;
      if (left.length === 0) continue;
      out.remaining.set(`${ri.plural}.${ri.group}`, left.length);
      let withFinalizers = 0;
      for (const o of left) {
        const f = o.metadata?.finalizers ?? [];
        if (f.length) withFinalizers++;
        for (const x of f) out.finalizers.set(x, (out.finalizers.get(x) ?? 0) + 1);
      }
      const grace = ri.kind === 'Pod' ? podEstimate(left, deletedAt, now) : 0;
      if (grace > 0) out.estimate = Math.max(out.estimate, grace);
      else if (withFinalizers > 0) out.estimate = Math.max(out.estimate, FINALIZER_ESTIMATE_SECONDS);
      else throw new Error(`unexpected items still remain in namespace: ${namespace} for gvr: ${ri.group}/${ri.version}, Resource=${ri.plural}`);
    } catch (e) {
      out.failures.push(e instanceof Error ? e.message : String(e));
    }
  }
  return out;
}

async function deleteCollection(client: Client, ri: ResourceInfo, namespace: string): Promise<void> {
  if (ri.verbs.includes('deletecollection')) {
    await client.deleteCollection(ri, { namespace, propagationPolicy: 'Background' });
    return;
  }
  for (const o of (await client.list(ri, { namespace })).items) {
    try {
      await client.delete(ri, o.metadata!.name!, { namespace, propagationPolicy: 'Background' });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
}

/** Seconds until the slowest unfinished pod's grace period runs out (at least 1 while any is left). */
function podEstimate(pods: KubeObject[], deletedAt: number, now: number): number {
  let estimate = 0;
  for (const p of pods) {
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    // A pod being deleted is due at its deletionTimestamp; others by their grace from the namespace's deletion.
    const due = parseTime(p.metadata?.deletionTimestamp) ?? deletedAt + int(p.spec?.terminationGracePeriodSeconds, 30) * 1000;
    estimate = Math.max(estimate, Math.ceil((due - now) / 1000));
  }
  return Math.max(estimate, pods.length ? 1 : 0);
}
