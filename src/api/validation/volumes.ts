/**
 * Pod volumes (exactly one source each, unique DNS-label names) and PersistentVolume sources.
 */
import { isDNS1123Subdomain, nameIsDNSSubdomain, isDNS1123Label } from './names.js';
import { validateObjectFieldSelector, validateResourceFieldSelector, VOLUME_FIELD_PATHS } from './env.js';
import { validatePVCTemplate } from './storage.js';
import { tryParseQuantity } from './quantity.js';
import { type Errs, type Obj, arr, badValue, duplicate, forbidden, isObj, notSupported, required, str } from './util.js';

// Order matters: the first source found counts, later ones are "more than 1 volume type".
const POD_SOURCES = ['emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs',
  'iscsi', 'glusterfs', 'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc',
  'flexVolume', 'configMap', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk',
  'storageos', 'projected', 'scaleIO', 'csi', 'ephemeral', 'image'];
const PV_SOURCES = ['hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd',
  'quobyte', 'cephfs', 'iscsi', 'cinder', 'fc', 'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk',
  'portworxVolume', 'azureDisk', 'scaleIO', 'local', 'storageos', 'csi'];
// Upstream reports a few sources under a different path segment.
const PATH_ALIAS: Record<string, string> = { gcePersistentDisk: 'persistentDisk' };
const FORBID_ALIAS: Record<string, string> = { downwardAPI: 'downwarAPI', cephfs: 'cephFS' };
// Required scalar fields of the sources we do not check in depth.
const REQUIRED_FIELDS: Record<string, string[]> = {
  gcePersistentDisk: ['pdName'], awsElasticBlockStore: ['volumeID'], iscsi: ['targetPortal', 'iqn'],
  glusterfs: ['endpoints', 'path'], rbd: ['monitors', 'image'], cinder: ['volumeID'], cephfs: ['monitors'],
  quobyte: ['registry', 'volume'], flexVolume: ['driver'], azureFile: ['secretName', 'shareName'],
  vsphereVolume: ['volumePath'], photonPersistentDisk: ['pdID'], portworxVolume: ['volumeID'],
  azureDisk: ['diskName', 'diskURI'], scaleIO: ['gateway', 'system', 'volumeName'], storageos: ['volumeName'],
};
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
export const FILE_MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';

export function noBacksteps(p: string, path: string): Errs {
  return p.replace(/\\/g, '/').split('/').includes('..') ? [badValue(path, p, "must not contain '..'")] : [];
}
export function localDescendingPath(p: string, path: string): Errs {
  const errs = p.startsWith('/') ? [badValue(path, p, 'must be a relative path')] : [];
  return errs.concat(noBacksteps(p, path));
}
export function localNonReservedPath(p: string, path: string): Errs {
  const errs = localDescendingPath(p, path);
  if (p.startsWith('..') && !p.startsWith('../')) errs.push(badValue(path, p, "must not start with '..'"));
  return errs;
}

function mode(v: unknown, path: string): Errs {
  return typeof v === 'number' && (v < 0 || v > 0o777) ? [badValue(path, v, FILE_MODE_MSG)] : [];
}

function keyToPaths(items: unknown, path: string): Errs {
  const errs: Errs = [];
  arr(items).forEach((kp, i) => {
    const p = `${path}[${i}]`;
    if (!str(kp.key)) errs.push(required(`${p}.key`));
    if (!str(kp.path)) errs.push(required(`${p}.path`));
    errs.push(...localNonReservedPath(str(kp.path), `${p}.path`), ...mode(kp.mode, `${p}.mode`));
  });
  return errs;
}

