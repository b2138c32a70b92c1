/**
 * Pod spec defaulting (pkg/apis/core/v1/defaults.go) for pods and pod templates, plus the
 * admission plugins every Pod meets in a default kube-apiserver (ServiceAccount, Priority,
 * DefaultTolerationSeconds). Functions mutate the object they are given.
 */
import { type Obj, arr, isObj, obj, setIfUnset, canonicalList, canonicalQuantityField } from './util.js';

/** Always for :latest or untagged images, IfNotPresent for tags and digests. */
export function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon < 0 ? '' : image.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: unknown): void {
  if (!isObj(h)) return;
  if (isObj(h.httpGet)) {
    setIfUnset(h.httpGet, 'path', '/');
    setIfUnset(h.httpGet, 'scheme', 'HTTP');
  }
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  for (const [k, v] of [['timeoutSeconds', 1], ['periodSeconds', 10], ['successThreshold', 1], ['failureThreshold', 3]] as const) {
    if (!p[k]) p[k] = v; // zero means unset for these ints
  }
  defaultHandler(p);
}

function defaultFieldRef(ref: unknown): void {
  if (isObj(ref)) setIfUnset(ref, 'apiVersion', 'v1');
}

function defaultResourceFieldRef(ref: unknown): void {
  if (isObj(ref)) {
    if (ref.divisor === undefined || ref.divisor === null) ref.divisor = '0';
    else canonicalQuantityField(ref, 'divisor');
  }
}

export function defaultContainer(c: Obj): void {
  setIfUnset(c, 'terminationMessagePath', '/dev/termination-log');
  setIfUnset(c, 'terminationMessagePolicy', 'File');
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(typeof c.image === 'string' ? c.image : '');
  for (const p of arr(c.ports)) setIfUnset(p, 'protocol', 'TCP');
  for (const e of arr(c.env)) {
    if (isObj(e.valueFrom)) { defaultFieldRef(e.valueFrom.fieldRef); defaultResourceFieldRef(e.valueFrom.resourceFieldRef); }
  }
  for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(c[k]);
  if (isObj(c.lifecycle)) { defaultHandler(c.lifecycle.postStart); defaultHandler(c.lifecycle.preStop); }
  if (isObj(c.resources)) {
    if (isObj(c.resources.limits)) canonicalList(c.resources.limits);
    if (isObj(c.resources.requests)) canonicalList(c.resources.requests);
  }
}

const VOLUME_SOURCES = ['emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume',
  'configMap', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected',
  'scaleIO', 'csi', 'ephemeral', 'image'];

/** Volume defaults; `pvcSpec` defaults the claim template of generic ephemeral volumes. */
export function defaultVolume(v: Obj, pvcSpec: (spec: Obj) => void): void {
  if (!VOLUME_SOURCES.some(k => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  if (isObj(v.emptyDir)) canonicalQuantityField(v.emptyDir, 'sizeLimit');
  if (isObj(v.hostPath)) setIfUnset(v.hostPath, 'type', '');
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) if (isObj(v[k])) setIfUnset(v[k], 'defaultMode', 0o644);
  if (isObj(v.downwardAPI)) {
    for (const f of arr(v.downwardAPI.items)) { defaultFieldRef(f.fieldRef); defaultResourceFieldRef(f.resourceFieldRef); }
  }
  if (isObj(v.projected)) {
    for (const s of arr(v.projected.sources)) {
      if (isObj(s.serviceAccountToken)) setIfUnset(s.serviceAccountToken, 'expirationSeconds', 3600);
      if (isObj(s.downwardAPI)) for (const f of arr(s.downwardAPI.items)) { defaultFieldRef(f.fieldRef); defaultResourceFieldRef(f.resourceFieldRef); }
    }
  }
  if (isObj(v.iscsi)) setIfUnset(v.iscsi, 'iscsiInterface', 'default');
  if (isObj(v.rbd)) { setIfUnset(v.rbd, 'pool', 'rbd'); setIfUnset(v.rbd, 'user', 'admin'); setIfUnset(v.rbd, 'keyring', '/etc/ceph/keyring'); }
  if (isObj(v.ephemeral) && isObj(v.ephemeral.volumeClaimTemplate)) {
    const t = v.ephemeral.volumeClaimTemplate;
    t.spec = obj(t.spec);
    pvcSpec(t.spec);
  }
}

/** SetDefaults_PodSpec and the container/volume defaults beneath it. */
export function defaultPodSpec(spec: Obj, pvcSpec: (spec: Obj) => void): void {
  setIfUnset(spec, 'dnsPolicy', 'ClusterFirst');
  setIfUnset(spec, 'restartPolicy', 'Always');
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  setIfUnset(spec, 'terminationGracePeriodSeconds', 30);
  setIfUnset(spec, 'schedulerName', 'default-scheduler');
  for (const v of arr(spec.volumes)) defaultVolume(v, pvcSpec);
  for (const k of ['containers', 'initContainers', 'ephemeralContainers']) for (const c of arr(spec[k])) defaultContainer(c);
  if (isObj(spec.overhead)) canonicalList(spec.overhead);
  // the deprecated field mirrors serviceAccountName on the wire
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
}

export function defaultPodTemplateSpec(tpl: unknown, pvcSpec: (spec: Obj) => void): void {
  if (!isObj(tpl)) return;
  tpl.spec = obj(tpl.spec);
  defaultPodSpec(tpl.spec, pvcSpec);
}

const NO_EXECUTE_DEFAULTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

function tolerates(tols: Obj[], key: string): boolean {
  return tols.some(t => (t.effect === 'NoExecute' || !t.effect) &&
    (t.key === key || (!t.key && t.operator === 'Exists')));
}

/** SetDefaults_Pod plus what the default admission chain adds to every new Pod. */
export function defaultPod(pod: Obj, pvcSpec: (spec: Obj) => void, admission: boolean): void {
  const spec = (pod.spec = obj(pod.spec));
  for (const k of ['containers', 'initContainers']) {
    for (const c of arr(spec[k])) {
      // requests default to limits, resource by resource
      if (isObj(c.resources) && isObj(c.resources.limits)) {
        const req = (c.resources.requests = obj(c.resources.requests));
        for (const [r, q] of Object.entries(c.resources.limits)) if (req[r] === undefined) req[r] = q;
      }
    }
  }
  setIfUnset(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const k of ['containers', 'initContainers']) {
      for (const c of arr(spec[k])) for (const p of arr(c.ports)) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  defaultPodSpec(spec, pvcSpec);
  if (!admission) return;
  // ServiceAccount admission
  if (!spec.serviceAccountName) { spec.serviceAccountName = 'default'; spec.serviceAccount = 'default'; }
  // Priority admission: no class means the zero priority and the default preemption policy
  if (!spec.priorityClassName) {
    setIfUnset(spec, 'priority', 0);
    setIfUnset(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  }
  // DefaultTolerationSeconds admission
  const tols: Obj[] = arr(spec.tolerations);
  const add = NO_EXECUTE_DEFAULTS.filter(k => !tolerates(tols, k))
    .map(key => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }));
  if (add.length) spec.tolerations = [...tols, ...add];
}
