/**
 * Containers: the checks common to regular, init (incl. sidecar) and ephemeral containers,
 * and the list-level rules (unique names, host port conflicts, what init containers may set).
 */
import { isDNS1123Label, isValidPortName, isValidPortNum } from './names.js';
import { validateEnv, validateEnvFrom } from './env.js';
import { validateLifecycle, validateProbe, validateSecurityContext, type ProbeKind } from './probes.js';
import { validateResourceRequirements } from './resources.js';
import { localDescendingPath, noBacksteps } from './volumes.js';
import {
  type Errs, type Obj, arr, badValue, duplicate, forbidden, isObj, notFound, notSupported, oneOf, required, str,
} from './util.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROPAGATION = ['Bidirectional', 'HostToContainer', 'None'];
const PROBES: ProbeKind[] = ['livenessProbe', 'readinessProbe', 'startupProbe'];

export interface PodContext {
  vols: Map<string, Obj>;
  claims: Set<string>;
  grace: number | undefined;
  restartPolicy: string;
  hostUsers: boolean;
}

function validatePorts(ports: unknown, path: string): Errs {
  const errs: Errs = [];
  const names = new Set<string>();
  arr(ports).forEach((port, i) => {
    const p = `${path}[${i}]`;
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) errs.push(...msgs.map(m => badValue(`${p}.name`, name, m)));
      else if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      else names.add(name);
    }
    if (!port.containerPort) errs.push(required(`${p}.containerPort`));
    else errs.push(...isValidPortNum(port.containerPort).map(m => badValue(`${p}.containerPort`, port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(port.hostPort).map(m => badValue(`${p}.hostPort`, port.hostPort, m)));
    errs.push(...oneOf(port.protocol, PROTOCOLS, `${p}.protocol`));
  });
  return errs;
}

