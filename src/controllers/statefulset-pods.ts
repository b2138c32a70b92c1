/**
 * A StatefulSet pod's identity and storage (upstream's stateful_set_utils.go): the
 * ordinal name `<set>-<n>`, the pod-name and pod-index labels, hostname and subdomain,
 * and one PVC per volumeClaimTemplate named `<template>-<set>-<n>`.
 */
import type { Obj } from './workload-utils-b.js';
import { isPodReady, isPodAvailable, newControllerRef, podFromTemplate } from './workload-utils-b.js';

export const STS = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

/** `<parent>-<ordinal>` → [parent, ordinal]; ordinal -1 when the name has no ordinal. */
export function parentAndOrdinal(pod: Obj): [string, number] {
  const m = /^(.*)-([0-9]+)$/.exec(pod.metadata?.name ?? '');
  if (!m) return ['', -1];
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? [m[1], n] : ['', -1];
}

export const ordinalOf = (pod: Obj): number => parentAndOrdinal(pod)[1];
export const isMemberOf = (set: Obj, pod: Obj): boolean => parentAndOrdinal(pod)[0] === set.metadata!.name;
export const podName = (set: Obj, ordinal: number): string => `${set.metadata!.name}-${ordinal}`;
export const startOrdinal = (set: Obj): number => Number(set.spec?.ordinals?.start ?? 0);
export const replicasOf = (set: Obj): number => Number(set.spec?.replicas ?? 1);
export const revisionOf = (pod: Obj): string => pod.metadata?.labels?.[REVISION_LABEL] ?? '';

export const isCreated = (p: Obj): boolean => !!p.status?.phase;
export const isRunningAndReady = (p: Obj): boolean => p.status?.phase === 'Running' && isPodReady(p);
export const isRunningAndAvailable = (p: Obj, minReady: number, now: number): boolean =>
  p.status?.phase === 'Running' && isPodAvailable(p, minReady, now);
export const isHealthy = (p: Obj, minReady: number, now: number): boolean =>
  isRunningAndAvailable(p, minReady, now) && !p.metadata?.deletionTimestamp;

/** The claims a pod of this set uses, by template name. */
export function claimsFor(set: Obj, ordinal: number): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const tpl of (set.spec?.volumeClaimTemplates ?? []) as Obj[]) {
    const c = structuredClone(tpl);
    delete c.status;
    const tplName = c.metadata?.name ?? '';
    c.apiVersion = 'v1';
    c.kind = 'PersistentVolumeClaim';
    c.metadata = {
      ...(c.metadata ?? {}), name: `${tplName}-${set.metadata!.name}-${ordinal}`, namespace: set.metadata!.namespace,
      labels: { ...(c.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
    };
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') {
      // The garbage collector removes the claim with the set (no controller flag: the claim outlives pods).
      c.metadata.ownerReferences = [{ ...newControllerRef(set, STS.apiVersion, STS.kind), controller: false, blockOwnerDeletion: false }];
    }
    out.set(tplName, c);
  }
  return out;
}

/** Points the pod's claim volumes at its ordinal's PVCs, keeping its other volumes. */
function updateStorage(set: Obj, pod: Obj): void {
  const claims = claimsFor(set, ordinalOf(pod));
  const vols: Obj[] = [...claims].map(([name, c]) => ({ name, persistentVolumeClaim: { claimName: c.metadata!.name } }));
  for (const v of (pod.spec.volumes ?? []) as Obj[]) if (!claims.has(v.name as string)) vols.push(v);
  pod.spec.volumes = vols;
}

function updateIdentity(set: Obj, pod: Obj): void {
  const ordinal = ordinalOf(pod);
  pod.metadata!.name = podName(set, ordinal);
  pod.metadata!.namespace = set.metadata!.namespace;
  pod.metadata!.labels = { ...(pod.metadata!.labels ?? {}), [POD_NAME_LABEL]: pod.metadata!.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** newStatefulSetPod: the template's pod with the ordinal's identity and storage. */
export function newStatefulSetPod(set: Obj, ordinal: number, revision: string): Obj {
  const pod = podFromTemplate(set.spec.template, set.metadata!.name!, newControllerRef(set, STS.apiVersion, STS.kind));
  pod.metadata!.name = podName(set, ordinal);
  updateIdentity(set, pod);
  pod.spec.hostname = pod.metadata!.name;
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  pod.metadata!.labels![REVISION_LABEL] = revision;
  return pod;
}

export function identityMatches(set: Obj, pod: Obj): boolean {
  const [parent, ordinal] = parentAndOrdinal(pod);
  return ordinal >= 0 && parent === set.metadata!.name && pod.metadata!.name === podName(set, ordinal) &&
    pod.metadata!.namespace === set.metadata!.namespace && pod.metadata?.labels?.[POD_NAME_LABEL] === pod.metadata!.name &&
    pod.metadata?.labels?.[POD_INDEX_LABEL] === String(ordinal);
}

export function storageMatches(set: Obj, pod: Obj): boolean {
  const claims = claimsFor(set, ordinalOf(pod));
  const vols = new Map(((pod.spec?.volumes ?? []) as Obj[]).map(v => [v.name as string, v]));
  for (const [name, c] of claims) {
    if ((vols.get(name)?.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName !== c.metadata!.name) return false;
  }
  return true;
}

/** A deep copy of `pod` with identity and storage restored (UpdateStatefulPod's mutation). */
export function repaired(set: Obj, pod: Obj): Obj {
  const p = structuredClone(pod);
  updateIdentity(set, p);
  updateStorage(set, p);
  return p;
}
