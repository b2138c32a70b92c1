/**
 * The small kinds: PodDisruptionBudget, PriorityClass, Lease, and Events (core/v1 and
 * events.k8s.io/v1).
 */
import { RESOURCES } from '../resources.js';
import { isDNS1123Subdomain, isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { notMoreThan100Percent, validateIntOrPercent } from './apps.js';
import { type Errs, type Obj, badValue, forbidden, immutable, isObj, nonNegative, notSupported, oneOf, required, str } from './util.js';

function validatePDBSpec(spec: Obj): Errs {
  const errs: Errs = [];
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(spec.minAvailable) && has(spec.maxUnavailable)) errs.push(badValue('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  for (const f of ['minAvailable', 'maxUnavailable']) {
    if (!has(spec[f])) continue;
    errs.push(...validateIntOrPercent(spec[f], `spec.${f}`), ...notMoreThan100Percent(spec[f], `spec.${f}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const uper = spec.unhealthyPodEvictionPolicy;
  if (has(uper) && !['AlwaysAllow', 'IfHealthyBudget'].includes(str(uper))) {
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', str(uper), ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}

export const validatePDB = (o: Obj): Errs =>
  [...validateObjectMeta(o.metadata, true, nameIsDNSSubdomain), ...validatePDBSpec(isObj(o.spec) ? o.spec : {})];
export const validatePDBUpdate = (n: Obj, o: Obj): Errs => [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validatePDBSpec(isObj(n.spec) ? n.spec : {})];
export function validatePDBStatusUpdate(n: Obj, o: Obj): Errs {
  const errs = validateObjectMetaUpdate(n.metadata, o.metadata);
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) errs.push(...nonNegative(n.status?.[f], `status.${f}`));
  return errs;
}

const HIGHEST_USER_PRIORITY = 1000000000;
const SYSTEM_CLASSES: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

export function validatePriorityClass(pc: Obj): Errs {
  const errs = validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain);
  const name = str(pc.metadata?.name);
  if (name in SYSTEM_CLASSES) {
    if (pc.value !== SYSTEM_CLASSES[name]) errs.push(forbidden('metadata.name', `priority class ${name} is reserved for system use only and must have value ${SYSTEM_CLASSES[name]}`));
  } else if (name.startsWith('system-')) {
    errs.push(forbidden('metadata.name', "priority class names with 'system-' prefix are reserved for system use only"));
  } else if (typeof pc.value === 'number' && pc.value > HIGHEST_USER_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  if (pc.preemptionPolicy !== undefined && pc.preemptionPolicy !== null) {
    errs.push(...oneOf(pc.preemptionPolicy, ['PreemptLowerPriority', 'Never'], 'preemptionPolicy'));
  }
  return errs;
}

export function validatePriorityClassUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validatePriorityClass(n)];
  if (n.value !== o.value) errs.push(forbidden('value', 'may not be changed in an update.'));
  return errs.concat(immutable(n.preemptionPolicy, o.preemptionPolicy, 'preemptionPolicy'));
}

export function validateLease(l: Obj): Errs {
  const errs = validateObjectMeta(l.metadata, true, nameIsDNSSubdomain);
  const s = isObj(l.spec) ? l.spec : {};
  if (typeof s.leaseDurationSeconds === 'number' && s.leaseDurationSeconds <= 0) {
    errs.push(badValue('spec.leaseDurationSeconds', s.leaseDurationSeconds, 'must be greater than 0'));
  }
  errs.push(...nonNegative(s.leaseTransitions, 'spec.leaseTransitions'));
  return errs;
}
export const validateLeaseUpdate = (n: Obj, o: Obj): Errs => [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateLease(n)];

/** events.k8s.io/v1 fields in core/v1 terms, so one validator serves both. */
function asCoreEvent(e: Obj): Obj {
  if (!str(e.apiVersion).startsWith('events.k8s.io/')) return e;
  return {
    ...e, involvedObject: e.regarding ?? {}, message: e.note, source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp, lastTimestamp: e.deprecatedLastTimestamp, count: e.deprecatedCount,
    reportingComponent: e.reportingController,
  };
}

function isNamespacedKind(kind: string, apiVersion: string): boolean | undefined {
  const r = RESOURCES.find(x => x.kind === kind && (x.group ? `${x.group}/${x.version}` : x.version) === apiVersion);
  return r?.namespaced;
}

export function validateEvent(ev: Obj): Errs {
  const strict = str(ev.apiVersion).startsWith('events.k8s.io/');
  const e = asCoreEvent(ev);
  const ns = str(e.metadata?.namespace);
  const io = isObj(e.involvedObject) ? e.involvedObject : {};
  const ioNs = str(io.namespace);
  const errs: Errs = [];
  if (!strict && !str(e.metadata?.name)) errs.push(required('metadata.name', 'name or generateName is required'));
  const rcField = strict ? 'reportingController' : 'reportingComponent';
  if (!e.eventTime) {
    if (!ioNs) {
      if (ns !== '' && ns !== 'default') errs.push(badValue('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    } else if (ns !== ioNs) errs.push(badValue('involvedObject.namespace', ioNs, 'does not match event.namespace'));
  } else {
    if (!ioNs && ns !== 'default' && ns !== 'kube-system') errs.push(badValue('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    const rc = str(e.reportingComponent);
    if (!rc) errs.push(required(rcField));
    errs.push(...isQualifiedName(rc).map(m => badValue(rcField, rc, m)));
    const limits: [string, number][] = [['reportingInstance', 128], ['action', 128], ['reason', 128]];
    for (const [f, max] of limits) {
      if (!str(e[f])) errs.push(required(f));
      if (str(e[f]).length > max) errs.push(badValue(f, '', `can have at most ${max} characters`));
    }
    if (str(e.message).length > 1024) errs.push(badValue('message', '', 'can have at most 1024 characters'));
  }
  const namespaced = isNamespacedKind(str(io.kind), str(io.apiVersion));
  if (namespaced === true && !ioNs) errs.push(required('involvedObject.namespace', `required for kind ${str(io.kind)}`));
  if (namespaced === false && ioNs) errs.push(badValue('involvedObject.namespace', ioNs, `not allowed for kind ${str(io.kind)}`));
  errs.push(...isDNS1123Subdomain(ns).map(m => badValue('namespace', ns, m)));
  if (!strict) return errs;
  // events.k8s.io/v1 is strict about the new-style fields
  errs.push(...validateObjectMeta(e.metadata, true, nameIsDNSSubdomain));
  if (!e.eventTime) errs.push(required('eventTime'));
  if (e.type !== 'Normal' && e.type !== 'Warning') errs.push(badValue('type', '', `has invalid value: ${str(e.type)}`));
  if (e.firstTimestamp) errs.push(badValue('firstTimestamp', '', 'needs to be unset'));
  if (e.lastTimestamp) errs.push(badValue('lastTimestamp', '', 'needs to be unset'));
  if (e.count) errs.push(badValue('count', '', 'needs to be unset'));
  if (isObj(e.source) && (str(e.source.component) || str(e.source.host))) errs.push(badValue('source', '', 'needs to be unset'));
  if (isObj(e.series)) {
    if (typeof e.series.count !== 'number' || e.series.count < 2) errs.push(badValue('series.count', '', 'should be at least 2'));
    if (!e.series.lastObservedTime) errs.push(required('series.lastObservedTime'));
  }
  return errs;
}

export function validateEventUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validateEvent(n), ...validateObjectMetaUpdate(n.metadata, o.metadata)];
  if (!str(n.apiVersion).startsWith('events.k8s.io/')) return errs;
  const a = asCoreEvent(n), b = asCoreEvent(o);
  for (const f of ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count',
    'reportingComponent', 'reportingInstance', 'action', 'type', 'eventTime', 'related']) {
    errs.push(...immutable(a[f], b[f], f));
  }
  return errs;
}
