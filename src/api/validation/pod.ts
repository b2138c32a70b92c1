/**
 * Pods (create, update, status, ephemeral containers) and PodTemplates.
 */
import { isQualifiedName, isValidIP, IP_MSG, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePodAnnotations, validatePodSpec, validatePodTemplateSpec } from './podspec.js';
import { validateTolerations } from './scheduling.js';
import {
  type Errs, type Obj, arr, badValue, clone, deepEqual, duplicate, forbidden, goValue, immutable, inclusiveRange, isObj,
  required, str,
} from './util.js';

const MAX_INT32 = 2147483647;

function podMetaAndSpec(pod: Obj): Errs {
  const meta = isObj(pod.metadata) ? pod.metadata : {};
  const spec = isObj(pod.spec) ? pod.spec : {};
  const errs: Errs = [
    ...validateObjectMeta(meta, true, nameIsDNSSubdomain),
    ...validatePodAnnotations(meta.annotations, spec, 'metadata.annotations'),
    ...validatePodSpec(spec, 'spec', { isPod: true, podName: str(meta.name) }),
  ];
  if (!str(spec.serviceAccountName)) {
    arr(spec.volumes).forEach((v, vi) => arr(v.projected?.sources).forEach((s, si) => {
      if (isObj(s.serviceAccountToken)) {
        errs.push(forbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
      }
    }));
  }
  for (const kind of ['containers', 'initContainers']) {
    arr(spec[kind]).forEach((c, i) => {
      if (str(c.image).trim() !== str(c.image)) errs.push(badValue(`spec.${kind}[${i}].image`, c.image, 'must not have leading or trailing whitespace'));
    });
  }
  return errs;
}

export function validatePod(pod: Obj): Errs {
  const errs = podMetaAndSpec(pod);
  const spec = isObj(pod.spec) ? pod.spec : {};
  if (arr(spec.ephemeralContainers).length) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (str(spec.nodeName) && arr(spec.schedulingGates).length) {
    errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

function annotationUpdates(n: Obj, o: Obj): Errs {
  const na: Record<string, string> = n.metadata?.annotations ?? {};
  const oa: Record<string, string> = o.metadata?.annotations ?? {};
  const errs: Errs = [];
  const mirror = 'kubernetes.io/config.mirror';
  const apparmor = 'container.apparmor.security.beta.kubernetes.io/';
  for (const [k, v] of Object.entries(oa)) {
    if (k in na && na[k] === v) continue;
    if (k.startsWith(apparmor)) errs.push(forbidden(`metadata.annotations[${k}]`, 'may not remove or update AppArmor annotations'));
    if (k === mirror) errs.push(forbidden(`metadata.annotations[${k}]`, 'may not remove or update mirror pod annotation'));
  }
  for (const k of Object.keys(na)) {
    if (k in oa) continue;
    if (k.startsWith(apparmor)) errs.push(forbidden(`metadata.annotations[${k}]`, 'may not add AppArmor annotations'));
    if (k === mirror) errs.push(forbidden(`metadata.annotations[${k}]`, 'may not add mirror pod annotation'));
  }
  return errs;
}

const UPDATABLE = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** A small stand-in for upstream's cmp.Diff of the specs: one -/+ pair per changed field. */
function specDiff(oldSpec: Obj, newSpec: Obj): string {
  const lines = ['  core.PodSpec{'];
  for (const k of new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])) {
    if (deepEqual(oldSpec[k], newSpec[k])) continue;
    if (oldSpec[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(oldSpec[k])},`);
    if (newSpec[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(newSpec[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

function onlyAddedTolerations(newT: unknown, oldT: unknown): Errs {
  for (const old of arr(oldT)) {
    const found = arr(newT).some(t => deepEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!found) return [forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(newT, 'spec.tolerations');
}

export function validatePodUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validateObjectMetaUpdate(n.metadata, o.metadata), ...podMetaAndSpec(n), ...annotationUpdates(n, o)];
  const ns: Obj = isObj(n.spec) ? n.spec : {};
  const os: Obj = isObj(o.spec) ? o.spec : {};
  for (const kind of ['containers', 'initContainers']) {
    const nc = arr(ns[kind]), oc = arr(os[kind]);
    if (nc.length !== oc.length) return [...errs, forbidden(`spec.${kind}`, 'pod updates may not add or remove containers')];
    nc.forEach((c, i) => {
      if (!str(c.image)) errs.push(required(`spec.${kind}[${i}].image`));
    });
  }
  const nad = ns.activeDeadlineSeconds, oad = os.activeDeadlineSeconds;
  if (typeof nad === 'number') {
    if (nad < 0 || nad > MAX_INT32) return [...errs, badValue('spec.activeDeadlineSeconds', nad, inclusiveRange(0, MAX_INT32))];
    if (typeof oad === 'number' && oad < nad) return [...errs, badValue('spec.activeDeadlineSeconds', nad, 'must be less than or equal to previous value')];
  } else if (typeof oad === 'number') {
    errs.push(badValue('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...onlyAddedTolerations(ns.tolerations, os.tolerations));
  // scheduling gates may only be removed
  const oldGates = new Set(arr(os.schedulingGates).map(g => str(g.name)));
  arr(ns.schedulingGates).forEach((g, i) => {
    if (!oldGates.has(str(g.name))) errs.push(forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${str(g.name)}'`));
  });
  if (deepEqual(ns, os)) return errs;
  const m = clone(ns);
  for (const kind of ['containers', 'initContainers']) {
    if (Array.isArray(m[kind])) m[kind] = m[kind].map((c: Obj, i: number) => ({ ...c, image: os[kind][i]?.image }));
  }
  m.activeDeadlineSeconds = os.activeDeadlineSeconds;
  m.schedulingGates = os.schedulingGates;
  m.tolerations = os.tolerations;
  if (typeof os.terminationGracePeriodSeconds === 'number' && os.terminationGracePeriodSeconds < 0 && m.terminationGracePeriodSeconds === 1) {
    m.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  }
  if (arr(os.schedulingGates).length) {
    // gated pods may gain nodeSelector entries and node affinity terms
    const oldSel: Record<string, string> = os.nodeSelector ?? {};
    const newSel: Record<string, string> = m.nodeSelector ?? {};
    if (!deepEqual(newSel, oldSel)) {
      if (Object.entries(oldSel).some(([k, v]) => newSel[k] !== v)) {
        errs.push(badValue('spec.nodeSelector', newSel, 'only additions to spec.nodeSelector are allowed (no mutations or deletions)'));
      }
      m.nodeSelector = os.nodeSelector;
    }
    if (!deepEqual(m.affinity?.nodeAffinity, os.affinity?.nodeAffinity)) {
      m.affinity = os.affinity === undefined && !m.affinity?.podAffinity && !m.affinity?.podAntiAffinity
        ? undefined : { ...(m.affinity ?? {}), nodeAffinity: os.affinity?.nodeAffinity };
    }
  }
  if (!deepEqual(m, os)) {
    errs.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE.join(',')}\n${specDiff(os, m)}`));
  }
  return errs;
}

function stateTransitions(newS: unknown, oldS: unknown, path: string, restartPolicy: string, sidecars: Set<string> = new Set()): Errs {
  if (restartPolicy === 'Always') return [];
  const errs: Errs = [];
  arr(oldS).forEach((old, i) => {
    const term = old.state?.terminated;
    if (!isObj(term)) return;
    if (term.exitCode !== 0 && restartPolicy === 'OnFailure') return;
    if (sidecars.has(str(old.name))) return;
    for (const s of arr(newS)) {
      if (s.name === old.name && !isObj(s.state?.terminated)) errs.push(forbidden(`${path}[${i}].state`, 'may not be transitioned to non-terminated state'));
    }
  });
  return errs;
}

function validateIPs(list: unknown, path: string): Errs {
  const errs: Errs = [];
  const ips = arr(list).map(x => str(x.ip));
  ips.forEach((ip, i) => { if (!isValidIP(ip)) errs.push(badValue(`${path}[${i}]`, ip, IP_MSG)); });
  if (ips.length > 1) {
    const v6 = ips.filter(ip => ip.includes(':')).length;
    if (ips.length > 2 || v6 !== 1) errs.push(badValue(path, arr(list), 'may specify no more than one IP for each IP family'));
    ips.forEach((ip, i) => { if (ips.indexOf(ip) !== i) errs.push(duplicate(`${path}[${i}]`, arr(list)[i])); });
  }
  return errs;
}

export function validatePodStatusUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validateObjectMetaUpdate(n.metadata, o.metadata), ...annotationUpdates(n, o)];
  const system = new Set(['PodScheduled', 'Ready', 'Initialized']);
  arr(n.status?.conditions).forEach((c, i) => {
    if (system.has(str(c.type))) return;
    errs.push(...isQualifiedName(str(c.type)).map(m => badValue(`metadata.conditions[${i}].Type`, str(c.type), m)));
  });
  if (str(n.spec?.nodeName) !== str(o.spec?.nodeName)) errs.push(forbidden('status.nodeName', 'may not be changed directly'));
  const nominated = str(n.status?.nominatedNodeName);
  if (nominated && nominated !== str(o.status?.nominatedNodeName)) {
    errs.push(...nameIsDNSSubdomain(nominated, false).map(m => badValue('status.nominatedNodeName', nominated, m)));
  }
  errs.push(...immutable(str(n.status?.qosClass), str(o.status?.qosClass), 'status.qosClass'));
  const rp = str(o.spec?.restartPolicy);
  const sidecars = new Set(arr(o.spec?.initContainers).filter(c => c.restartPolicy === 'Always').map(c => str(c.name)));
  errs.push(...stateTransitions(n.status?.containerStatuses, o.status?.containerStatuses, 'status.containerStatuses', rp));
  errs.push(...stateTransitions(n.status?.initContainerStatuses, o.status?.initContainerStatuses, 'status.initContainerStatuses', rp, sidecars));
  errs.push(...stateTransitions(n.status?.ephemeralContainerStatuses, o.status?.ephemeralContainerStatuses, 'status.ephemeralContainerStatuses', 'Never'));
  errs.push(...validateIPs(n.status?.podIPs, 'status.podIPs'));
  const hostIPs = arr(n.status?.hostIPs);
  if (hostIPs.length) {
    if (str(n.status?.hostIP) !== str(hostIPs[0].ip)) errs.push(badValue('status.hostIPs[0].ip', str(hostIPs[0].ip), 'must be equal to `hostIP`'));
    errs.push(...validateIPs(hostIPs, 'status.hostIPs'));
  }
  return errs;
}

/** The ephemeralcontainers subresource: may only add ephemeral containers. */
export function validatePodEphemeralContainersUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validateObjectMetaUpdate(n.metadata, o.metadata), ...podMetaAndSpec(n), ...annotationUpdates(n, o)];
  if (o.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) {
    return [forbidden('', 'static pods do not support ephemeral containers')];
  }
  const byName = new Map(arr(n.spec?.ephemeralContainers).map(c => [str(c.name), c]));
  for (const old of arr(o.spec?.ephemeralContainers)) {
    const cur = byName.get(str(old.name));
    if (!cur) errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers ${goValue(str(old.name))} may not be removed\n`));
    else if (!deepEqual(old, cur)) errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers ${goValue(str(old.name))} may not be changed\n`));
  }
  return errs;
}

export function validatePodTemplate(t: Obj): Errs {
  return [...validateObjectMeta(t.metadata, true, nameIsDNSSubdomain), ...validatePodTemplateSpec(t.template, 'template')];
}

export function validatePodTemplateUpdate(n: Obj, o: Obj): Errs {
  return [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validatePodTemplateSpec(n.template, 'template')];
}
