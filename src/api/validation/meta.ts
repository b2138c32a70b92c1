/**
 * ObjectMeta, labels, annotations and label selectors, as apimachinery validates them
 * (pkg/api/validation/objectmeta.go, pkg/apis/meta/v1/validation).
 */
import {
  isQualifiedName, isValidLabelValue, nameIsDNSLabel, type NameFn,
} from './names.js';
import {
  type Errs, type Obj, arr, badValue, forbidden, immutable, isObj, nonNegative, required, str, strMap, tooLong, goValue,
} from './util.js';

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabels(labels: unknown, path: string): Errs {
  const errs: Errs = [];
  for (const [k, v] of Object.entries(strMap(labels))) {
    for (const m of isQualifiedName(k)) errs.push(badValue(path, k, m));
    for (const m of isValidLabelValue(str(v))) errs.push(badValue(path, str(v), m));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): Errs {
  const errs: Errs = [];
  let size = 0;
  for (const [k, v] of Object.entries(strMap(annotations))) {
    // annotation keys are qualified names, case-insensitively
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(badValue(path, k, m));
    size += Buffer.byteLength(k) + Buffer.byteLength(str(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateOwnerReferences(refs: unknown, path: string): Errs {
  const errs: Errs = [];
  let firstController = '';
  for (const ref of arr(refs)) {
    const apiVersion = str(ref.apiVersion);
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    if (!version) errs.push(badValue(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!str(ref.kind)) errs.push(badValue(`${path}.kind`, str(ref.kind), 'must not be empty'));
    if (!str(ref.name)) errs.push(badValue(`${path}.name`, str(ref.name), 'must not be empty'));
    if (!str(ref.uid)) errs.push(badValue(`${path}.uid`, str(ref.uid), 'must not be empty'));
    if (apiVersion === 'v1' && ref.kind === 'Event') {
      errs.push(badValue(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const cur = `${str(ref.kind)}/${str(ref.name)}`;
      if (firstController) {
        errs.push(badValue(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`));
      } else firstController = cur;
    }
  }
  return errs;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateFinalizers(finalizers: unknown, path: string): Errs {
  const errs: Errs = [];
  const list = arr<string>(finalizers).map(str);
  list.forEach((f, i) => {
    for (const m of isQualifiedName(f)) errs.push(badValue(path, f, m));
    // core's extra rule: an unqualified finalizer must be one of the standard ones
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(badValue(`${path}[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(badValue(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/** ValidateObjectMeta: name rules come from `nameFn`; `namespaced` decides namespace presence. */
export function validateObjectMeta(meta: unknown, namespaced: boolean, nameFn: NameFn, path = 'metadata'): Errs {
  const m = isObj(meta) ? meta : {};
  const errs: Errs = [];
  const generateName = str(m.generateName);
  const name = str(m.name);
  if (generateName) for (const msg of nameFn(generateName, true)) errs.push(badValue(`${path}.generateName`, generateName, msg));
  if (!name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(badValue(`${path}.name`, name, msg));
  errs.push(...validateMetaCommon(m, namespaced, path));
  return errs;
}

function validateMetaCommon(m: Obj, namespaced: boolean, path: string): Errs {
  const errs: Errs = [];
  const ns = str(m.namespace);
  if (namespaced) {
    if (!ns) errs.push(required(`${path}.namespace`));
    else for (const msg of nameIsDNSLabel(ns, false)) errs.push(badValue(`${path}.namespace`, ns, msg));
  } else if (ns) {
    errs.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  errs.push(...nonNegative(m.generation, `${path}.generation`));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
}

/** ValidateObjectMetaUpdate: identity fields are immutable, resourceVersion is required. */
export function validateObjectMetaUpdate(newMeta: unknown, oldMeta: unknown, path = 'metadata'): Errs {
  const n = isObj(newMeta) ? newMeta : {};
  const o = isObj(oldMeta) ? oldMeta : {};
  const errs: Errs = [];
  if (o.deletionTimestamp) {
    const extra = arr<string>(n.finalizers).filter(f => !arr<string>(o.finalizers).includes(f)).sort();
    if (extra.length) {
      errs.push(forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${goValue(extra)}`));
    }
  }
  if (!str(n.resourceVersion)) errs.push(badValue(`${path}.resourceVersion`, '', 'must be specified for an update'));
  if (typeof n.generation === 'number' && typeof o.generation === 'number' && n.generation < o.generation) {
    errs.push(badValue(`${path}.generation`, n.generation, 'must not be decremented'));
  }
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    errs.push(...immutable(n[f] ?? (f === 'name' || f === 'namespace' || f === 'uid' ? '' : undefined),
      o[f] ?? (f === 'name' || f === 'namespace' || f === 'uid' ? '' : undefined), `${path}.${f}`));
  }
  // A part the update shares with the stored object (the same object: a patch that left it
  // alone) was validated when it was written.
  if (n.labels !== o.labels || !isObj(n.labels)) errs.push(...validateLabels(n.labels, `${path}.labels`));
  if (n.annotations !== o.annotations || !isObj(n.annotations)) errs.push(...validateAnnotations(n.annotations, `${path}.annotations`));
  if (n.ownerReferences !== o.ownerReferences || !Array.isArray(n.ownerReferences)) errs.push(...validateOwnerReferences(n.ownerReferences, `${path}.ownerReferences`));
  if (n.finalizers !== o.finalizers || !Array.isArray(n.finalizers)) errs.push(...validateFinalizers(n.finalizers, `${path}.finalizers`));
  return errs;
}

const SELECTOR_OPS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** metav1 LabelSelector: matchLabels are labels, matchExpressions need sane operator/values. */
export function validateLabelSelector(sel: unknown, path: string): Errs {
  if (!isObj(sel)) return [];
  const errs: Errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  arr(sel.matchExpressions).forEach((req, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = arr<string>(req.values);
    switch (req.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(badValue(`${p}.operator`, req.operator ?? '', 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(str(req.key))) errs.push(badValue(`${p}.key`, str(req.key), m));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(str(v))) errs.push(badValue(`${p}.values[${j}]`, v, m));
    });
  });
  return errs;
}

/** True when `labels` satisfy the selector (nil selector matches nothing, {} everything). */
export function selectorMatches(sel: unknown, labels: Record<string, string>): boolean {
  if (!isObj(sel)) return false;
  for (const [k, v] of Object.entries(strMap(sel.matchLabels))) if (labels[k] !== v) return false;
  for (const req of arr(sel.matchExpressions)) {
    const k = str(req.key);
    const has = Object.prototype.hasOwnProperty.call(labels, k);
    const values = arr<string>(req.values);
    switch (req.operator) {
      case 'In': if (!has || !values.includes(labels[k])) return false; break;
      case 'NotIn': if (has && values.includes(labels[k])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

export function selectorIsEmpty(sel: unknown): boolean {
  return !isObj(sel) || (Object.keys(strMap(sel.matchLabels)).length + arr(sel.matchExpressions).length === 0);
}

/** True when a LabelSelector converts to a selector without error. */
export function selectorConvertible(sel: unknown): boolean {
  if (!isObj(sel)) return true;
  return arr(sel.matchExpressions).every(r => SELECTOR_OPS.includes(str(r.operator)) &&
    ((r.operator === 'In' || r.operator === 'NotIn') ? arr(r.values).length > 0 : arr(r.values).length === 0));
}
