/**
 * Container environment: env, envFrom and the downward-API field selectors they (and
 * downwardAPI volumes) use.
 */
import { isConfigMapKey, isQualifiedName, isRelaxedEnvVarName, nameIsDNSSubdomain } from './names.js';
import { tryParseQuantity } from './quantity.js';
import { type Errs, type Obj, arr, badValue, isObj, notSupported, required, str } from './util.js';

// Field paths ConvertDownwardAPIFieldLabel accepts for pods/v1.
const CONVERTIBLE = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName',
  'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
]);
export const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName',
  'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'].sort();
export const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const RESOURCE_FIELDS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu',
  'requests.ephemeral-storage', 'requests.memory'];

/** Splits `metadata.labels['key']` into path and subscript. */
function splitSubscript(fp: string): [string, string] | undefined {
  const m = /^([^[]+)\['(.*)'\]$/.exec(fp);
  return m ? [m[1], m[2]] : undefined;
}

export function validateObjectFieldSelector(fs: Obj, allowed: string[], path: string): Errs {
  if (!str(fs.apiVersion)) return [required(`${path}.apiVersion`)];
  const fp = str(fs.fieldPath);
  if (!fp) return [required(`${path}.fieldPath`)];
  const sub = splitSubscript(fp);
  const base = sub ? sub[0] : fp;
  if (str(fs.apiVersion) !== 'v1') {
    return [badValue(`${path}.fieldPath`, fp, `error converting fieldPath: unsupported pod version: ${str(fs.apiVersion)}`)];
  }
  if (!CONVERTIBLE.has(base)) return [badValue(`${path}.fieldPath`, fp, `error converting fieldPath: field label not supported: ${fp}`)];
  if (sub) {
    if (base === 'metadata.annotations') return isQualifiedName(sub[1].toLowerCase()).map(m => badValue(path, sub[1].toLowerCase(), m));
    if (base === 'metadata.labels') return isQualifiedName(sub[1]).map(m => badValue(path, sub[1], m));
    return [badValue(path, base, 'does not support subscript')];
  }
  return allowed.includes(base) ? [] : [notSupported(`${path}.fieldPath`, base, allowed)];
}

const CPU_DIVISORS = ['1m', '1'];
const BYTE_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];

export function validateResourceFieldSelector(fs: Obj, path: string, volume: boolean): Errs {
  const errs: Errs = [];
  const res = str(fs.resource);
  if (volume && !str(fs.containerName)) errs.push(required(`${path}.containerName`));
  else if (!res) errs.push(required(`${path}.resource`));
  else if (!RESOURCE_FIELDS.includes(res) && !res.startsWith('requests.hugepages-') && !res.startsWith('limits.hugepages-')) {
    errs.push(notSupported(`${path}.resource`, res, RESOURCE_FIELDS));
  }
  if (fs.divisor === undefined) return errs;
  const q = tryParseQuantity(fs.divisor);
  if (!q || q.isZero()) return errs;
  const d = q.toString();
  const kind = res.endsWith('.cpu') ? 'cpu' : res.endsWith('.memory') ? 'memory'
    : res.endsWith('.ephemeral-storage') ? 'local ephemeral storage' : res.includes('hugepages-') ? 'hugepages' : '';
  if (kind === 'cpu' && !CPU_DIVISORS.includes(d)) {
    errs.push(badValue(`${path}.divisor`, res, "only divisor's values 1m and 1 are supported with the cpu resource"));
  } else if (kind && kind !== 'cpu' && !BYTE_DIVISORS.includes(d)) {
    errs.push(badValue(`${path}.divisor`, res, `only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the ${kind} resource`));
  }
  return errs;
}

function validateKeySelector(s: Obj, path: string): Errs {
  const errs: Errs = nameIsDNSSubdomain(str(s.name), false).map(m => badValue(`${path}.name`, str(s.name), m));
  const key = str(s.key);
  if (!key) errs.push(required(`${path}.key`));
  else errs.push(...isConfigMapKey(key).map(m => badValue(`${path}.key`, key, m)));
  return errs;
}

export function validateEnv(env: unknown, path: string): Errs {
  const errs: Errs = [];
  arr(env).forEach((ev, i) => {
    const p = `${path}[${i}]`;
    const name = str(ev.name);
    if (!name) errs.push(required(`${p}.name`));
    else errs.push(...isRelaxedEnvVarName(name).map(m => badValue(`${p}.name`, name, m)));
    if (!isObj(ev.valueFrom)) return;
    const vf = ev.valueFrom;
    const vp = `${p}.valueFrom`;
    let n = 0;
    if (isObj(vf.fieldRef)) { n++; errs.push(...validateObjectFieldSelector(vf.fieldRef, ENV_FIELD_PATHS, `${vp}.fieldRef`)); }
    if (isObj(vf.resourceFieldRef)) { n++; errs.push(...validateResourceFieldSelector(vf.resourceFieldRef, `${vp}.resourceFieldRef`, false)); }
    if (isObj(vf.configMapKeyRef)) { n++; errs.push(...validateKeySelector(vf.configMapKeyRef, `${vp}.configMapKeyRef`)); }
    if (isObj(vf.secretKeyRef)) { n++; errs.push(...validateKeySelector(vf.secretKeyRef, `${vp}.secretKeyRef`)); }
    if (n === 0) errs.push(badValue(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (str(ev.value)) errs.push(badValue(vp, '', 'may not be specified when `value` is not empty'));
    else if (n > 1) errs.push(badValue(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

export function validateEnvFrom(envFrom: unknown, path: string): Errs {
  const errs: Errs = [];
  arr(envFrom).forEach((ev, i) => {
    const p = `${path}[${i}]`;
    if (str(ev.prefix)) errs.push(...isRelaxedEnvVarName(str(ev.prefix)).map(m => badValue(`${p}.prefix`, str(ev.prefix), m)));
    let n = 0;
    for (const kind of ['configMapRef', 'secretRef'] as const) {
      if (!isObj(ev[kind])) continue;
      n++;
      const name = str(ev[kind].name);
      if (!name) errs.push(required(`${p}.${kind}.name`));
      else errs.push(...nameIsDNSSubdomain(name, true).map(m => badValue(`${p}.${kind}.name`, name, m)));
    }
    if (n === 0) errs.push(badValue(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(badValue(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}
