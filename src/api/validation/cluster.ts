/**
 * Namespaces, Nodes, LimitRanges and ResourceQuotas.
 */
import { CIDR_MSG, isQualifiedName, isValidCIDR, isIPv6, nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { type Quantity } from './quantity.js';
import {
  isOvercommitAllowed, quantityAt, validateContainerResourceName, validateQuantityValue, validateQuotaResourceName,
  validateResourceName,
} from './resources.js';
import { validateTaints } from './scheduling.js';
import { type Errs, type Obj, arr, badValue, duplicate, forbidden, isObj, required, str } from './util.js';

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateNamespaceFinalizers(list: unknown, path: string): Errs {
  const errs: Errs = [];
  arr<string>(list).forEach((f, i) => {
    errs.push(...isQualifiedName(str(f)).map(m => badValue(path, f, m)));
    if (!str(f).includes('/') && !STANDARD_FINALIZERS.has(str(f))) {
      errs.push(badValue(`${path}[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

export const validateNamespace = (ns: Obj): Errs =>
  [...validateObjectMeta(ns.metadata, false, nameIsDNSLabel), ...validateNamespaceFinalizers(ns.spec?.finalizers, 'spec.finalizers')];
export const validateNamespaceUpdate = (n: Obj, o: Obj): Errs => validateObjectMetaUpdate(n.metadata, o.metadata);

export function validateNamespaceStatusUpdate(n: Obj, o: Obj): Errs {
  const errs = validateObjectMetaUpdate(n.metadata, o.metadata);
  const phase = str(n.status?.phase);
  if (!n.metadata?.deletionTimestamp) {
    if (phase !== 'Active') errs.push(badValue('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') {
    errs.push(badValue('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}

/** The /finalize subresource. */
export const validateNamespaceFinalizeUpdate = (n: Obj, o: Obj): Errs =>
  [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateNamespaceFinalizers(n.spec?.finalizers, 'spec.finalizers')];

function validateNodeResources(node: Obj): Errs {
  const errs: Errs = [];
  for (const kind of ['capacity', 'allocatable']) {
    for (const [k, v] of Object.entries(isObj(node.status?.[kind]) ? node.status[kind] : {})) {
      const p = `status.${kind}.${k}`;
      const q = quantityAt(v, p, errs);
      if (q) errs.push(...validateQuantityValue(k, q, v, p));
    }
  }
  return errs;
}

export function validateNode(node: Obj): Errs {
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain);
  // upstream reports taints under metadata
  errs.push(...validateTaints(node.spec?.taints, 'metadata.taints'));
  errs.push(...validateNodeResources(node));
  const cidrs = arr<string>(node.spec?.podCIDRs);
  cidrs.forEach((c, i) => { if (!isValidCIDR(str(c))) errs.push(badValue(`spec.podCIDRs[${i}]`, c, CIDR_MSG)); });
  if (cidrs.length > 1) {
    const v6 = cidrs.filter(c => isIPv6(str(c).split('/')[0])).length;
    if (cidrs.length > 2 || v6 !== 1) errs.push(badValue('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
    cidrs.forEach((c, i) => { if (cidrs.indexOf(c) !== i) errs.push(duplicate(`spec.podCIDRs[${i}]`, c)); });
  }
  return errs;
}

export function validateNodeUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateNodeResources(n)];
  const seen = new Set<string>();
  arr(n.status?.addresses).forEach((a, i) => {
    const k = `${str(a.type)}/${str(a.address)}`;
    if (seen.has(k)) errs.push(duplicate(`status.addresses[${i}]`, a));
    seen.add(k);
  });
  const oc = arr<string>(o.spec?.podCIDRs), nc = arr<string>(n.spec?.podCIDRs);
  const msg = 'node updates may not change podCIDR except from "" to valid';
  if (oc.length) {
    if (oc.length !== nc.length) errs.push(forbidden('spec.podCIDRs', msg));
    else oc.forEach((c, i) => { if (c !== nc[i]) errs.push(forbidden('spec.podCIDRs', msg)); });
  }
  if (str(o.spec?.providerID) && o.spec.providerID !== n.spec?.providerID) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateTaints(n.spec?.taints, 'metadata.taints'));
  if (str(n.spec?.externalID) !== str(o.spec?.externalID)) errs.push(forbidden('spec.externalID', 'may not be updated'));
  return errs;
}

const LIMIT_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

export function validateLimitRange(lr: Obj): Errs {
  const errs = validateObjectMeta(lr.metadata, true, nameIsDNSSubdomain);
  const types = new Set<string>();
  arr(lr.spec?.limits).forEach((l, i) => {
    const p = `spec.limits[${i}]`;
    const type = str(l.type);
    const tn = isQualifiedName(type).map(m => badValue(`${p}.type`, type, m));
    if (!tn.length && !type.includes('/') && !LIMIT_TYPES.has(type)) tn.push(badValue(`${p}.type`, type, 'must be a standard limit type or fully qualified'));
    errs.push(...tn);
    if (types.has(type)) errs.push(duplicate(`${p}.type`, type));
    types.add(type);
    const nameFn = type === 'Pod' || type === 'Container' ? validateContainerResourceName : validateResourceName;
    const group = (field: string): Map<string, Quantity> => {
      const m = new Map<string, Quantity>();
      for (const [k, v] of Object.entries(isObj(l[field]) ? l[field] : {})) {
        errs.push(...nameFn(k, `${p}.${field}[${k}]`));
        const q = quantityAt(v, `${p}.${field}[${k}]`, errs);
        if (q) m.set(k, q);
      }
      return m;
    };
    const max = group('max'), min = group('min');
    let def = new Map<string, Quantity>(), defReq = new Map<string, Quantity>();
    if (type === 'Pod') {
      if (isObj(l.default) && Object.keys(l.default).length) errs.push(forbidden(`${p}.default`, "may not be specified when `type` is 'Pod'"));
      if (isObj(l.defaultRequest) && Object.keys(l.defaultRequest).length) errs.push(forbidden(`${p}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    } else { def = group('default'); defReq = group('defaultRequest'); }
    if (type === 'PersistentVolumeClaim' && !min.has('storage') && !max.has('storage')) {
      errs.push(required(`${p}.limits`, 'either minimum or maximum storage value is required, but neither was provided'));
    }
    const ratio = group('maxLimitRequestRatio');
    for (const k of new Set([...max.keys(), ...min.keys(), ...def.keys(), ...defReq.keys(), ...ratio.keys()])) {
      const mn = min.get(k), mx = max.get(k), d = def.get(k), dr = defReq.get(k), r = ratio.get(k);
      const s = (q: Quantity) => q.toString();
      if (mn && mx && mn.cmp(mx) > 0) errs.push(badValue(`${p}.min[${k}]`, s(mn), `min value ${s(mn)} is greater than max value ${s(mx)}`));
      if (dr && mn && mn.cmp(dr) > 0) errs.push(badValue(`${p}.defaultRequest[${k}]`, s(dr), `min value ${s(mn)} is greater than default request value ${s(dr)}`));
      if (dr && mx && dr.cmp(mx) > 0) errs.push(badValue(`${p}.defaultRequest[${k}]`, s(dr), `default request value ${s(dr)} is greater than max value ${s(mx)}`));
      if (dr && d && dr.cmp(d) > 0) errs.push(badValue(`${p}.defaultRequest[${k}]`, s(dr), `default request value ${s(dr)} is greater than default limit value ${s(d)}`));
      if (d && mn && mn.cmp(d) > 0) errs.push(badValue(`${p}.default[${k}]`, s(mn), `min value ${s(mn)} is greater than default value ${s(d)}`));
      if (d && mx && d.cmp(mx) > 0) errs.push(badValue(`${p}.default[${k}]`, s(mx), `default value ${s(d)} is greater than max value ${s(mx)}`));
      if (r && r.toNumber() < 1) errs.push(badValue(`${p}.maxLimitRequestRatio[${k}]`, s(r), `ratio ${s(r)} is less than 1`));
      if (r && mn && mx && mn.toNumber() > 0 && r.toNumber() > mx.toNumber() / mn.toNumber()) {
        errs.push(badValue(`${p}.maxLimitRequestRatio[${k}]`, s(r), `ratio ${s(r)} is greater than max/min = ${(mx.toNumber() / mn.toNumber()).toFixed(6)}`));
      }
      if (!isOvercommitAllowed(k) && d && dr && d.cmp(dr) !== 0) {
        errs.push(badValue(`${p}.defaultRequest[${k}]`, s(dr), `default value ${s(d)} must equal to defaultRequest value ${s(dr)} in ${k}`));
      }
    }
  });
  return errs;
}

export const validateLimitRangeUpdate = (n: Obj, o: Obj): Errs => [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateLimitRange(n)];

const SCOPES = ['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];

function validateQuotaList(list: unknown, path: string): Errs {
  const errs: Errs = [];
  for (const [k, v] of Object.entries(isObj(list) ? list : {})) {
    const p = `${path}[${k}]`;
    errs.push(...validateQuotaResourceName(k, p));
    const q = quantityAt(v, p, errs);
    if (q) errs.push(...validateQuantityValue(k, q, v, p));
  }
  return errs;
}

function validateQuotaSpec(spec: Obj): Errs {
  const errs = validateQuotaList(spec.hard, 'spec.hard');
  const scopes = arr<string>(spec.scopes);
  for (const s of scopes) if (!SCOPES.includes(str(s))) errs.push(badValue('spec.scopes', scopes, 'unsupported scope'));
  const names = new Set<string>(scopes.map(str));
  for (const m of arr(spec.scopeSelector?.matchExpressions)) {
    const sn = str(m.scopeName);
    const p = 'spec.scopeSelector.matchExpressions';
    if (!SCOPES.includes(sn)) errs.push(badValue(`${p}.scopeName`, sn, 'unsupported scope'));
    const op = str(m.operator);
    if (op === 'In' || op === 'NotIn') {
      if (!arr(m.values).length) errs.push(required(`${p}.values`, "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (arr(m.values).length) errs.push(badValue(`${p}.values`, m.values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
    } else errs.push(badValue(`${p}.operator`, op, 'not a valid selector operator'));
    names.add(sn);
  }
  if ((names.has('BestEffort') && names.has('NotBestEffort')) || (names.has('Terminating') && names.has('NotTerminating'))) {
    errs.push(badValue('spec.scopes', scopes, 'conflicting scopes'));
  }
  return errs;
}

export const validateResourceQuota = (rq: Obj): Errs => [
  ...validateObjectMeta(rq.metadata, true, nameIsDNSSubdomain), ...validateQuotaSpec(isObj(rq.spec) ? rq.spec : {}),
  ...validateQuotaList(rq.status?.hard, 'status.hard'), ...validateQuotaList(rq.status?.used, 'status.used'),
];

export function validateResourceQuotaUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateQuotaSpec(isObj(n.spec) ? n.spec : {})];
  const ns = new Set(arr<string>(n.spec?.scopes)), os = new Set(arr<string>(o.spec?.scopes));
  if (ns.size !== os.size || [...ns].some(s => !os.has(s))) errs.push(badValue('spec.scopes', arr(n.spec?.scopes), 'field is immutable'));
  return errs;
}

export function validateResourceQuotaStatusUpdate(n: Obj, o: Obj): Errs {
  const errs = validateObjectMetaUpdate(n.metadata, o.metadata);
  if (!str(n.metadata?.resourceVersion)) errs.push(required('resourceVersion'));
  return errs.concat(validateQuotaList(n.status?.hard, 'status.hard'), validateQuotaList(n.status?.used, 'status.used'));
}
