/**
 * The create/update pipeline every write goes through: defaults, server-owned
 * metadata, per-kind status rules, then validation (422 naming every bad field).
 */
import type { KubeObject } from '../../api/object.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import { invalid } from '../../api/errors.js';
import { applyDefaults, prepareForUpdate, statusWriteDefaults } from '../../api/defaults/index.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../../api/validation/index.js';
import { carryUpdateMeta, fillCreateMeta } from './meta.js';
import { initialStatus, keepStatusOnUpdate } from './kinds.js';

/** Admits a new object; `obj` is the caller's own copy and is defaulted in place. */
export function admitCreate(ri: ResourceInfo, obj: KubeObject): KubeObject {
  fillCreateMeta(ri, obj);
  const out = applyDefaults(ri.kind, apiVersionOf(ri), obj, { uid: obj.metadata!.uid!, operation: 'create', inPlace: true });
  initialStatus(ri, out);
  const errs = validateCreate(ri.kind, out, apiVersionOf(ri));
  if (errs.length) throw invalid(ri.kind, out.metadata?.name ?? out.metadata?.generateName ?? '', errs, ri.group);
  return out;
}

/** Which endpoint a write came through: the main resource, `status`, or a namespace's `finalize`. */
export type WritePath = 'main' | 'status' | 'finalize';

/**
 * Admits an update. `next` may share parts with `prev` and with the request (a patch
 * result does): defaulting works on a deep copy. A status write of a kind with nothing to
 * default there (see statusWriteDefaults) is not copied: `next` is returned, its parts
 * still shared, and must be treated as read-only below its own metadata.
 */
export function admitUpdate(ri: ResourceInfo, next: KubeObject, prev: KubeObject, path: WritePath): KubeObject {
  carryUpdateMeta(ri, next, prev);
  // finalize is the one way to change a namespace's spec.finalizers, so it skips that rule.
  const prepared = path === 'main' ? prepareForUpdate(ri.kind, next, prev) : next;
  const out = path === 'status' && !statusWriteDefaults(ri.kind) ? prepared
    : applyDefaults(ri.kind, apiVersionOf(ri), prepared, { uid: prev.metadata!.uid!, operation: 'update' });
  if (path !== 'status') keepStatusOnUpdate(ri, out, prev);
  const errs = path === 'status'
    ? validateStatusUpdate(ri.kind, out, prev, apiVersionOf(ri))
    : validateUpdate(ri.kind, out, prev, apiVersionOf(ri));
  if (errs.length) throw invalid(ri.kind, out.metadata?.name ?? '', errs, ri.group);
  return out;
}
