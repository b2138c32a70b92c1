/**
 * The create/update pipeline every write goes through: defaults, server-owned
 * metadata, per-kind status rules, then validation (422 naming every bad field).
 */
import type { KubeObject } from '../../api/object.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import { invalid } from '../../api/errors.js';
import { applyDefaults } from '../../api/defaults/index.js';
import { validateCreate, validateUpdate } from '../../api/validation/index.js';
import { carryUpdateMeta, fillCreateMeta } from './meta.js';
import { initialStatus, keepStatusOnUpdate } from './kinds.js';

export function admitCreate(ri: ResourceInfo, obj: KubeObject): KubeObject {
  fillCreateMeta(ri, obj);
  const out = applyDefaults(ri.kind, apiVersionOf(ri), obj, { uid: obj.metadata!.uid! }) as KubeObject;
  initialStatus(ri, out);
  const errs = validateCreate(ri.kind, out, apiVersionOf(ri));
  if (errs.length) throw invalid(ri.kind, out.metadata?.name ?? out.metadata?.generateName ?? '', errs, ri.group);
  return out;
}

/** `status` is true for writes through the status subresource. */
export function admitUpdate(ri: ResourceInfo, next: KubeObject, prev: KubeObject, status: boolean): KubeObject {
  carryUpdateMeta(ri, next, prev);
  const out = applyDefaults(ri.kind, apiVersionOf(ri), next, { uid: prev.metadata!.uid! }) as KubeObject;
  if (!status) keepStatusOnUpdate(ri, out, prev);
  const errs = validateUpdate(ri.kind, out, prev, apiVersionOf(ri));
  if (errs.length) throw invalid(ri.kind, out.metadata?.name ?? '', errs, ri.group);
  return out;
}
