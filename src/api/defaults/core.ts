/**
 * Defaults of the non-workload kinds: Service (plus the registry's IP-family choice and
 * clusterIP/clusterIPs normalisation — not allocation), Namespace, storage, Secret,
 * endpoints, Node, LimitRange, ResourceQuota, PriorityClass.
 */
import { type Obj, arr, canonicalList, isObj, obj, setIfUnset } from './util.js';

const externallyAccessible = (s: Obj): boolean =>
  s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && arr(s.externalIPs).length > 0);

export function defaultService(svc: Obj): void {
  const s = (svc.spec = obj(svc.spec));
  setIfUnset(s, 'sessionAffinity', 'None');
  if (s.sessionAffinity === 'None') delete s.sessionAffinityConfig;
  if (s.sessionAffinity === 'ClientIP' && typeof s.sessionAffinityConfig?.clientIP?.timeoutSeconds !== 'number') {
    s.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setIfUnset(s, 'type', 'ClusterIP');
  for (const p of arr(s.ports)) {
    setIfUnset(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(s)) setIfUnset(s, 'externalTrafficPolicy', 'Cluster');
  if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(s.type)) setIfUnset(s, 'internalTrafficPolicy', 'Cluster');
  if (s.type === 'LoadBalancer') setIfUnset(s, 'allocateLoadBalancerNodePorts', true);
  if (s.type === 'LoadBalancer' && isObj(svc.status?.loadBalancer)) {
    for (const ing of arr(svc.status.loadBalancer.ingress)) if (ing.ip) setIfUnset(ing, 'ipMode', 'VIP');
  }
  if (s.type === 'ExternalName') return;
  // the strategy keeps clusterIP and clusterIPs in step
  const ips = arr(s.clusterIPs) as unknown as string[];
  if (s.clusterIP && !ips.length) s.clusterIPs = [s.clusterIP];
  else if (!s.clusterIP && ips.length) s.clusterIP = ips[0];
  defaultIPFamilies(s);
}

/**
 * What the service registry decides on a single-stack IPv4 cluster: SingleStack/[IPv4],
 * except that a selector-less headless service asks for both families.
 */
function defaultIPFamilies(s: Obj): void {
  const headless = s.clusterIP === 'None';
  const selectorless = !isObj(s.selector) || Object.keys(s.selector).length === 0;
  if (s.ipFamilyPolicy === undefined || s.ipFamilyPolicy === null) {
    s.ipFamilyPolicy = headless && selectorless ? 'RequireDualStack' : 'SingleStack';
  }
  const fams = Array.isArray(s.ipFamilies) ? [...s.ipFamilies] : [];
  if (!fams.length) {
    const ip = String(s.clusterIP ?? '');
    fams.push(ip.includes(':') ? 'IPv6' : 'IPv4');
  }
  if (fams.length < 2 && s.ipFamilyPolicy !== 'SingleStack' && (headless || s.ipFamilyPolicy === 'RequireDualStack')) {
    fams.push(fams[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  }
  s.ipFamilies = fams;
}

/** Namespace: the name label always; on create the `kubernetes` finalizer. */
export function defaultNamespace(ns: Obj, creating: boolean): void {
  ns.metadata = obj(ns.metadata);
  if (ns.metadata.name) {
    ns.metadata.labels = obj(ns.metadata.labels);
    ns.metadata.labels['kubernetes.io/metadata.name'] = ns.metadata.name;
  }
  if (creating) {
    ns.spec = obj(ns.spec);
    const fins: string[] = Array.isArray(ns.spec.finalizers) ? ns.spec.finalizers : [];
    if (!fins.includes('kubernetes')) ns.spec.finalizers = [...fins, 'kubernetes'];
  }
}

export function defaultPVCSpec(spec: Obj): void {
  setIfUnset(spec, 'volumeMode', 'Filesystem');
  if (isObj(spec.resources)) {
    if (isObj(spec.resources.requests)) canonicalList(spec.resources.requests);
    if (isObj(spec.resources.limits)) canonicalList(spec.resources.limits);
  }
}

export function defaultPVC(pvc: Obj): void {
  pvc.spec = obj(pvc.spec);
  defaultPVCSpec(pvc.spec);
}

export function defaultPV(pv: Obj): void {
  const s = (pv.spec = obj(pv.spec));
  setIfUnset(s, 'persistentVolumeReclaimPolicy', 'Retain');
  setIfUnset(s, 'volumeMode', 'Filesystem');
  if (isObj(s.hostPath)) setIfUnset(s.hostPath, 'type', '');
  if (isObj(s.iscsi)) setIfUnset(s.iscsi, 'iscsiInterface', 'default');
  if (isObj(s.capacity)) canonicalList(s.capacity);
}

/** Secret type Opaque; stringData is write-only and folds into data (base64). */
export function defaultSecret(sec: Obj): void {
  setIfUnset(sec, 'type', 'Opaque');
  if (isObj(sec.stringData)) {
    sec.data = obj(sec.data);
    for (const [k, v] of Object.entries(sec.stringData)) sec.data[k] = Buffer.from(String(v ?? '')).toString('base64');
    delete sec.stringData;
  }
}

export function defaultEndpoints(ep: Obj): void {
  for (const ss of arr(ep.subsets)) for (const p of arr(ss.ports)) setIfUnset(p, 'protocol', 'TCP');
}

export function defaultEndpointSlice(es: Obj): void {
  for (const p of arr(es.ports)) {
    if (p.name === undefined || p.name === null) p.name = '';
    setIfUnset(p, 'protocol', 'TCP');
  }
}

export function defaultNode(node: Obj): void {
  const st = node.status;
  if (!isObj(st)) return;
  if (isObj(st.capacity)) canonicalList(st.capacity);
  if (isObj(st.allocatable)) canonicalList(st.allocatable);
  else if (isObj(st.capacity)) st.allocatable = { ...st.capacity };
}

export function defaultLimitRange(lr: Obj): void {
  for (const item of arr(lr.spec?.limits)) {
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) if (isObj(item[k])) canonicalList(item[k]);
    if (item.type !== 'Container') continue;
    const def = (item.default = obj(item.default));
    const req = (item.defaultRequest = obj(item.defaultRequest));
    // limit defaults to max; request defaults to the limit, then to min
    for (const [k, v] of Object.entries(obj(item.max))) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
    for (const [k, v] of Object.entries(obj(item.min))) if (!(k in req)) req[k] = v;
  }
}

export function defaultResourceQuota(rq: Obj): void {
  if (isObj(rq.spec?.hard)) canonicalList(rq.spec.hard);
  if (isObj(rq.status?.hard)) canonicalList(rq.status.hard);
  if (isObj(rq.status?.used)) canonicalList(rq.status.used);
}

/** SetDefaults_StorageClass: Delete reclaim and Immediate binding. */
export function defaultStorageClass(sc: Obj): void {
  setIfUnset(sc, 'reclaimPolicy', 'Delete');
  setIfUnset(sc, 'volumeBindingMode', 'Immediate');
}

export function defaultPriorityClass(pc: Obj): void {
  setIfUnset(pc, 'preemptionPolicy', 'PreemptLowerPriority');
}
