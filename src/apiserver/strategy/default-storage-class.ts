/**
 * The DefaultStorageClass admission step: a new claim that names no class (neither
 * spec.storageClassName, not even "", nor the beta annotation) gets the default class —
 * the one annotated storageclass.kubernetes.io/is-default-class=true, the newest if several.
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

export async function admitDefaultStorageClass(registry: Registry, pvc: KubeObject): Promise<void> {
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
