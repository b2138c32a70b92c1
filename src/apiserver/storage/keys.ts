/** Storage keys: /registry/<group|core>/<plural>/[<namespace>/]<name>. */
import { storagePrefix, type ResourceInfo } from '../../api/resources.js';

export function objectKey(ri: ResourceInfo, namespace: string | undefined, name: string): string {
  return ri.namespaced ? `${storagePrefix(ri)}${namespace}/${name}` : `${storagePrefix(ri)}${name}`;
}

/** Prefix covering a namespace's objects, or all of the resource when namespace is unset. */
export function listPrefix(ri: ResourceInfo, namespace: string | undefined): string {
  return ri.namespaced && namespace ? `${storagePrefix(ri)}${namespace}/` : storagePrefix(ri);
}
