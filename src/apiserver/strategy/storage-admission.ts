/**
 * Admission for new claims and volumes, as two default upstream plugins do it:
 *  - DefaultStorageClass: a claim that names no class (neither spec.storageClassName, not
 *    even "", nor the beta annotation) gets the default class — the one annotated
 *    storageclass.kubernetes.io/is-default-class=true, the newest if several;
 *  - StorageObjectInUseProtection: claims get the kubernetes.io/pvc-protection finalizer and
 *    volumes kubernetes.io/pv-protection, so neither goes while in use (the protection
 *    controllers remove them).
 */
import type { KubeObject } from '../../api/object.js';
import { findResource } from '../../api/resources.js';
import type { Registry } from '../registry.js';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';
const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export const isDefaultClass = (sc: KubeObject): boolean => {
  const a = sc.metadata?.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
};

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';

export async function admitStorage(registry: Registry, obj: KubeObject): Promise<void> {
  if (obj.kind !== 'PersistentVolumeClaim' && obj.kind !== 'PersistentVolume') return;
  const m = obj.metadata!;
  const fin = obj.kind === 'PersistentVolumeClaim' ? PVC_PROTECTION : PV_PROTECTION;
  m.finalizers ??= [];
  // Anything but a list is left for validation to refuse.
  if (Array.isArray(m.finalizers) && !m.finalizers.includes(fin)) m.finalizers.push(fin);
  if (obj.kind === 'PersistentVolumeClaim') await admitDefaultStorageClass(registry, obj);
}

async function admitDefaultStorageClass(registry: Registry, pvc: KubeObject): Promise<void> {
  const spec = pvc.spec;
  if (!spec || typeof spec !== 'object' || spec.storageClassName != null) return;
  if (pvc.metadata?.annotations?.[BETA_CLASS_ANNOTATION] !== undefined) return;
  const rs = registry.for(findResource('storage.k8s.io', 'v1', 'storageclasses')!);
  const defaults = (await rs.list({})).items.filter(isDefaultClass);
  if (!defaults.length) return;
  const created = (sc: KubeObject) => Date.parse(sc.metadata?.creationTimestamp ?? '') || 0;
  defaults.sort((a, b) => created(b) - created(a) || a.metadata!.name!.localeCompare(b.metadata!.name!));
  spec.storageClassName = defaults[0]!.metadata!.name;
}
