/**
 * Turns the desired endpoint groups and a Service's existing slices into writes, moving
 * as little as possible (upstream's reconciler, simplified): an endpoint stays in the
 * slice that holds it, new ones fill slices with room before new slices are made, empty
 * slices go, and a Service with no endpoints keeps one empty placeholder slice.
 */
import type { KubeObject } from '../api/object.js';
import { canonical, endpointLabels } from './endpoints-pods.js';
import {
  compareEndpoints, endpointId, groupKey, type EndpointGroup, type SliceEndpoint, type SlicePort,
} from './endpointslice-compute.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface SlicePlan {
  create: KubeObject[];
  update: KubeObject[];
  delete: KubeObject[];
}

interface Working { slice: KubeObject; endpoints: SliceEndpoint[]; changed: boolean }

export function sliceLabels(svc: KubeObject): Record<string, string> {
  return endpointLabels(svc, { [SERVICE_NAME_LABEL]: svc.metadata!.name!, [MANAGED_BY_LABEL]: CONTROLLER_NAME });
}

/** A fresh slice for the Service (named by the server from generateName). */
export function newSlice(svc: KubeObject, addressType: string, ports: SlicePort[], endpoints: SliceEndpoint[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata!.name}-`, namespace: svc.metadata!.namespace, labels: sliceLabels(svc),
      ownerReferences: [{
        apiVersion: 'v1', kind: 'Service', name: svc.metadata!.name!, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true,
      }],
    },
    addressType, endpoints, ports,
  };
}

/** `existing`: every slice this controller manages for the Service (already filtered by owner). */
export function planSlices(svc: KubeObject, desired: Map<string, EndpointGroup>, existing: KubeObject[],
  max = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const labels = sliceLabels(svc);
  const byKey = new Map<string, Working[]>();
  for (const s of [...existing].sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1))) {
    const key = groupKey(s.addressType as string, (s.ports ?? []) as SlicePort[]);
    const list = byKey.get(key) ?? [];
    list.push({ slice: s, endpoints: (s.endpoints ?? []) as SliceEndpoint[], changed: false });
    byKey.set(key, list);
  }
  const keep: Working[] = [];
  for (const [key, g] of desired) {
    const want = new Map(g.endpoints.map(e => [endpointId(e), e]));
    const slices = byKey.get(key) ?? [];
    byKey.delete(key);
    const placed = new Set<string>();
    for (const w of slices) {
      const next: SliceEndpoint[] = [];
      for (const e of w.endpoints) {
        const id = endpointId(e);
        const d = want.get(id);
        if (!d || placed.has(id)) continue;
        placed.add(id);
        next.push(d);
      }
      if (canonical(next) !== canonical(w.endpoints)) w.changed = true;
      w.endpoints = next;
    }
    const rest = g.endpoints.filter(e => !placed.has(endpointId(e)));
    // Fill slices we are rewriting anyway first, then any with room.
    const order = [...slices].sort((a, b) => Number(b.changed) - Number(a.changed));
    for (const w of order) {
      while (rest.length && w.endpoints.length < max) { w.endpoints.push(rest.shift()!); w.changed = true; }
    }
    for (let i = 0; i < rest.length; i += max) {
      plan.create.push(newSlice(svc, g.addressType, g.ports, rest.slice(i, i + max)));
    }
    for (const w of slices) {
      if (!w.endpoints.length) { plan.delete.push(w.slice); continue; }
      w.endpoints.sort(compareEndpoints);
      keep.push(w);
    }
  }
  const stale = [...byKey.values()].flat();
  if (!desired.size && !plan.create.length) {
    // No endpoints at all: one empty slice says so (reuse one instead of churning).
    const reuse = stale.shift();
    if (reuse) keep.push({ slice: { ...reuse.slice, ports: [] }, endpoints: [], changed: reuse.endpoints.length > 0 || !!(reuse.slice.ports as unknown[] | undefined)?.length });
    else plan.create.push(newSlice(svc, 'IPv4', [], []));
  }
  plan.delete.push(...stale.map(w => w.slice));
  for (const w of keep) {
    const labelsDiffer = canonical(w.slice.metadata?.labels ?? {}) !== canonical(labels);
    if (!w.changed && !labelsDiffer && canonical(w.slice.endpoints ?? []) === canonical(w.endpoints)) continue;
    plan.update.push({ ...w.slice, metadata: { ...w.slice.metadata, labels }, endpoints: w.endpoints });
  }
  return plan;
}
