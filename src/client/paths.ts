/** Resource addressing: what a caller names (ResourceInfo or apiVersion+kind) → a REST path. */
import { NotFoundError } from '../api/errors.js';
import { findByKind, type ResourceInfo } from '../api/resources.js';

/**
 * The least the client needs of an object. kubeling's KubeObject and kubernetes-types'
 * interfaces (Pod, Node...) both fit, so callers pick their own object types.
 */
export interface ObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: { readonly name?: string; readonly namespace?: string; readonly resourceVersion?: string; readonly uid?: string };
}

/** A resource, by its declaration or by the apiVersion and kind of its objects. */
export type ResourceRef = ResourceInfo | { apiVersion: string; kind: string };

export function resolveResource(ref: ResourceRef): ResourceInfo {
  if ('plural' in ref) return ref;
  const ri = findByKind(ref.apiVersion, ref.kind);
  if (!ri) throw new NotFoundError(`no resource for apiVersion ${ref.apiVersion}, kind ${ref.kind}`);
  return ri;
}

/** /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]] or /apis/G/V/... ; cluster-scoped resources ignore `namespace`. */
export function resourcePath(ri: ResourceInfo, namespace?: string, name?: string, subresource?: string): string {
  let p = ri.group ? `/apis/${ri.group}/${ri.version}` : `/api/${ri.version}`;
  if (ri.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${ri.plural}`;
  if (name !== undefined) {
    if (!name) throw new NotFoundError(`${ri.plural}: a resource name is required`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}

/** Cache key of an object: `namespace/name`, or `name` for cluster-scoped ones. */
export function keyOf(obj: { metadata?: { name?: string; namespace?: string } }): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** Splits a cache key into namespace (undefined for cluster-scoped) and name. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
