/**
 * Workload controllers: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision
 * (pkg/apis/apps/validation) and ReplicationController (core). Selector immutability is the
 * apps/v1 strategy's rule.
 */
import { isValidPercent, nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import {
  selectorConvertible, selectorIsEmpty, selectorMatches, validateAnnotations, validateLabels, validateLabelSelector,
  validateObjectMeta, validateObjectMetaUpdate,
} from './meta.js';
import { validatePodAnnotations, validatePodTemplateSpec } from './podspec.js';
import {
  type Errs, type Obj, badValue, deepEqual, forbidden, immutable, isObj, labelSelectorRepr, nonNegative, notSupported,
  required, str, strMap, clone,
} from './util.js';

const NOT_MATCH = '`selector` does not match template `labels`';

/** ValidatePositiveIntOrPercent */
export function validateIntOrPercent(v: unknown, path: string): Errs {
  if (typeof v === 'string') return isValidPercent(v).map(m => badValue(path, v, m));
  if (typeof v === 'number') return nonNegative(v, path);
  return [];
}
function percentValue(v: unknown): number | undefined {
  return typeof v === 'string' && isValidPercent(v).length === 0 ? Number(v.slice(0, -1)) : undefined;
}
/** getIntOrPercentValue: a percent's number, an int, or 0 for anything else. */
export function intOrPercentValue(v: unknown): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return v;
  return typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : 0;
}
export function notMoreThan100Percent(v: unknown, path: string): Errs {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [badValue(path, v, 'must not be greater than 100%')] : [];
}

