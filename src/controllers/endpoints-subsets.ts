/**
 * The desired `subsets` of a Service's Endpoints object, computed from its pods
 * (upstream endpoints_controller.syncService + endpoints.RepackSubsets): each pod's
 * address goes under the port set its named ports resolve to, ready or not-ready.
 */
import type { KubeObject } from '../api/object.js';
import {
  findPort, isPodReady, podHostname, podTargetRef, shouldPodBeInEndpoints, type ServicePort,
} from './endpoints-pods.js';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

export interface EndpointPort { name?: string; port: number; protocol: string; appProtocol?: string }

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** Subsets for `svc` from the pods its selector matched, packed and sorted deterministically. */
export function computeSubsets(svc: KubeObject, pods: KubeObject[]): EndpointSubset[] {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const ports = (svc.spec?.ports ?? []) as ServicePort[];
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  const add = (eps: EndpointPort[], addr: EndpointAddress, ready: boolean) => {
    const key = JSON.stringify(eps);
    let g = groups.get(key);
    if (!g) groups.set(key, g = { ports: eps, ready: [], notReady: [] });
    (ready ? g.ready : g.notReady).push(addr);
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const addr: EndpointAddress = {
      ip: pod.status.podIP, hostname: podHostname(pod, svc), nodeName: pod.spec?.nodeName || undefined, targetRef: podTargetRef(pod),
    };
    const ready = tolerateUnready || isPodReady(pod);
    if (ports.length === 0) {
      // Headless without ports: DNS still wants the addresses.
      if (svc.spec?.clusterIP === 'None') add([], addr, ready);
      continue;
    }
    const eps: EndpointPort[] = [];
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue; // this pod does not expose that named port
      eps.push({ name: sp.name || undefined, port, protocol: sp.protocol ?? 'TCP', appProtocol: sp.appProtocol });
    }
    if (eps.length === 0) continue;
    eps.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol));
    add(eps, addr, ready);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress) => cmpIp(a.ip, b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => ({
    addresses: g.ready.length ? g.ready.sort(byIp) : undefined,
    notReadyAddresses: g.notReady.length ? g.notReady.sort(byIp) : undefined,
    ports: g.ports.length ? g.ports : undefined,
  }));
}

/** Orders dotted quads numerically (10.0.0.9 before 10.0.0.10); other strings lexically. */
export function cmpIp(a: string, b: string): number {
  const pa = a.split('.'), pb = b.split('.');
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) { const d = Number(pa[i]) - Number(pb[i]); if (d) return d; }
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
