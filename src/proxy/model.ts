/**
 * The proxy's view of the cluster: one entry per Service port, with the addresses it is
 * reached on and the endpoints it goes to, built from the Service and EndpointSlice
 * caches. Rule generation reads only this, so it is a pure function of the model.
 */
import type { KubeObject } from '../api/object.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface Endpoint {
  ip: string;
  port: number;
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export interface ServicePortModel {
  /** `namespace/name:portName` (portName may be empty). */
  id: string;
  protocol: Protocol;
  clusterIPs: string[];
  port: number;
  nodePort?: number;
  /** status.loadBalancer.ingress IPs (LoadBalancer services). */
  loadBalancerIPs: string[];
  externalIPs: string[];
  /** ClientIP affinity timeout (seconds), when sessionAffinity is ClientIP. */
  affinitySeconds?: number;
  /** externalTrafficPolicy: Local (NodePort/LoadBalancer only). */
  externalLocal: boolean;
  /** internalTrafficPolicy: Local. */
  internalLocal: boolean;
  /** Endpoints for traffic from anywhere (ready ones; else serving terminating ones). */
  clusterEndpoints: Endpoint[];
  /** The subset of those on this node, chosen the same way among local endpoints. */
  localEndpoints: Endpoint[];
}

export interface ModelOptions { nodeName: string }

interface SvcPort { name?: string; port: number; protocol?: string; nodePort?: number }
interface SliceEndpoint { addresses?: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean }; nodeName?: string }

/**
 * One model entry per proxied Service port. Headless and ExternalName services have no
 * virtual IP and are skipped; `slicesOf` returns the EndpointSlices of a Service.
 */
export function buildModel(services: Iterable<KubeObject>, slicesOf: (ns: string, name: string) => KubeObject[],
  o: ModelOptions): ServicePortModel[] {
  const out: ServicePortModel[] = [];
  for (const svc of services) {
    const s = svc.spec ?? {};
    if (s.type === 'ExternalName') continue;
    const clusterIPs = ((s.clusterIPs ?? (s.clusterIP ? [s.clusterIP] : [])) as string[]).filter(ip => ip && ip !== 'None' && !ip.includes(':'));
    if (!clusterIPs.length) continue;
    const ns = svc.metadata!.namespace!, name = svc.metadata!.name!;
    const slices = slicesOf(ns, name).filter(sl => (sl.addressType ?? 'IPv4') === 'IPv4');
    const isLB = s.type === 'LoadBalancer';
    const external = isLB || s.type === 'NodePort';
    const lbIPs = isLB ? ((svc.status?.loadBalancer?.ingress ?? []) as Array<{ ip?: string }>).map(i => i.ip).filter((x): x is string => !!x) : [];
    for (const sp of (s.ports ?? []) as SvcPort[]) {
      const protocol = (sp.protocol ?? 'TCP') as Protocol;
      const all = endpointsFor(slices, sp.name ?? '', protocol);
      const local = all.filter(e => e.nodeName === o.nodeName);
      out.push({
        id: `${ns}/${name}:${sp.name ?? ''}`,
        protocol, clusterIPs, port: sp.port,
        nodePort: external && sp.nodePort ? sp.nodePort : undefined,
        loadBalancerIPs: lbIPs,
        externalIPs: ((s.externalIPs ?? []) as string[]).filter(ip => !ip.includes(':')),
        affinitySeconds: s.sessionAffinity === 'ClientIP' ? (s.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined,
        externalLocal: external && s.externalTrafficPolicy === 'Local',
        internalLocal: s.internalTrafficPolicy === 'Local',
        clusterEndpoints: usable(all),
        localEndpoints: usable(local),
      });
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.protocol.localeCompare(b.protocol)));
}

/** Every endpoint of the slices for the named port, one per address:port. */
function endpointsFor(slices: KubeObject[], portName: string, protocol: Protocol): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const sl of slices) {
    const p = ((sl.ports ?? []) as Array<{ name?: string; port?: number; protocol?: string }>)
      .find(x => (x.name ?? '') === portName && (x.protocol ?? 'TCP') === protocol);
    if (!p?.port) continue;
    for (const e of (sl.endpoints ?? []) as SliceEndpoint[]) {
      const ip = e.addresses?.[0];
      if (!ip) continue;
      const c = e.conditions ?? {};
      // Unset conditions mean ready/serving (the API's documented default).
      const ready = c.ready !== false, serving = c.serving ?? ready, terminating = c.terminating === true;
      const key = `${ip}:${p.port}`;
      if (!seen.has(key)) seen.set(key, { ip, port: p.port, nodeName: e.nodeName, ready, serving, terminating });
    }
  }
  return [...seen.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : ipNum(a.ip) - ipNum(b.ip)));
}

/** Ready endpoints; when there are none, serving terminating ones (graceful drain). */
function usable(eps: Endpoint[]): Endpoint[] {
  const ready = eps.filter(e => e.ready);
  return ready.length ? ready : eps.filter(e => e.serving && e.terminating);
}

export function ipNum(ip: string): number {
  return ip.split('.').reduce((a, x) => a * 256 + Number(x), 0);
}