function downwardAPIFile(f: Obj, path: string): Errs {
  const errs: Errs = [];
  if (!str(f.path)) errs.push(required(`${path}.path`));
  errs.push(...localNonReservedPath(str(f.path), `${path}.path`));
  if (isObj(f.fieldRef)) {
    errs.push(...validateObjectFieldSelector(f.fieldRef, VOLUME_FIELD_PATHS, `${path}.fieldRef`));
    if (isObj(f.resourceFieldRef)) errs.push(badValue(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (isObj(f.resourceFieldRef)) {
    errs.push(...validateResourceFieldSelector(f.resourceFieldRef, `${path}.resourceFieldRef`, true));
  } else errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
  return errs.concat(mode(f.mode, `${path}.mode`));
}

function projected(src: Obj, path: string): Errs {
  const errs = mode(src.defaultMode, `${path}.defaultMode`);
  const paths = new Set<string>();
  const claim = (p: string, name: unknown) => {
    if (!p) return;
    if (paths.has(p)) errs.push(badValue(path, name, 'conflicting duplicate paths'));
    paths.add(p);
  };
  arr(src.sources).forEach((s, i) => {
    const sp = `${path}.sources[${i}]`;
    let n = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      if (!isObj(s[kind])) continue;
      n++;
      if (!str(s[kind].name)) errs.push(required(`${sp}.${kind}.name`));
      errs.push(...keyToPaths(s[kind].items, `${sp}.${kind}.items`));
      for (const kp of arr(s[kind].items)) claim(str(kp.path), str(s[kind].name));
    }
    if (isObj(s.downwardAPI)) {
      n++;
      for (const f of arr(s.downwardAPI.items)) { errs.push(...downwardAPIFile(f, `${sp}.downwardAPI`)); claim(str(f.path), str(f.path)); }
    }
    if (isObj(s.serviceAccountToken)) {
      n++;
      const t = s.serviceAccountToken;
      const exp = typeof t.expirationSeconds === 'number' ? t.expirationSeconds : 0;
      if (exp < 600) errs.push(badValue(`${sp}.serviceAccountToken.expirationSeconds`, exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) errs.push(badValue(`${sp}.serviceAccountToken.expirationSeconds`, exp, 'may not specify a duration larger than 2^32 seconds'));
      if (!str(t.path)) errs.push(required(`${path}.path`));
      else errs.push(...localNonReservedPath(str(t.path), `${path}.path`));
    }
    if (isObj(s.clusterTrustBundle)) {
      n++;
      const c = s.clusterTrustBundle;
      if (!str(c.path)) errs.push(required(`${sp}.clusterTrustBundle.path`));
      claim(str(c.path), str(c.path));
    }
    if (n > 1) errs.push(forbidden(sp, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

function checkSource(kind: string, src: Obj, path: string, podName: string, volName: string): Errs {
  const p = `${path}.${PATH_ALIAS[kind] ?? kind}`;
  const errs: Errs = [];
  switch (kind) {
    case 'emptyDir': {
      const q = src.sizeLimit === undefined ? undefined : tryParseQuantity(src.sizeLimit);
      if (src.sizeLimit !== undefined && (!q || q.sign() < 0)) errs.push(forbidden(`${p}.sizeLimit`, 'SizeLimit field must be a valid resource quantity'));
      break;
    }
    case 'hostPath': case 'local':
      if (!str(src.path)) return [required(`${p}.path`)];
      errs.push(...noBacksteps(str(src.path), `${p}.path`));
      if (kind === 'hostPath' && src.type !== undefined && src.type !== null && !HOST_PATH_TYPES.includes(str(src.type))) {
        errs.push(notSupported(`${p}.type`, str(src.type), HOST_PATH_TYPES));
      }
      break;
    case 'gitRepo':
      if (!str(src.repository)) errs.push(required(`${p}.repository`));
      errs.push(...localDescendingPath(str(src.directory), `${p}.directory`));
      break;
    case 'secret': case 'configMap': {
      const nameField = kind === 'secret' ? 'secretName' : 'name';
      if (!str(src[nameField])) errs.push(required(`${p}.${nameField}`));
      errs.push(...mode(src.defaultMode, `${p}.defaultMode`), ...keyToPaths(src.items, `${p}.items`));
      break;
    }
    case 'nfs':
      if (!str(src.server)) errs.push(required(`${p}.server`));
      if (!str(src.path)) errs.push(required(`${p}.path`));
      if (!str(src.path).startsWith('/')) errs.push(badValue(`${p}.path`, str(src.path), 'must be an absolute path'));
      break;
    case 'persistentVolumeClaim':
      if (!str(src.claimName)) errs.push(required(`${p}.claimName`));
      break;
    case 'downwardAPI':
      errs.push(...mode(src.defaultMode, `${p}.defaultMode`));
      for (const f of arr(src.items)) errs.push(...downwardAPIFile(f, p));
      break;
    case 'projected':
      errs.push(...projected(src, p));
      break;
    case 'csi': {
      const d = str(src.driver);
      if (!d) errs.push(required(`${p}.driver`));
      if (d.length > 63) errs.push(badValue(`${p}.driver`, d, 'Too long: may not be more than 63 bytes'));
      errs.push(...isDNS1123Subdomain(d.toLowerCase()).map(m => badValue(`${p}.driver`, d, m)));
      if (isObj(src.nodePublishSecretRef) && !str(src.nodePublishSecretRef.name)) errs.push(required(`${p}.nodePublishSecretRef.name`));
      break;
    }
    case 'ephemeral':
      if (!isObj(src.volumeClaimTemplate)) errs.push(required(`${p}.volumeClaimTemplate`));
      else errs.push(...validatePVCTemplate(src.volumeClaimTemplate, `${p}.volumeClaimTemplate`));
      if (podName && volName) {
        const pvc = `${podName}-${volName}`;
        for (const m of nameIsDNSSubdomain(pvc, false)) errs.push(badValue(`${path}.name`, volName, `PVC name "${pvc}": ${m}`));
      }
      break;
    case 'image':
      if (podName && !str(src.reference)) errs.push(required(`${p}.reference`));
      break;
    default:
      for (const f of REQUIRED_FIELDS[kind] ?? []) {
        const v = src[f];
        if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) errs.push(required(`${p}.${f}`));
      }
  }
  return errs;
}

function countSources(v: Obj, kinds: string[], path: string, podName: string, volName: string): [number, Errs] {
  let n = 0;
  const errs: Errs = [];
  for (const kind of kinds) {
    if (!isObj(v[kind])) continue;
    if (n > 0) { errs.push(forbidden(`${path}.${FORBID_ALIAS[kind] ?? kind}`, 'may not specify more than 1 volume type')); continue; }
    n++;
    errs.push(...checkSource(kind, v[kind], path, podName, volName));
  }
  return [n, errs];
}

/** ValidateVolumes: returns the valid volumes by name (for mount checks) and the errors. */
export function validateVolumes(volumes: unknown, path: string, podName = ''): { vols: Map<string, Obj>; errs: Errs } {
  const vols = new Map<string, Obj>();
  const errs: Errs = [];
  const seen = new Set<string>();
  arr(volumes).forEach((v, i) => {
    const p = `${path}[${i}]`;
    const name = str(v.name);
    const [n, el] = countSources(v, POD_SOURCES, p, podName, name);
    if (n === 0) el.push(required(p, 'must specify a volume type'));
    if (!name) el.push(required(`${p}.name`));
    else el.push(...isDNS1123Label(name).map(m => badValue(`${p}.name`, name, m)));
    if (seen.has(name)) el.push(duplicate(`${p}.name`, name));
    if (el.length === 0) { seen.add(name); vols.set(name, v); } else errs.push(...el);
  });
  return { vols, errs };
}

export function validatePVSource(spec: Obj, path: string): Errs {
  const [n, errs] = countSources(spec, PV_SOURCES, path, '', '');
  if (n === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}