function validateMounts(c: Obj, ctx: PodContext, path: string): Errs {
  const errs: Errs = [];
  const devices = new Map(arr(c.volumeDevices).map(d => [str(d.name), str(d.devicePath)]));
  const devicePaths = new Set(devices.values());
  const mountPoints = new Set<string>();
  const privileged = isObj(c.securityContext) && c.securityContext.privileged === true;
  arr(c.volumeMounts).forEach((m, i) => {
    const p = `${path}[${i}]`;
    const name = str(m.name), mp = str(m.mountPath);
    if (!name) errs.push(required(`${p}.name`));
    if (!ctx.vols.has(name)) errs.push(notFound(`${p}.name`, name));
    if (!mp) errs.push(required(`${p}.mountPath`));
    if (mountPoints.has(mp)) errs.push(badValue(`${p}.mountPath`, mp, 'must be unique'));
    mountPoints.add(mp);
    if (devices.has(name)) errs.push(badValue(`${p}.name`, name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(mp)) errs.push(badValue(`${p}.mountPath`, mp, 'must not already exist as a path in volumeDevices'));
    if (isObj(ctx.vols.get(name)?.image)) {
      if (str(m.subPath)) errs.push(badValue(`${p}.subPath`, m.subPath, 'not allowed in image volume sources'));
      if (str(m.subPathExpr)) errs.push(badValue(`${p}.subPathExpr`, m.subPathExpr, 'not allowed in image volume sources'));
    }
    // upstream reports subPath problems on the list path, not the item
    if (str(m.subPath)) errs.push(...localDescendingPath(str(m.subPath), `${path}.subPath`));
    if (str(m.subPathExpr)) {
      if (str(m.subPath)) errs.push(badValue(`${p}.subPathExpr`, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...localDescendingPath(str(m.subPathExpr), `${path}.subPathExpr`));
    }
    if (m.mountPropagation !== undefined && m.mountPropagation !== null) {
      const mpg = str(m.mountPropagation);
      if (!PROPAGATION.includes(mpg)) errs.push(notSupported(`${path}.mountPropagation`, mpg, PROPAGATION));
      if (mpg === 'Bidirectional' && !privileged) {
        errs.push(forbidden(`${path}.mountPropagation`, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
    const rro = m.recursiveReadOnly;
    if (rro !== undefined && rro !== null && rro !== 'Disabled') {
      if (rro === 'Enabled' || rro === 'IfPossible') {
        if (!m.readOnly) errs.push(forbidden(`${path}.recursiveReadOnly`, 'may only be specified when readOnly is true'));
        if (m.mountPropagation && m.mountPropagation !== 'None') {
          errs.push(forbidden(`${path}.recursiveReadOnly`, 'may only be specified when mountPropagation is None or not specified'));
        }
      } else errs.push(notSupported(`${path}.recursiveReadOnly`, str(rro), ['Disabled', 'Enabled', 'IfPossible']));
    }
  });
  return errs;
}

function validateDevices(c: Obj, ctx: PodContext, path: string): Errs {
  if (!Array.isArray(c.volumeDevices) || c.volumeDevices.length === 0) return [];
  const errs: Errs = [];
  const mounts = new Map(arr(c.volumeMounts).map(m => [str(m.name), str(m.mountPath)]));
  const mountPaths = new Set(mounts.values());
  const names = new Set<string>(), paths = new Set<string>();
  arr(c.volumeDevices).forEach((d, i) => {
    const p = `${path}[${i}]`;
    const name = str(d.name), dp = str(d.devicePath);
    const vol = ctx.vols.get(name);
    if (!name) errs.push(required(`${p}.name`));
    if (names.has(name)) errs.push(badValue(`${p}.name`, name, 'must be unique'));
    if (vol && !isObj(vol.persistentVolumeClaim) && !isObj(vol.ephemeral)) {
      errs.push(badValue(`${p}.name`, name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    }
    if (!vol) errs.push(notFound(`${p}.name`, name));
    if (!dp) errs.push(required(`${p}.devicePath`));
    if (paths.has(dp)) errs.push(badValue(`${p}.devicePath`, dp, 'must be unique'));
    if (dp && noBacksteps(dp, p).length) errs.push(badValue(`${p}.devicePath`, dp, "can not contain backsteps ('..')"));
    else paths.add(dp);
    if (mounts.has(name)) errs.push(badValue(`${p}.name`, name, 'must not already exist in volumeMounts'));
    if (mountPaths.has(dp)) errs.push(badValue(`${p}.devicePath`, dp, 'must not already exist as a path in volumeMounts'));
    if (name) names.add(name);
  });
  return errs;
}

function validateResizePolicy(list: unknown, path: string, podRestartPolicy: string): Errs {
  const errs: Errs = [];
  const seen = new Set<string>();
  arr(list).forEach((r, i) => {
    const rn = str(r.resourceName), rp = str(r.restartPolicy);
    if (seen.has(rn)) errs.push(duplicate(`${path}[${i}]`, rn));
    seen.add(rn);
    errs.push(...oneOf(rn, ['cpu', 'memory'], path));
    errs.push(...oneOf(rp, ['NotRequired', 'RestartContainer'], path));
    if (podRestartPolicy === 'Never' && rp !== 'NotRequired') {
      errs.push(badValue(path, rp, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
    }
  });
  return errs;
}

/** validateContainerCommon */
export function validateContainerCommon(c: Obj, ctx: PodContext, path: string): Errs {
  const errs: Errs = [];
  const name = str(c.name);
  if (!name) errs.push(required(`${path}.name`));
  else errs.push(...isDNS1123Label(name).map(m => badValue(`${path}.name`, name, m)));
  if (!str(c.image)) errs.push(required(`${path}.image`));
  errs.push(...oneOf(c.terminationMessagePolicy, ['File', 'FallbackToLogsOnError'], `${path}.terminationMessagePolicy`));
  errs.push(...validatePorts(c.ports, `${path}.ports`));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validateEnvFrom(c.envFrom, `${path}.envFrom`));
  errs.push(...validateMounts(c, ctx, `${path}.volumeMounts`));
  errs.push(...validateDevices(c, ctx, `${path}.volumeDevices`));
  errs.push(...oneOf(c.imagePullPolicy, PULL_POLICIES, `${path}.imagePullPolicy`));
  errs.push(...validateResourceRequirements(c.resources, `${path}.resources`, ctx.claims));
  errs.push(...validateResizePolicy(c.resizePolicy, `${path}.resizePolicy`, ctx.restartPolicy));
  errs.push(...validateSecurityContext(c.securityContext, `${path}.securityContext`, ctx.hostUsers));
  return errs;
}

/** Host ports must not collide (protocol/hostIP/hostPort) within one set of containers. */
function hostPortConflicts(containers: Obj[], path: string, offset = 0): Errs {
  const errs: Errs = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => arr(c.ports).forEach((port, pi) => {
    if (!port.hostPort) return;
    const key = `${str(port.protocol)}/${str(port.hostIP)}/${port.hostPort}`;
    if (seen.has(key)) errs.push(duplicate(`${path}[${ci + offset}].ports[${pi}].hostPort`, key));
    seen.add(key);
  }));
  return errs;
}

export function validateContainers(containers: unknown, ctx: PodContext, path: string): Errs {
  const list = arr(containers);
  if (list.length === 0) return [required(path)];
  const errs: Errs = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, ctx, p));
    if (names.has(str(c.name))) errs.push(duplicate(`${p}.name`, str(c.name)));
    else names.add(str(c.name));
    errs.push(...validateLifecycle(c.lifecycle, ctx.grace, `${p}.lifecycle`));
    for (const k of PROBES) errs.push(...validateProbe(c[k], k, ctx.grace, `${p}.${k}`));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) errs.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  });
  return errs.concat(hostPortConflicts(list, path));
}

export function validateInitContainers(inits: unknown, regular: unknown, ctx: PodContext, path: string): Errs {
  const errs: Errs = [];
  const names = new Set(arr(regular).map(c => str(c.name)));
  arr(inits).forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, ctx, p));
    let sidecar = false;
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
      if (c.restartPolicy !== 'Always') errs.push(notSupported(`${p}.restartPolicy`, str(c.restartPolicy), ['Always']));
      sidecar = c.restartPolicy === 'Always';
    }
    if (names.has(str(c.name))) errs.push(duplicate(`${p}.name`, str(c.name)));
    else if (str(c.name)) names.add(str(c.name));
    // init containers run one at a time, so only conflicts within one count
    errs.push(...hostPortConflicts([c], path, i));
    if (sidecar) {
      errs.push(...validateLifecycle(c.lifecycle, ctx.grace, `${p}.lifecycle`));
      for (const k of PROBES) errs.push(...validateProbe(c[k], k, ctx.grace, `${p}.${k}`));
    } else {
      for (const k of ['lifecycle', ...PROBES]) {
        if (c[k] !== undefined && c[k] !== null) errs.push(forbidden(`${p}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}

/** Ephemeral containers may set only a few fields and must not clash with other names. */
export function validateEphemeralContainers(ecs: unknown, spec: Obj, ctx: PodContext, path: string): Errs {
  if (!Array.isArray(ecs) || ecs.length === 0) return [];
  const errs: Errs = [];
  const others = new Set([...arr(spec.containers), ...arr(spec.initContainers)].map(c => str(c.name)));
  const all = new Set(others);
  const disallowed = ['ports', 'resources', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resizePolicy', 'restartPolicy'];
  arr(ecs).forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, ctx, p));
    if (str(c.image).trim() !== str(c.image)) errs.push(badValue(`${p}.image`, c.image, 'must not have leading or trailing whitespace'));
    if (all.has(str(c.name))) errs.push(duplicate(`${p}.name`, str(c.name)));
    else all.add(str(c.name));
    if (str(c.targetContainerName) && !others.has(str(c.targetContainerName))) errs.push(notFound(`${p}.targetContainerName`, c.targetContainerName));
    for (const f of disallowed) {
      const v = c[f];
      const set = v !== undefined && v !== null && !(isObj(v) && Object.keys(v).length === 0) && !(Array.isArray(v) && v.length === 0);
      if (set) errs.push(forbidden(`${p}.${f}`, 'cannot be set for an Ephemeral Container'));
    }
    arr(c.volumeMounts).forEach((m, j) => {
      if (str(m.subPath)) errs.push(forbidden(`${p}.volumeMounts[${j}].subPath`, 'cannot be set for an Ephemeral Container'));
      if (str(m.subPathExpr)) errs.push(forbidden(`${p}.volumeMounts[${j}].subPathExpr`, 'cannot be set for an Ephemeral Container'));
    });
  });
  return errs;
}

