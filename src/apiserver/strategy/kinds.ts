/**
 * Per-kind create/update hooks like upstream's registry strategies: what status a
 * new object starts with, and how spec and status updates keep each other's halves.
 */
import type { KubeObject } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';

export function hasStatusSubresource(ri: ResourceInfo): boolean {
  return !!ri.subresources?.includes('status');
}

/** Status a freshly created object carries. */
export function initialStatus(ri: ResourceInfo, obj: KubeObject): void {
  switch (ri.kind) {
    case 'Pod':
      obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
      return;
    case 'Namespace':
      obj.status = { phase: 'Active' };
      return;
    case 'Node':
      // Nodes register with their status (the agent creates them); keep it.
      return;
    case 'PersistentVolumeClaim':
    case 'PersistentVolume':
      obj.status = { phase: 'Pending' };
      return;
    default:
      if (hasStatusSubresource(ri)) {
        if (ri.kind === 'Service') obj.status = { loadBalancer: {} };
        else delete obj.status;
      }
  }
}

/** A main-resource update keeps the stored status (it has its own subresource). */
export function keepStatusOnUpdate(ri: ResourceInfo, next: KubeObject, prev: KubeObject): void {
  if (!hasStatusSubresource(ri)) return;
  if (prev.status === undefined) delete next.status; else next.status = prev.status;
}

/**
 * A status update changes status, and like upstream's status strategies it keeps the
 * writer's labels and annotations (the Deployment controller records its revision
 * annotation this way); Deployments keep their labels, as upstream's strategy does.
 * Pods follow podStatusStrategy (v1.32): the request's metadata is kept whole but for
 * ownerReferences (old kubelets corrupted them) and deletionTimestamp, which the
 * generic update rules (carryUpdateMeta) keep as stored.
 */
export function statusUpdate(next: KubeObject, prev: KubeObject): KubeObject {
  // Shares prev's parts: admission defaults a deep copy of the result before changing it.
  if (prev.kind === 'Pod') return podStatusUpdate(next, prev);
  const out: KubeObject = { ...prev, metadata: { ...prev.metadata } };
  out.status = next.status;
  const m = out.metadata!;
  m.resourceVersion = next.metadata?.resourceVersion;
  if (next.metadata?.annotations !== undefined) m.annotations = next.metadata.annotations;
  else delete m.annotations;
  if (prev.kind !== 'Deployment') {
    if (next.metadata?.labels !== undefined) m.labels = next.metadata.labels;
    else delete m.labels;
  }
  return out;
}

function podStatusUpdate(next: KubeObject, prev: KubeObject): KubeObject {
  const out: KubeObject = { ...prev, metadata: { ...next.metadata } };
  out.status = next.status;
  // The immutable QoS class a writer left out is backfilled (old kubelets dropped it)
  // instead of answering that it may not change.
  if (!out.status?.qosClass && prev.status?.qosClass) out.status = { ...out.status, qosClass: prev.status.qosClass };
  const m = out.metadata!;
  if (prev.metadata?.ownerReferences !== undefined) m.ownerReferences = prev.metadata.ownerReferences;
  else delete m.ownerReferences;
  return out;
}

type Res = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };

/** Pod QoS class as upstream's qos.GetPodQOS computes it (by presence and equality). */
export function qosClass(pod: KubeObject): string {
  const cs = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as Array<{ resources?: Res }>;
  let any = false;
  let guaranteed = true;
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && String(req[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
