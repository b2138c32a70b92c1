/**
 * Scheduling constraints in pod specs: tolerations, node selectors and affinity,
 * topology spread, plus node taints (which share the effect rules).
 */
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import { validateLabelSelector } from './meta.js';
import {
  type Errs, type Obj, arr, badValue, duplicate, forbidden, isObj, notSupported, required, str,
} from './util.js';

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateTaintEffect(effect: string, allowEmpty: boolean, path: string): Errs {
  if (!allowEmpty && !effect) return [required(path)];
  return EFFECTS.includes(effect) ? [] : [notSupported(path, effect, EFFECTS)];
}

export function validateTolerations(tols: unknown, path: string): Errs {
  const errs: Errs = [];
  arr(tols).forEach((t, i) => {
    const p = `${path}[${i}]`;
    const key = str(t.key), op = str(t.operator), value = str(t.value), effect = str(t.effect);
    if (key) errs.push(...isQualifiedName(key).map(m => badValue(`${p}.key`, key, m)));
    if (!key && op !== 'Exists') {
      errs.push(badValue(`${p}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== 'NoExecute') {
      errs.push(badValue(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length) errs.push(badValue(`${p}.operator`, value, msgs.join(';')));
    } else if (op === 'Exists') {
      if (value) errs.push(badValue(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(`${p}.operator`, op, ['Equal', 'Exists']));
    }
    if (effect) errs.push(...validateTaintEffect(effect, true, `${p}.effect`));
  });
  return errs;
}

export function validateTaints(taints: unknown, path: string): Errs {
  const errs: Errs = [];
  const seen = new Set<string>();
  arr(taints).forEach((t, i) => {
    const p = `${path}[${i}]`;
    errs.push(...isQualifiedName(str(t.key)).map(m => badValue(`${p}.key`, str(t.key), m)));
    const vm = isValidLabelValue(str(t.value));
    if (vm.length) errs.push(badValue(`${p}.value`, str(t.value), vm.join(';')));
    errs.push(...validateTaintEffect(str(t.effect), false, `${p}.effect`));
    const k = `${str(t.effect)}\u0000${str(t.key)}`;
    if (seen.has(k)) {
      const e = duplicate(p, t);
      errs.push(Object.assign(e, { detail: 'taints must be unique by key and effect pair' }));
    }
    seen.add(k);
  });
  return errs;
}

function validateNodeSelectorRequirement(rq: Obj, allowInvalidValue: boolean, path: string): Errs {
  const errs: Errs = [];
  const values = arr<string>(rq.values);
  switch (rq.operator) {
    case 'In': case 'NotIn':
      if (!values.length) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length) errs.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt': case 'Lt':
      if (values.length !== 1) errs.push(required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(badValue(`${path}.operator`, rq.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...isQualifiedName(str(rq.key)).map(m => badValue(`${path}.key`, str(rq.key), m)));
  if (!allowInvalidValue) {
    values.forEach((v, i) => errs.push(...isValidLabelValue(str(v)).map(m => badValue(`${path}.values[${i}]`, v, m))));
  }
  return errs;
}

function validateNodeSelectorTerm(term: Obj, allowInvalidValue: boolean, path: string): Errs {
  const errs: Errs = [];
  arr(term.matchExpressions).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(r, allowInvalidValue, `${path}.matchExpressions[${j}]`)));
  arr(term.matchFields).forEach((r, j) => {
    const p = `${path}.matchFields[${j}]`;
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if (arr(r.values).length !== 1) errs.push(required(`${p}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else errs.push(badValue(`${p}.operator`, r.operator ?? '', 'not a valid selector operator'));
    if (r.key !== 'metadata.name') errs.push(badValue(`${p}.key`, str(r.key), 'not a valid field selector key'));
    else arr<string>(r.values).forEach((v, i) => errs.push(...nameIsDNSSubdomain(str(v), false).map(m => badValue(`${p}.values[${i}]`, v, m))));
  });
  return errs;
}

export function validateNodeSelector(ns: unknown, path: string): Errs {
  const terms = arr(isObj(ns) ? ns.nodeSelectorTerms : undefined);
  if (!terms.length) return [required(`${path}.nodeSelectorTerms`, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(t, false, `${path}.nodeSelectorTerms[${i}]`));
}

function validatePodAffinityTerm(t: Obj, path: string): Errs {
  const errs: Errs = [
    ...validateLabelSelector(t.labelSelector, `${path}.labelSelector`),
    ...validateLabelSelector(t.namespaceSelector, `${path}.namespaceSelector`),
  ];
  for (const ns of arr<string>(t.namespaces)) errs.push(...nameIsDNSLabel(str(ns), false).map(m => badValue(`${path}.namespace`, ns, m)));
  for (const kind of ['matchLabelKeys', 'mismatchLabelKeys']) {
    const keys = arr<string>(t[kind]);
    if (keys.length && !isObj(t.labelSelector)) errs.push(forbidden(`${path}.${kind}`, 'must not be specified when labelSelector is not set'));
    keys.forEach((k, i) => errs.push(...isQualifiedName(str(k)).map(m => badValue(`${path}.${kind}[${i}]`, k, m))));
  }
  if (!str(t.topologyKey)) errs.push(required(`${path}.topologyKey`, 'can not be empty'));
  errs.push(...isQualifiedName(str(t.topologyKey)).map(m => badValue(`${path}.topologyKey`, str(t.topologyKey), m)));
  return errs;
}

function validatePodAffinity(a: unknown, path: string): Errs {
  if (!isObj(a)) return [];
  const errs: Errs = [];
  arr(a.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) =>
    errs.push(...validatePodAffinityTerm(t, `${path}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)));
  arr(a.preferredDuringSchedulingIgnoredDuringExecution).forEach((w, i) => {
    const p = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    if (!(w.weight > 0 && w.weight <= 100)) errs.push(badValue(`${p}.weight`, w.weight ?? 0, 'must be in the range 1-100'));
    errs.push(...validatePodAffinityTerm(isObj(w.podAffinityTerm) ? w.podAffinityTerm : {}, `${p}.podAffinityTerm`));
  });
  return errs;
}

export function validateAffinity(aff: unknown, path: string): Errs {
  if (!isObj(aff)) return [];
  const errs: Errs = [];
  const na = aff.nodeAffinity;
  if (isObj(na)) {
    const p = `${path}.nodeAffinity`;
    if (isObj(na.requiredDuringSchedulingIgnoredDuringExecution)) {
      errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, `${p}.requiredDuringSchedulingIgnoredDuringExecution`));
    }
    arr(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
      const tp = `${p}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      if (!(t.weight > 0 && t.weight <= 100)) errs.push(badValue(`${tp}.weight`, t.weight ?? 0, 'must be in the range 1-100'));
      // preferred terms tolerate invalid label values
      errs.push(...validateNodeSelectorTerm(isObj(t.preference) ? t.preference : {}, true, `${tp}.preference`));
    });
  }
  errs.push(...validatePodAffinity(aff.podAffinity, `${path}.podAffinity`));
  errs.push(...validatePodAffinity(aff.podAntiAffinity, `${path}.podAntiAffinity`));
  return errs;
}

export function validateTopologySpread(cs: unknown, path: string): Errs {
  const errs: Errs = [];
  const list = arr(cs);
  list.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!(typeof c.maxSkew === 'number' && c.maxSkew > 0)) errs.push(badValue(`${p}.maxSkew`, c.maxSkew ?? 0, 'must be greater than zero'));
    if (!str(c.topologyKey)) errs.push(required(`${p}.topologyKey`, 'can not be empty'));
    const wu = str(c.whenUnsatisfiable);
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(wu)) errs.push(notSupported(`${p}.whenUnsatisfiable`, wu, ['DoNotSchedule', 'ScheduleAnyway']));
    if (list.slice(i + 1).some(o => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(duplicate(`${p}.{topologyKey, whenUnsatisfiable}`, `{${str(c.topologyKey)}, ${wu}}`));
    }
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (!(c.minDomains > 0)) errs.push(badValue(`${p}.minDomains`, c.minDomains, 'must be greater than zero'));
      if (wu !== 'DoNotSchedule') errs.push(badValue(`${p}.minDomains`, c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${wu}`));
    }
    for (const f of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (c[f] !== undefined && c[f] !== null && !['Honor', 'Ignore'].includes(str(c[f]))) errs.push(notSupported(`${p}.${f}`, str(c[f]), ['Honor', 'Ignore']));
    }
    errs.push(...validateLabelSelector(c.labelSelector, `${p}.labelSelector`));
  });
  return errs;
}
