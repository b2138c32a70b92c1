/**
 * PersistentVolume and PersistentVolumeClaim (specs are shared with ephemeral volumes and
 * StatefulSet volumeClaimTemplates).
 */
import { nameIsDNSSubdomain, nameIsDNSLabel } from './names.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate, validateAnnotations, validateLabels } from './meta.js';
import { quantityAt, validateQuantityValue } from './resources.js';
import { validateNodeSelector } from './scheduling.js';
import { validatePVSource } from './volumes.js';
import {
  type Errs, type Obj, arr, badValue, deepEqual, forbidden, immutable, isObj, notSupported, required, str,
} from './util.js';
import { tryParseQuantity } from './quantity.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];

function validateAccessModes(modes: unknown, path: string, requiredMsg: string): Errs {
  const list = arr<string>(modes);
  const errs: Errs = list.length ? [] : [required(path, requiredMsg)];
  let rwop = false, other = false;
  for (const m of list) {
    if (!ACCESS_MODES.includes(m)) errs.push(notSupported(path, m, ACCESS_MODES));
    else if (m === 'ReadWriteOncePod') rwop = true;
    else other = true;
  }
  if (rwop && other) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function validateClassName(v: unknown, path: string): Errs {
  const s = str(v);
  return s ? nameIsDNSSubdomain(s, false).map(m => badValue(path, s, m)) : [];
}

function validateDataSource(ds: Obj, path: string, isRef: boolean): Errs {
  const errs: Errs = [];
  if (!str(ds.name)) errs.push(required(`${path}.name`));
  if (!str(ds.kind)) errs.push(required(`${path}.kind`));
  const group = str(ds.apiGroup);
  if (!group && ds.kind !== 'PersistentVolumeClaim') {
    errs.push(badValue(path, str(ds.kind), "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  }
  if (group) errs.push(...nameIsDNSSubdomain(group, false).map(m => badValue(`${path}.apiGroup`, group, m)));
  if (isRef && str(ds.namespace)) errs.push(...nameIsDNSLabel(str(ds.namespace), false).map(m => badValue(`${path}.namespace`, ds.namespace, m)));
  return errs;
}

export function validatePVCSpec(spec: unknown, path: string): Errs {
  const s = isObj(spec) ? spec : {};
  const errs = validateAccessModes(s.accessModes, `${path}.accessModes`, 'at least 1 access mode is required');
  if (isObj(s.selector)) errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
  const reqs = isObj(s.resources) && isObj(s.resources.requests) ? s.resources.requests : {};
  const storagePath = `${path}.resources[storage]`;
  if (reqs.storage === undefined) errs.push(required(storagePath));
  else {
    const q = quantityAt(reqs.storage, storagePath, errs);
    if (q && q.sign() <= 0) errs.push(badValue(storagePath, q.toString(), 'must be greater than zero'));
  }
  errs.push(...validateClassName(s.storageClassName, `${path}.storageClassName`));
  if (s.volumeMode !== undefined && !VOLUME_MODES.includes(str(s.volumeMode))) {
    errs.push(notSupported(`${path}.volumeMode`, str(s.volumeMode), VOLUME_MODES));
  }
  if (isObj(s.dataSource)) errs.push(...validateDataSource(s.dataSource, `${path}.dataSource`, false));
  if (isObj(s.dataSourceRef)) errs.push(...validateDataSource(s.dataSourceRef, `${path}.dataSourceRef`, true));
  if (isObj(s.dataSourceRef) && str(s.dataSourceRef.namespace)) {
    if (isObj(s.dataSource)) errs.push(badValue(path, `${path}.dataSource`, 'may not be specified when dataSourceRef.namespace is specified'));
  } else if (isObj(s.dataSource) && isObj(s.dataSourceRef)) {
    const a = s.dataSource, b = s.dataSourceRef;
    if (str(a.apiGroup) !== str(b.apiGroup) || a.kind !== b.kind || a.name !== b.name) {
      errs.push(badValue(path, `${path}.dataSource`, 'must match dataSourceRef'));
    }
  }
  return errs;
}

/** A claim template only carries labels and annotations in its metadata. */
export function validatePVCTemplate(t: unknown, path: string): Errs {
  const tpl = isObj(t) ? t : {};
  const meta = isObj(tpl.metadata) ? tpl.metadata : {};
  const errs = [...validateAnnotations(meta.annotations, `${path}.metadata.annotations`), ...validateLabels(meta.labels, `${path}.metadata.labels`)];
  for (const k of Object.keys(meta)) {
    if (k !== 'labels' && k !== 'annotations' && meta[k] !== undefined && meta[k] !== '') errs.push(forbidden(`${path}.metadata.${k}`, 'cannot be set'));
  }
  return errs.concat(validatePVCSpec(tpl.spec, `${path}.spec`));
}

export function validatePVC(o: Obj): Errs {
  return [...validateObjectMeta(o.metadata, true, nameIsDNSSubdomain), ...validatePVCSpec(o.spec, 'spec')];
}

export function validatePVCUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validatePVC(n)];
  const ns = { ...(isObj(n.spec) ? n.spec : {}) }, os = { ...(isObj(o.spec) ? o.spec : {}) };
  if (!str(os.volumeName)) os.volumeName = ns.volumeName; // binding may set volumeName once
  if (os.storageClassName === undefined && ns.storageClassName !== undefined) os.storageClassName = ns.storageClassName;
  const bound = isObj(n.status) && n.status.phase === 'Bound';
  if (bound) {
    ns.resources = { ...(ns.resources ?? {}), requests: { ...(ns.resources?.requests ?? {}), storage: os.resources?.requests?.storage } };
    ns.volumeAttributesClassName = os.volumeAttributesClassName;
  }
  if (!deepEqual(ns, os)) {
    errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  const newSize = tryParseQuantity(n.spec?.resources?.requests?.storage);
  const oldSize = tryParseQuantity(o.spec?.resources?.requests?.storage);
  const statusSize = tryParseQuantity(o.status?.capacity?.storage);
  if (newSize && oldSize && newSize.cmp(oldSize) < 0 && (!statusSize || newSize.cmp(statusSize) <= 0)) {
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  }
  errs.push(...immutable(n.spec?.volumeMode, o.spec?.volumeMode, 'volumeMode'));
  return errs;
}

const RECLAIM = ['Delete', 'Recycle', 'Retain'];

export function validatePVSpec(spec: unknown, path: string): Errs {
  const s = isObj(spec) ? spec : {};
  const errs = validateAccessModes(s.accessModes, `${path}.accessModes`, '');
  const cap = isObj(s.capacity) ? s.capacity : {};
  const capKeys = Object.keys(cap);
  if (!capKeys.length) errs.push(required(`${path}.capacity`));
  if (cap.storage === undefined || capKeys.length > 1) errs.push(notSupported(`${path}.capacity`, cap, ['storage']));
  for (const k of capKeys) {
    const p = `${path}.capacity[${k}]`;
    const q = quantityAt(cap[k], p, errs);
    if (!q) continue;
    if (q.sign() < 0) errs.push(badValue(p, q.value(), 'must be a valid resource quantity'));
    if (q.sign() <= 0) errs.push(badValue(p, q.toString(), 'must be greater than zero'));
  }
  const reclaim = str(s.persistentVolumeReclaimPolicy);
  if (reclaim && !RECLAIM.includes(reclaim)) errs.push(notSupported(`${path}.persistentVolumeReclaimPolicy`, reclaim, RECLAIM));
  let hasAffinity = false;
  if (isObj(s.nodeAffinity)) {
    hasAffinity = true;
    if (isObj(s.nodeAffinity.required)) errs.push(...validateNodeSelector(s.nodeAffinity.required, `${path}.nodeAffinity.required`));
    else errs.push(required(`${path}.nodeAffinity.required`, 'must specify required node constraints'));
  }
  errs.push(...validatePVSource(s, path));
  if (isObj(s.local) && !hasAffinity) errs.push(required(`${path}.nodeAffinity`, 'Local volume requires node affinity'));
  if (isObj(s.hostPath) && str(s.hostPath.path).replace(/\/+$/, '') === '' && reclaim === 'Recycle') {
    errs.push(forbidden(`${path}.persistentVolumeReclaimPolicy`, "may not be 'recycle' for a hostPath mount of '/'"));
  }
  errs.push(...validateClassName(s.storageClassName, `${path}.storageClassName`));
  if (s.volumeMode !== undefined && !VOLUME_MODES.includes(str(s.volumeMode))) errs.push(notSupported(`${path}.volumeMode`, str(s.volumeMode), VOLUME_MODES));
  return errs;
}

export function validatePV(o: Obj): Errs {
  return [...validateObjectMeta(o.metadata, false, nameIsDNSSubdomain), ...validatePVSpec(o.spec, 'spec')];
}

const PV_NON_SOURCE = new Set(['accessModes', 'capacity', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName',
  'mountOptions', 'volumeMode', 'nodeAffinity', 'volumeAttributesClassName']);

export function validatePVUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validatePV(n), ...validateObjectMetaUpdate(n.metadata, o.metadata)];
  const src = (s: unknown): Obj => Object.fromEntries(Object.entries(isObj(s) ? s : {}).filter(([k]) => !PV_NON_SOURCE.has(k)));
  const ns = src(n.spec), os = src(o.spec);
  // controllerExpandSecretRef may be added later
  if (isObj(ns.csi) && isObj(os.csi) && !os.csi.controllerExpandSecretRef) ns.csi = { ...ns.csi, controllerExpandSecretRef: undefined };
  if (!deepEqual(ns, os)) errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  errs.push(...immutable(n.spec?.volumeMode, o.spec?.volumeMode, 'volumeMode'));
  if (isObj(o.spec?.nodeAffinity) && !deepEqual(n.spec?.nodeAffinity, o.spec.nodeAffinity)) {
    errs.push(badValue('nodeAffinity', n.spec?.nodeAffinity ?? null, 'field is immutable, except for updating from beta label to GA'));
  }
  return errs;
}

// kept for symmetry with other kinds: PV/PVC status updates only re-check metadata
export function validateStorageStatusUpdate(n: Obj, o: Obj): Errs {
  const errs = validateObjectMetaUpdate(n.metadata, o.metadata);
  for (const [k, v] of Object.entries(isObj(n.status?.capacity) ? n.status.capacity : {})) {
    const p = `status.capacity[${k}]`;
    const q = quantityAt(v, p, errs);
    if (q) errs.push(...validateQuantityValue('storage', q, v, p).filter(() => q.sign() < 0));
  }
  return errs;
}
