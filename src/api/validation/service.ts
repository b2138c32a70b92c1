/**
 * Services. Cluster IP and node port allocation belong to the server; here only their
 * shape and immutability are checked.
 */
import {
  CIDR_MSG, IP_MSG, isDNS1123Label, isDNS1123Subdomain, isIPv6, isQualifiedName, isValidCIDR, isValidIP, isValidPortNum,
  nameIsDNS1035Label,
} from './names.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePortNumOrName } from './probes.js';
import {
  type Errs, type Obj, arr, badValue, duplicate, forbidden, isObj, notSupported, oneOf, required, str,
} from './util.js';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const MAX_AFFINITY_SECONDS = 86400;

const isHeadless = (s: Obj): boolean => arr(s.clusterIPs).length === 1 && s.clusterIPs[0] === 'None';
/** apiservice.ExternallyAccessible */
export const externallyAccessible = (s: Obj): boolean =>
  s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && arr(s.externalIPs).length > 0);

export function nonSpecialIP(ip: string, path: string): Errs {
  const errs: Errs = [];
  if (ip === '0.0.0.0' || ip === '::') errs.push(badValue(path, ip, `may not be unspecified (${ip})`));
  if (ip.startsWith('127.') || ip === '::1') errs.push(badValue(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (ip.startsWith('169.254.') || /^fe[89ab]/i.test(ip)) errs.push(badValue(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (ip.startsWith('224.0.0.') || /^ff02:/i.test(ip)) errs.push(badValue(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

function validateClusterIPFields(s: Obj): Errs {
  if (s.type === 'ExternalName') return [];
  const errs: Errs = [];
  const ips = arr<string>(s.clusterIPs);
  if (str(s.clusterIP)) {
    if (!ips.length) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== s.clusterIP) errs.push(badValue('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length) errs.push(badValue('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  const seen = new Set<string>();
  arr<string>(s.ipFamilies).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  const pol = s.ipFamilyPolicy;
  if (pol !== undefined && pol !== null && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(str(pol))) {
    errs.push(notSupported('spec.ipFamilyPolicy', str(pol), ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  }
  let bad = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) { bad = true; errs.push(badValue('spec.clusterIPs', ips, "'None' must be the first and only value")); }
      return;
    }
    if (!isValidIP(ip)) { bad = true; errs.push(badValue(`spec.clusterIPs[${i}]`, ip, IP_MSG)); }
  });
  if (ips.length > 2) errs.push(badValue('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (bad) return errs;
  if (ips.length > 1 && isIPv6(ips[0]) === isIPv6(ips[1])) errs.push(badValue('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  if (!isHeadless(s)) {
    const fams = arr<string>(s.ipFamilies);
    ips.forEach((ip, i) => {
      if (fams[i] === 'IPv4' && isIPv6(ip)) errs.push(badValue(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fams[i] === 'IPv6' && !isIPv6(ip)) errs.push(badValue(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function validateServicePorts(s: Obj): Errs {
  const errs: Errs = [];
  const ports = arr(s.ports);
  const names = new Set<string>();
  const seen = new Set<string>(), seenNode = new Set<string>();
  ports.forEach((p, i) => {
    const pp = `spec.ports[${i}]`;
    const name = str(p.name);
    if (ports.length > 1 && !name) errs.push(required(`${pp}.name`));
    else if (name) {
      errs.push(...isDNS1123Label(name).map(m => badValue(`${pp}.name`, name, m)));
      if (names.has(name)) errs.push(duplicate(`${pp}.name`, name));
      else names.add(name);
    }
    errs.push(...isValidPortNum(p.port).map(m => badValue(`${pp}.port`, p.port ?? 0, m)));
    errs.push(...oneOf(p.protocol, PROTOCOLS, `${pp}.protocol`));
    errs.push(...validatePortNumOrName(p.targetPort, `${pp}.targetPort`));
    if (p.appProtocol !== undefined && p.appProtocol !== null) {
      errs.push(...isQualifiedName(str(p.appProtocol)).map(m => badValue(`${pp}.appProtocol`, p.appProtocol, m)));
    }
    if (s.type === 'ClusterIP' && p.nodePort) errs.push(forbidden(`${pp}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    if (p.nodePort) {
      const k = `${str(p.protocol)}/${p.nodePort}`;
      if (seenNode.has(k)) errs.push(duplicate(`${pp}.nodePort`, p.nodePort));
      seenNode.add(k);
    }
    const k = `${str(p.protocol)}/${p.port}`;
    if (seen.has(k)) errs.push(duplicate(pp, { protocol: str(p.protocol), port: p.port }));
    seen.add(k);
  });
  return errs;
}

export function validateService(svc: Obj): Errs {
  const s: Obj = isObj(svc.spec) ? svc.spec : {};
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  if (!arr(s.ports).length && !isHeadless(s) && s.type !== 'ExternalName') errs.push(required('spec.ports'));
  if ((s.type === 'LoadBalancer' || s.type === 'NodePort') && isHeadless(s)) {
    errs.push(badValue('spec.clusterIPs[0]', s.clusterIPs[0], `may not be set to 'None' for ${s.type} services`));
  }
  if (s.type === 'ExternalName') {
    if (arr(s.clusterIPs).length) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (arr(s.ipFamilies).length) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (s.ipFamilyPolicy !== undefined && s.ipFamilyPolicy !== null) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = str(s.externalName).replace(/\.$/, '');
    if (cname) errs.push(...isDNS1123Subdomain(cname).map(m => badValue('spec.externalName', cname, m)));
    else errs.push(required('spec.externalName'));
  }
  errs.push(...validateServicePorts(s));
  if (isObj(s.selector)) errs.push(...validateLabels(s.selector, 'spec.selector'));
  const aff = str(s.sessionAffinity);
  if (!aff) errs.push(required('spec.sessionAffinity'));
  else if (aff !== 'ClientIP' && aff !== 'None') errs.push(notSupported('spec.sessionAffinity', aff, ['ClientIP', 'None']));
  if (aff === 'ClientIP') {
    const cfg = s.sessionAffinityConfig;
    const t = cfg?.clientIP?.timeoutSeconds;
    if (!isObj(cfg)) errs.push(required('spec.sessionAffinityConfig', 'when session affinity type is ClientIP'));
    else if (!isObj(cfg.clientIP)) errs.push(required('spec.sessionAffinityConfig.clientIP', 'when session affinity type is ClientIP'));
    else if (typeof t !== 'number') errs.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'when session affinity type is ClientIP'));
    else if (t <= 0 || t > MAX_AFFINITY_SECONDS) {
      errs.push(badValue('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`));
    }
  } else if (aff === 'None' && s.sessionAffinityConfig !== undefined && s.sessionAffinityConfig !== null) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPFields(s));
  arr<string>(s.externalIPs).forEach((ip, i) => {
    const p = `spec.externalIPs[${i}]`;
    if (!isValidIP(str(ip))) errs.push(badValue(p, ip, IP_MSG));
    else errs.push(...nonSpecialIP(ip, p));
  });
  if (!str(s.type)) errs.push(required('spec.type'));
  else if (!TYPES.includes(s.type)) errs.push(notSupported('spec.type', s.type, TYPES));
  const ranges = arr<string>(s.loadBalancerSourceRanges);
  if (ranges.length) {
    if (s.type !== 'LoadBalancer') errs.push(forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => { if (!isValidCIDR(str(r).trim())) errs.push(badValue(`spec.LoadBalancerSourceRanges[${i}]`, str(r).trim(), CIDR_MSG)); });
  }
  if (s.allocateLoadBalancerNodePorts !== undefined && s.allocateLoadBalancerNodePorts !== null && s.type !== 'LoadBalancer') {
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (s.type === 'LoadBalancer' && (s.allocateLoadBalancerNodePorts === undefined || s.allocateLoadBalancerNodePorts === null)) {
    errs.push(required('allocateLoadBalancerNodePorts'));
  }
  if (s.loadBalancerClass !== undefined && s.loadBalancerClass !== null) {
    if (s.type === 'LoadBalancer') errs.push(...isQualifiedName(str(s.loadBalancerClass)).map(m => badValue('spec.loadBalancerClass', s.loadBalancerClass, m)));
    else errs.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }
  const etp = str(s.externalTrafficPolicy);
  if (!externallyAccessible(s)) {
    if (etp) errs.push(badValue('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!etp) errs.push(required('spec.externalTrafficPolicy'));
  else if (etp !== 'Cluster' && etp !== 'Local') errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  const needsHC = s.type === 'LoadBalancer' && etp === 'Local';
  if (!needsHC && s.healthCheckNodePort) {
    errs.push(badValue('spec.healthCheckNodePort', s.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (needsHC && s.healthCheckNodePort) {
    errs.push(...isValidPortNum(s.healthCheckNodePort).map(m => badValue('spec.healthCheckNodePort', s.healthCheckNodePort, m)));
  }
  const itp = s.internalTrafficPolicy;
  if (itp === undefined || itp === null) {
    if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(s.type)) errs.push(required('spec.internalTrafficPolicy'));
  } else if (itp !== 'Cluster' && itp !== 'Local') errs.push(notSupported('spec.internalTrafficPolicy', str(itp), ['Cluster', 'Local']));
  if (s.trafficDistribution !== undefined && s.trafficDistribution !== null && s.trafficDistribution !== 'PreferClose') {
    errs.push(notSupported('spec.trafficDistribution', str(s.trafficDistribution), ['PreferClose']));
  }
  return errs;
}

/** Cluster IPs and families may not change (except dual-stack upgrades/downgrades). */
export function validateServiceUpdate(n: Obj, o: Obj): Errs {
  const ns: Obj = isObj(n.spec) ? n.spec : {}, os: Obj = isObj(o.spec) ? o.spec : {};
  const errs = validateObjectMetaUpdate(n.metadata, o.metadata);
  if (ns.type !== 'ExternalName' && os.type !== 'ExternalName' && !(isHeadless(ns) && isHeadless(os))) {
    const ni = arr<string>(ns.clusterIPs), oi = arr<string>(os.clusterIPs);
    if (ni.length === oi.length) {
      oi.forEach((ip, i) => { if (ip !== ni[i]) errs.push(badValue(`spec.clusterIPs[${i}]`, ni, 'may not change once set')); });
    } else if (oi.length > ni.length) {
      if (!ni.length) errs.push(badValue('spec.clusterIPs[0]', ni, 'primary clusterIP can not be unset'));
      else if (ni[0] !== oi[0]) errs.push(badValue('spec.clusterIPs[0]', ni, 'may not change once set'));
      if (ni.length === 1 && ns.ipFamilyPolicy !== 'SingleStack') {
        errs.push(badValue('spec.ipFamilyPolicy', ns.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
      }
    } else if (oi.length && ni[0] !== oi[0]) errs.push(badValue('spec.clusterIPs[0]', ni, 'may not change once set'));
    if (isHeadless(ns) === isHeadless(os) && !isHeadless(ns)) {
      const nf = arr<string>(ns.ipFamilies), of = arr<string>(os.ipFamilies);
      if (nf.length === of.length) {
        if (of.some((f, i) => f !== nf[i])) errs.push(badValue('spec.ipFamilies[0]', nf, 'may not change once set'));
      } else if (nf.length && of.length && nf[0] !== of[0]) errs.push(badValue('spec.ipFamilies[0]', nf, 'may not change once set'));
    }
  }
  if (ns.type === 'LoadBalancer' && os.type === 'LoadBalancer' && (ns.loadBalancerClass ?? null) !== (os.loadBalancerClass ?? null)) {
    errs.push(badValue('spec.loadBalancerClass', ns.loadBalancerClass ?? null, 'may not change once set'));
  }
  const hc = (s: Obj) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (hc(ns) && hc(os) && ns.healthCheckNodePort !== os.healthCheckNodePort) errs.push(forbidden('spec.healthCheckNodePort', 'field is immutable'));
  return errs.concat(validateService(n));
}

export function validateServiceStatusUpdate(n: Obj, o: Obj): Errs {
  const errs = validateObjectMetaUpdate(n.metadata, o.metadata);
  const ingress = arr(n.status?.loadBalancer?.ingress);
  if (n.spec?.type !== 'LoadBalancer' && ingress.length) return errs.concat(forbidden('status.loadBalancer.ingress', "may only be used when `spec.type` is 'LoadBalancer'"));
  ingress.forEach((ing, i) => {
    const p = `status.loadBalancer.ingress[${i}]`;
    if (str(ing.ip) && !isValidIP(str(ing.ip))) errs.push(badValue(`${p}.ip`, ing.ip, IP_MSG));
    if (str(ing.hostname)) {
      errs.push(...isDNS1123Subdomain(str(ing.hostname)).map(m => badValue(`${p}.hostname`, ing.hostname, m)));
      if (isValidIP(str(ing.hostname))) errs.push(badValue(`${p}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
