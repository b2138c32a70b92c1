/**
 * Probes, lifecycle handlers and security contexts of containers and pods.
 */
import { isHTTPHeaderName, isValidPortName, isValidPortNum } from './names.js';
import {
  type Errs, type Obj, arr, badValue, duplicate, forbidden, inclusiveRange, isObj, nonNegative, notSupported, required, str,
} from './util.js';

/** intstr port: a number must be 1-65535, a string must be an IANA port name. */
export function validatePortNumOrName(port: unknown, path: string): Errs {
  if (typeof port === 'number') return isValidPortNum(port).map(m => badValue(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map(m => badValue(path, port, m));
  return [badValue(path, port ?? null, 'must be an integer or a string')];
}

type HandlerKind = 'exec' | 'httpGet' | 'tcpSocket' | 'grpc' | 'sleep';

function validateHandler(h: Obj, kinds: HandlerKind[], grace: number | undefined, path: string): Errs {
  const errs: Errs = [];
  let n = 0;
  for (const kind of kinds) {
    const a = h[kind];
    if (!isObj(a)) continue;
    const p = `${path}.${kind}`;
    if (n > 0) { errs.push(forbidden(p, 'may not specify more than 1 handler type')); continue; }
    n++;
    switch (kind) {
      case 'exec':
        if (arr(a.command).length === 0) errs.push(required(`${p}.command`));
        break;
      case 'httpGet':
        if (!str(a.path)) errs.push(required(`${p}.path`));
        errs.push(...validatePortNumOrName(a.port, `${p}.port`));
        if (!['HTTP', 'HTTPS'].includes(str(a.scheme))) errs.push(notSupported(`${p}.scheme`, str(a.scheme), ['HTTP', 'HTTPS']));
        for (const hdr of arr(a.httpHeaders)) {
          errs.push(...isHTTPHeaderName(str(hdr.name)).map(m => badValue(`${p}.httpHeaders`, str(hdr.name), m)));
        }
        break;
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(a.port, `${p}.port`));
        break;
      case 'grpc':
        errs.push(...validatePortNumOrName(typeof a.port === 'number' ? a.port : 0, `${p}.port`));
        break;
      case 'sleep': {
        const s = typeof a.seconds === 'number' ? a.seconds : 0;
        if (grace !== undefined && (s <= 0 || s > grace)) {
          errs.push(badValue(p, s, `must be greater than 0 and less than terminationGracePeriodSeconds (${grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`));
        }
        break;
      }
    }
  }
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

export function validateProbe(probe: unknown, kind: ProbeKind, grace: number | undefined, path: string): Errs {
  if (!isObj(probe)) return [];
  const errs = validateHandler(probe, ['exec', 'httpGet', 'tcpSocket', 'grpc'], grace, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(probe[f], `${path}.${f}`));
  }
  const tgps = probe.terminationGracePeriodSeconds;
  if (typeof tgps === 'number' && tgps <= 0) errs.push(badValue(`${path}.terminationGracePeriodSeconds`, tgps, 'must be greater than 0'));
  if (kind !== 'readinessProbe' && (probe.successThreshold ?? 0) !== 1) {
    errs.push(badValue(`${path}.successThreshold`, probe.successThreshold ?? 0, 'must be 1'));
  }
  if (kind === 'readinessProbe' && tgps !== undefined && tgps !== null) {
    errs.push(badValue(`${path}.terminationGracePeriodSeconds`, tgps, 'must not be set for readinessProbes'));
  }
  return errs;
}

export function validateLifecycle(lc: unknown, grace: number | undefined, path: string): Errs {
  if (!isObj(lc)) return [];
  const errs: Errs = [];
  for (const hook of ['postStart', 'preStop']) {
    if (isObj(lc[hook])) errs.push(...validateHandler(lc[hook], ['exec', 'httpGet', 'tcpSocket', 'sleep'], grace, `${path}.${hook}`));
  }
  return errs;
}

const MAX_ID = 2147483647; // v1.32 still caps UIDs/GIDs at MaxInt32

function validateId(v: unknown, path: string): Errs {
  return typeof v === 'number' && (v < 0 || v > MAX_ID) ? [badValue(path, v, inclusiveRange(0, MAX_ID))] : [];
}

export function validateSeccompProfile(sp: unknown, path: string): Errs {
  if (!isObj(sp)) return [];
  const errs: Errs = [];
  const type = str(sp.type);
  if (!type) errs.push(required(`${path}.type`, 'type is required when seccompProfile is set'));
  else if (!['Localhost', 'RuntimeDefault', 'Unconfined'].includes(type)) {
    errs.push(notSupported(`${path}.type`, type, ['Localhost', 'RuntimeDefault', 'Unconfined']));
  }
  if (type === 'Localhost') {
    if (sp.localhostProfile === undefined || sp.localhostProfile === null) {
      errs.push(required(`${path}.localhostProfile`, 'must be set when seccomp type is Localhost'));
    }
  } else if (sp.localhostProfile !== undefined && sp.localhostProfile !== null) {
    errs.push(badValue(`${path}.localhostProfile`, sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

function validateAppArmorProfile(p: unknown, path: string): Errs {
  if (!isObj(p)) return [];
  const type = str(p.type);
  const lp = p.localhostProfile;
  if (type === 'Localhost') {
    if (typeof lp !== 'string' || lp.trim() === '') return [required(`${path}.localhostProfile`, 'must be set when AppArmor type is Localhost')];
    if (lp.trim() !== lp) return [badValue(`${path}.localhostProfile`, lp, 'must not be padded with whitespace')];
    return [];
  }
  if (type === 'RuntimeDefault' || type === 'Unconfined') {
    return lp !== undefined && lp !== null ? [badValue(`${path}.localhostProfile`, lp, 'can only be set when AppArmor type is Localhost')] : [];
  }
  if (!type) return [required(`${path}.type`, 'type is required when appArmorProfile is set')];
  return [notSupported(`${path}.type`, type, ['Localhost', 'RuntimeDefault', 'Unconfined'])];
}

export function validateSecurityContext(sc: unknown, path: string, hostUsers: boolean): Errs {
  if (!isObj(sc)) return [];
  const errs: Errs = [...validateId(sc.runAsUser, `${path}.runAsUser`), ...validateId(sc.runAsGroup, `${path}.runAsGroup`)];
  if (sc.procMount !== undefined && sc.procMount !== null) {
    if (!['Default', 'Unmasked'].includes(str(sc.procMount))) errs.push(notSupported(`${path}.procMount`, str(sc.procMount), ['Default', 'Unmasked']));
    else if (hostUsers && sc.procMount === 'Unmasked') errs.push(badValue(`${path}.procMount`, sc.procMount, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, `${path}.seccompProfile`));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(badValue(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    if (arr<string>(obj(sc.capabilities).add).includes('CAP_SYS_ADMIN')) {
      errs.push(badValue(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, `${path}.appArmorProfile`));
  return errs;
}

function obj(v: unknown): Obj { return isObj(v) ? v : {}; }

const SYSCTL_RE = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;

export function validatePodSecurityContext(sc: unknown, path: string): Errs {
  if (!isObj(sc)) return [];
  const errs: Errs = [
    ...validateId(sc.fsGroup, `${path}.fsGroup`), ...validateId(sc.runAsUser, `${path}.runAsUser`),
    ...validateId(sc.runAsGroup, `${path}.runAsGroup`),
  ];
  arr<number>(sc.supplementalGroups).forEach((g, i) => errs.push(...validateId(g, `${path}.supplementalGroups[${i}]`)));
  const seen = new Set<string>();
  arr(sc.sysctls).forEach((s, i) => {
    const name = str(s.name);
    const p = `${path}.sysctls[${i}].name`;
    if (!name) errs.push(required(p));
    else if (name.length > 253 || !SYSCTL_RE.test(name)) {
      errs.push(badValue(p, name, `must have at most 253 characters and match regex ${SYSCTL_RE.source}`));
    } else if (seen.has(name)) errs.push(duplicate(p, name));
    seen.add(name);
  });
  if (sc.fsGroupChangePolicy !== undefined && !['OnRootMismatch', 'Always'].includes(str(sc.fsGroupChangePolicy))) {
    errs.push(notSupported(`${path}.fsGroupChangePolicy`, str(sc.fsGroupChangePolicy), ['Always', 'OnRootMismatch']));
  }
  if (sc.supplementalGroupsPolicy !== undefined && !['Merge', 'Strict'].includes(str(sc.supplementalGroupsPolicy))) {
    errs.push(notSupported(`${path}.supplementalGroupsPolicy`, str(sc.supplementalGroupsPolicy), ['Merge', 'Strict']));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, `${path}.seccompProfile`));
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, `${path}.appArmorProfile`));
  return errs;
}
