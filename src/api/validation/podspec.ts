/**
 * PodSpec and PodTemplateSpec (ValidatePodSpec, ValidatePodTemplateSpec and the
 * pod-specific annotation rules). Pods add their own checks in pod.ts.
 */
import {
  isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, IP_MSG, nameIsDNSSubdomain,
} from './names.js';
import { validateAnnotations, validateLabels } from './meta.js';
import { validateContainers, validateEphemeralContainers, validateInitContainers, type PodContext } from './container.js';
import { validatePodSecurityContext } from './probes.js';
import { validateResourceRequirements } from './resources.js';
import { validateAffinity, validateTolerations, validateTopologySpread } from './scheduling.js';
import { validateVolumes } from './volumes.js';
import {
  type Errs, type Obj, arr, badValue, duplicate, forbidden, inclusiveRange, isObj, notSupported, oneOf, required, str, strMap,
} from './util.js';

export interface PodSpecOptions {
  /** The spec belongs to a Pod (not a template): stricter hostNetwork port rules, image volumes. */
  isPod?: boolean;
  /** Pod name, for generic ephemeral volume PVC names. */
  podName?: string;
}

const MAX_INT32 = 2147483647;
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

function validateDNSConfig(cfg: unknown, dnsPolicy: string, path: string): Errs {
  if (dnsPolicy === 'None') {
    if (!isObj(cfg)) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!arr(cfg.nameservers).length) return [required(`${path}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!isObj(cfg)) return [];
  const errs: Errs = [];
  const ns = arr<string>(cfg.nameservers);
  if (ns.length > 3) errs.push(badValue(`${path}.nameservers`, ns, 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => { if (!isValidIP(str(n))) errs.push(badValue(`${path}.nameservers[${i}]`, n, IP_MSG)); });
  const searches = arr<string>(cfg.searches);
  if (searches.length > 32) errs.push(badValue(`${path}.searches`, searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(badValue(`${path}.searches`, searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    const v = str(s).replace(/\.$/, '');
    errs.push(...isDNS1123Subdomain(v).map(m => badValue(`${path}.searches[${i}]`, v, m)));
  });
  arr(cfg.options).forEach((o, i) => { if (!str(o.name)) errs.push(required(`${path}.options[${i}]`, 'must not be empty')); });
  return errs;
}

function validateHostNetworkPorts(spec: Obj, path: string, isPod: boolean): Errs {
  if (spec.hostNetwork !== true) return [];
  const errs: Errs = [];
  arr(spec.containers).forEach((c, i) => arr(c.ports).forEach((p, j) => {
    const hp = p.hostPort ?? 0, cp = p.containerPort ?? 0;
    if ((isPod || hp !== 0) && hp !== cp) {
      errs.push(badValue(`${path}.containers[${i}].ports[${j}].hostPort`, hp, 'must match `containerPort` when `hostNetwork` is true'));
    }
  }));
  return errs;
}

function nameList(v: unknown, path: string, fn = nameIsDNSSubdomain): Errs {
  const s = str(v);
  return s ? fn(s, false).map(m => badValue(path, s, m)) : [];
}

export function validatePodSpec(spec: unknown, path: string, opts: PodSpecOptions = {}): Errs {
  const s = isObj(spec) ? spec : {};
  const errs: Errs = [];
  if (typeof s.terminationGracePeriodSeconds !== 'number') errs.push(required(`${path}.terminationGracePeriodSeconds`));
  const hostUsers = s.hostUsers !== false;
  const { vols, errs: vErrs } = validateVolumes(s.volumes, `${path}.volumes`, opts.isPod ? opts.podName ?? '' : '');
  errs.push(...vErrs);
  const claims = new Set<string>();
  arr(s.resourceClaims).forEach((c, i) => {
    const p = `${path}.resourceClaims[${i}]`;
    const name = str(c.name);
    if (!name) errs.push(required(`${p}.name`));
    else if (claims.has(name)) errs.push(duplicate(`${p}.name`, name));
    else { errs.push(...isDNS1123Label(name).map(m => badValue(`${p}.name`, name, m))); claims.add(name); }
    const n = (c.resourceClaimName ? 1 : 0) + (c.resourceClaimTemplateName ? 1 : 0);
    if (n === 2) errs.push(badValue(p, c, 'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified'));
    if (n === 0) errs.push(badValue(p, c, 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`'));
  });
  const ctx: PodContext = {
    vols, claims, grace: typeof s.terminationGracePeriodSeconds === 'number' ? s.terminationGracePeriodSeconds : undefined,
    restartPolicy: str(s.restartPolicy), hostUsers,
  };
  errs.push(...validateContainers(s.containers, ctx, `${path}.containers`));
  errs.push(...validateInitContainers(s.initContainers, s.containers, ctx, `${path}.initContainers`));
  errs.push(...validateEphemeralContainers(s.ephemeralContainers, s, ctx, `${path}.ephemeralContainers`));
  errs.push(...validateHostNetworkPorts(s, path, !!opts.isPod));
  errs.push(...oneOf(s.restartPolicy, ['Always', 'OnFailure', 'Never'], `${path}.restartPolicy`));
  errs.push(...oneOf(s.dnsPolicy, DNS_POLICIES, `${path}.dnsPolicy`));
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  errs.push(...validatePodSecurityContext(s.securityContext, `${path}.securityContext`));
  if (s.shareProcessNamespace === true && s.hostPID === true) {
    errs.push(badValue(`${path}.securityContext.shareProcessNamespace`, true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  if (!hostUsers) {
    for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (s[f] === true) errs.push(forbidden(`${path}.${f}`, 'when `pod.Spec.HostUsers` is false'));
  }
  arr(s.imagePullSecrets).forEach((r, i) => {
    if (Object.keys(r).some(k => k !== 'name')) errs.push(badValue(`${path}.imagePullSecrets[${i}]`, r, 'only name may be set'));
  });
  errs.push(...validateAffinity(s.affinity, `${path}.affinity`));
  errs.push(...validateDNSConfig(s.dnsConfig, str(s.dnsPolicy), `${path}.dnsConfig`));
  arr(s.readinessGates).forEach((g, i) => {
    const ct = str(g.conditionType);
    errs.push(...isQualifiedName(ct).map(m => badValue(`${path}.readinessGates[${i}].conditionType`, ct, m)));
  });
  const gates = new Set<string>();
  arr(s.schedulingGates).forEach((g, i) => {
    const n = str(g.name);
    errs.push(...isQualifiedName(n).map(m => badValue(`${path}.schedulingGates[${i}]`, n, m)));
    if (gates.has(n)) errs.push(duplicate(`${path}.schedulingGates[${i}]`, n));
    gates.add(n);
  });
  errs.push(...validateTopologySpread(s.topologySpreadConstraints, `${path}.topologySpreadConstraints`));
  errs.push(...nameList(s.serviceAccountName, `${path}.serviceAccountName`));
  errs.push(...nameList(s.nodeName, `${path}.nodeName`));
  if (typeof s.activeDeadlineSeconds === 'number' && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > MAX_INT32)) {
    errs.push(badValue(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, inclusiveRange(1, MAX_INT32)));
  }
  for (const f of ['hostname', 'subdomain']) {
    if (str(s[f])) errs.push(...isDNS1123Label(str(s[f])).map(m => badValue(`${path}.${f}`, s[f], m)));
  }
  errs.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  arr(s.hostAliases).forEach((h, i) => {
    if (!isValidIP(str(h.ip))) errs.push(badValue(`${path}.hostAliases[${i}].ip`, str(h.ip), IP_MSG));
    arr<string>(h.hostnames).forEach((hn, j) => errs.push(...isDNS1123Subdomain(str(hn)).map(m => badValue(`${path}.hostAliases[${i}].hostnames[${j}]`, hn, m))));
  });
  errs.push(...nameList(s.priorityClassName, `${path}.priorityClassName`));
  if (s.runtimeClassName !== undefined && s.runtimeClassName !== null) {
    errs.push(...nameIsDNSSubdomain(str(s.runtimeClassName), false).map(m => badValue(`${path}.runtimeClassName`, s.runtimeClassName, m)));
  }
  if (s.preemptionPolicy !== undefined && s.preemptionPolicy !== null) {
    errs.push(...oneOf(s.preemptionPolicy, ['PreemptLowerPriority', 'Never'], `${path}.preemptionPolicy`));
  }
  if (isObj(s.overhead)) errs.push(...validateResourceRequirements({ limits: s.overhead }, `${path}.overhead`));
  if (isObj(s.os)) {
    const os = str(s.os.name);
    if (!os) errs.push(required(`${path}.os.name`, 'cannot be empty'));
    else if (!['linux', 'windows'].includes(os)) errs.push(notSupported(`${path}.os`, os, ['linux', 'windows']));
    else if (os === 'linux') errs.push(...forbidWindowsOptions(s, path));
  }
  return errs;
}

function forbidWindowsOptions(s: Obj, path: string): Errs {
  const errs: Errs = [];
  if (isObj(s.securityContext) && isObj(s.securityContext.windowsOptions)) {
    errs.push(forbidden(`${path}.securityContext.windowsOptions`, 'windows options cannot be set for a linux pod'));
  }
  for (const kind of ['containers', 'initContainers', 'ephemeralContainers']) {
    arr(s[kind]).forEach((c, i) => {
      if (isObj(c.securityContext) && isObj(c.securityContext.windowsOptions)) {
        errs.push(forbidden(`${path}.${kind}[${i}].securityContext.windowsOptions`, 'windows options cannot be set for a linux pod'));
      }
    });
  }
  return errs;
}

const MIRROR = 'kubernetes.io/config.mirror';

export function validatePodAnnotations(annotations: unknown, spec: Obj, path: string): Errs {
  const a = strMap(annotations);
  const errs: Errs = [];
  if (MIRROR in a && !str(spec.nodeName)) errs.push(badValue(`${path}[${MIRROR}]`, a[MIRROR], 'must set spec.nodeName if mirror pod annotation is set'));
  const cost = a['controller.kubernetes.io/pod-deletion-cost'];
  if (cost !== undefined && (!/^[+-]?\d+$/.test(cost) || Number(cost) > MAX_INT32 || Number(cost) < -MAX_INT32 - 1)) {
    errs.push(badValue(`${path}[controller.kubernetes.io/pod-deletion-cost]`, cost, 'must be a 32bit integer'));
  }
  let names: Set<string> | undefined; // only needed (and built) for AppArmor annotations
  for (const k in a) {
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/')) {
      const v = a[k];
      const cname = k.slice('container.apparmor.security.beta.kubernetes.io/'.length);
      names ??= new Set(['containers', 'initContainers', 'ephemeralContainers'].flatMap(f => arr(spec[f]).map(c => str(c.name))));
      if (!names.has(cname)) errs.push(badValue(`${path}[${k}]`, cname, 'container not found'));
      if (v && v !== 'runtime/default' && v !== 'unconfined' && !v.startsWith('localhost/')) {
        errs.push(badValue(`${path}[${k}]`, v, `invalid AppArmor profile name: ${JSON.stringify(v)}`));
      }
    }
  }
  return errs;
}

/** ValidatePodTemplateSpec: labels, annotations and the spec (not a Pod: no podName). */
export function validatePodTemplateSpec(tpl: unknown, path: string): Errs {
  const t = isObj(tpl) ? tpl : {};
  const meta = isObj(t.metadata) ? t.metadata : {};
  const spec = isObj(t.spec) ? t.spec : {};
  const errs: Errs = [
    ...validateLabels(meta.labels, `${path}.labels`),
    ...validateAnnotations(meta.annotations, `${path}.annotations`),
    ...validatePodAnnotations(meta.annotations, spec, `${path}.annotations`),
    ...validatePodSpec(spec, `${path}.spec`),
  ];
  if (arr(spec.ephemeralContainers).length) errs.push(forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  return errs;
}