function templateErrs(tplPath: string, tpl: Obj, sel: Obj | undefined, kind: string): Errs {
  const errs: Errs = [];
  const labels = strMap(tpl.metadata?.labels);
  if (sel && !selectorIsEmpty(sel) && !selectorMatches(sel, labels)) errs.push(badValue(`${tplPath}.metadata.labels`, labels, NOT_MATCH));
  errs.push(...validatePodTemplateSpec(tpl, tplPath));
  const rp = str(tpl.spec?.restartPolicy);
  if (rp !== 'Always') errs.push(notSupported(`${tplPath}.spec.restartPolicy`, rp, ['Always']));
  if (tpl.spec?.activeDeadlineSeconds !== undefined && tpl.spec?.activeDeadlineSeconds !== null) {
    errs.push(forbidden(`${tplPath}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

/** Shared by Deployment and ReplicaSet (ValidateReplicaSetSpec / ValidateDeploymentSpec). */
function replicaSetLike(spec: Obj, kind: string, emptyWord: string): Errs {
  const errs: Errs = [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  const sel = spec.selector;
  if (!isObj(sel)) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (selectorIsEmpty(sel)) errs.push(badValue('spec.selector', labelSelectorRepr(sel), `empty selector is invalid for ${emptyWord}`));
  }
  if (!selectorConvertible(sel)) errs.push(badValue('spec.selector', labelSelectorRepr(sel), 'invalid label selector'));
  else errs.push(...templateErrs('spec.template', isObj(spec.template) ? spec.template : {}, isObj(sel) ? sel : undefined, kind));
  return errs;
}

function validateDeploymentSpec(spec: Obj): Errs {
  const errs = replicaSetLike(spec, 'Deployment', 'deployment');
  const st = isObj(spec.strategy) ? spec.strategy : {};
  if (st.type === 'Recreate') {
    if (st.rollingUpdate !== undefined && st.rollingUpdate !== null) {
      errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
    }
  } else if (st.type === 'RollingUpdate') {
    const ru = st.rollingUpdate;
    if (!isObj(ru)) errs.push(required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
    else {
      const p = 'spec.strategy.rollingUpdate';
      errs.push(...validateIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validateIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(badValue(`${p}.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
    }
  } else {
    errs.push(notSupported('spec.strategy', st, ['Recreate', 'RollingUpdate']));
  }
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(badValue('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

const specOf = (o: Obj): Obj => (isObj(o.spec) ? o.spec : {});
const selectorImmutable = (n: Obj, o: Obj): Errs =>
  deepEqual(specOf(n).selector, specOf(o).selector) ? [] : [badValue('spec.selector', labelSelectorRepr(specOf(n).selector), 'field is immutable')];

export const validateDeployment = (o: Obj): Errs =>
  [...validateObjectMeta(o.metadata, true, nameIsDNSSubdomain), ...validateDeploymentSpec(specOf(o))];
export const validateDeploymentUpdate = (n: Obj, o: Obj): Errs =>
  [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateDeploymentSpec(specOf(n)), ...selectorImmutable(n, o)];

export const validateReplicaSet = (o: Obj): Errs =>
  [...validateObjectMeta(o.metadata, true, nameIsDNSSubdomain), ...replicaSetLike(specOf(o), 'ReplicaSet', 'deployment')];
export const validateReplicaSetUpdate = (n: Obj, o: Obj): Errs =>
  [...validateObjectMetaUpdate(n.metadata, o.metadata), ...replicaSetLike(specOf(n), 'ReplicaSet', 'deployment'), ...selectorImmutable(n, o)];

function validateDaemonSetSpec(spec: Obj): Errs {
  const sel = spec.selector;
  const errs: Errs = validateLabelSelector(sel, 'spec.selector');
  const tpl = isObj(spec.template) ? spec.template : {};
  const labels = strMap(tpl.metadata?.labels);
  if (selectorConvertible(sel) && !selectorMatches(isObj(sel) ? sel : {}, labels) && isObj(sel)) {
    errs.push(badValue('spec.template.metadata.labels', labels, NOT_MATCH));
  }
  if (!isObj(sel)) errs.push(badValue('spec.template.metadata.labels', labels, NOT_MATCH));
  if (isObj(sel) && selectorIsEmpty(sel)) errs.push(badValue('spec.selector', labelSelectorRepr(sel), 'empty selector is invalid for daemonset'));
  errs.push(...templateErrs('spec.template', tpl, undefined, 'DaemonSet'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const st = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  if (st.type === 'RollingUpdate') {
    const ru = st.rollingUpdate;
    if (!isObj(ru)) errs.push(required('spec.updateStrategy.rollingUpdate'));
    else {
      const p = 'spec.updateStrategy.rollingUpdate';
      errs.push(...validateIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validateIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`), ...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const u = intOrPercentValue(ru.maxUnavailable) !== 0, s = intOrPercentValue(ru.maxSurge) !== 0;
      if (u && s) errs.push(badValue(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      if (!u && !s) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    }
  } else if (st.type !== 'OnDelete') {
    errs.push(notSupported('spec.updateStrategy', st, ['RollingUpdate', 'OnDelete']));
  }
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

export const validateDaemonSet = (o: Obj): Errs =>
  [...validateObjectMeta(o.metadata, true, nameIsDNSSubdomain), ...validateDaemonSetSpec(specOf(o))];
export const validateDaemonSetUpdate = (n: Obj, o: Obj): Errs =>
  [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateDaemonSetSpec(specOf(n)), ...selectorImmutable(n, o)];

function validateStatefulSetSpec(spec: Obj): Errs {
  const errs: Errs = [];
  const pmp = str(spec.podManagementPolicy);
  if (!pmp) errs.push(required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(badValue('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const st = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  const ru = st.rollingUpdate;
  if (!str(st.type)) errs.push(required('spec.updateStrategy'));
  else if (st.type === 'OnDelete') {
    if (ru !== undefined && ru !== null) errs.push(badValue('spec.updateStrategy.rollingUpdate', ru, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (st.type === 'RollingUpdate') {
    if (isObj(ru)) {
      errs.push(...nonNegative(ru.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
        const p = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
        errs.push(...validateIntOrPercent(ru.maxUnavailable, p));
        if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(badValue(p, ru.maxUnavailable, 'cannot be 0'));
        errs.push(...notMoreThan100Percent(ru.maxUnavailable, p));
      }
    }
  } else {
    errs.push(badValue('spec.updateStrategy', st, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const pol = spec.persistentVolumeClaimRetentionPolicy;
  if (isObj(pol)) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      if (!['Retain', 'Delete'].includes(str(pol[f]))) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, str(pol[f]), ['Retain', 'Delete']));
    }
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (isObj(spec.ordinals)) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  const sel = spec.selector;
  if (!isObj(sel)) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (selectorIsEmpty(sel)) errs.push(badValue('spec.selector', labelSelectorRepr(sel), 'empty selector is invalid for statefulset'));
  }
  const tpl = isObj(spec.template) ? spec.template : {};
  if (!selectorConvertible(sel)) errs.push(badValue('spec.selector', labelSelectorRepr(sel), ''));
  else {
    const labels = strMap(tpl.metadata?.labels);
    if (isObj(sel) && !selectorIsEmpty(sel) && !selectorMatches(sel, labels)) errs.push(badValue('spec.template.metadata.labels', labels, NOT_MATCH));
    // upstream validates only the template's metadata here, not its pod spec
    errs.push(...validateLabels(tpl.metadata?.labels, 'spec.template.labels'));
    errs.push(...validateAnnotations(tpl.metadata?.annotations, 'spec.template.annotations'));
    errs.push(...validatePodAnnotations(tpl.metadata?.annotations, isObj(tpl.spec) ? tpl.spec : {}, 'spec.template.annotations'));
  }
  const rp = str(tpl.spec?.restartPolicy);
  if (rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  if (tpl.spec?.activeDeadlineSeconds !== undefined && tpl.spec?.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

export const validateStatefulSet = (o: Obj): Errs =>
  [...validateObjectMeta(o.metadata, true, nameIsDNSLabel), ...validateStatefulSetSpec(specOf(o))];

export function validateStatefulSetUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateStatefulSetSpec(specOf(n))];
  const c = clone(specOf(n)), os = specOf(o);
  for (const f of ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy']) c[f] = os[f];
  if (!deepEqual(c, os)) {
    errs.push(forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

export function validateControllerRevision(o: Obj): Errs {
  const errs = validateObjectMeta(o.metadata, true, nameIsDNSSubdomain);
  if (o.data === undefined || o.data === null) errs.push(required('data', 'data is mandatory'));
  return errs.concat(nonNegative(o.revision, 'revision'));
}
export const validateControllerRevisionUpdate = (n: Obj, o: Obj): Errs =>
  [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateControllerRevision(n), ...immutable(n.data, o.data, 'data')];

function validateRCSpec(spec: Obj): Errs {
  const errs: Errs = nonNegative(spec.minReadySeconds, 'spec.minReadySeconds');
  const sel = strMap(spec.selector);
  if (Object.keys(sel).length === 0) errs.push(required('spec.selector'));
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  if (!isObj(spec.template)) errs.push(required('spec.template'));
  else errs.push(...templateErrs('spec.template', spec.template, Object.keys(sel).length ? { matchLabels: sel } : undefined, 'ReplicationController'));
  return errs;
}

export const validateReplicationController = (o: Obj): Errs =>
  [...validateObjectMeta(o.metadata, true, nameIsDNSSubdomain), ...validateRCSpec(specOf(o))];
export const validateReplicationControllerUpdate = (n: Obj, o: Obj): Errs =>
  [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateRCSpec(specOf(n))];

/** Status updates of the replica-counting controllers: non-negative and consistent counts. */
export function validateReplicaStatusUpdate(n: Obj, o: Obj): Errs {
  const errs = validateObjectMetaUpdate(n.metadata, o.metadata);
  const s = isObj(n.status) ? n.status : {};
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'updatedReplicas', 'currentReplicas',
    'unavailableReplicas', 'observedGeneration', 'collisionCount', 'currentNumberScheduled', 'numberMisscheduled',
    'desiredNumberScheduled', 'numberReady', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable']) {
    errs.push(...nonNegative(s[f], `status.${f}`));
  }
  const replicas = s.replicas ?? 0;
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'updatedReplicas', 'currentReplicas']) {
    if ((s[f] ?? 0) > replicas) errs.push(badValue(`status.${f}`, s[f], 'cannot be greater than status.replicas'));
  }
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(badValue('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  const oc = o.status?.collisionCount;
  if (typeof oc === 'number' && (typeof s.collisionCount !== 'number' || s.collisionCount < oc)) {
    errs.push(badValue('status.collisionCount', s.collisionCount ?? 0, 'cannot be decremented'));
  }
  return errs;
}
