/**
 * The endpoints a Service's EndpointSlices should hold, grouped by address type and the
 * port set each pod's named ports resolve to (one slice never mixes two port sets).
 * Conditions follow upstream: `ready` = pod Ready (or publishNotReadyAddresses) and not
 * terminating, `serving` = pod Ready, `terminating` = being deleted.
 */
import type { KubeObject } from '../api/object.js';
import { cmpIp } from './endpoints-subsets.js';
import {
  findPort, isPodReady, podHostname, podTargetRef, shouldPodBeInEndpoints, type ServicePort,
} from './endpoints-pods.js';

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

export interface SlicePort { name: string; port: number; protocol: string; appProtocol?: string }

export interface EndpointGroup {
  /** Identity of the group: address type + port set. */
  key: string;
  addressType: 'IPv4' | 'IPv6';
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

/** The key a slice with these ports and address type belongs to. */
export function groupKey(addressType: string, ports: ReadonlyArray<SlicePort>): string {
  const ps = ports.map(p => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.port - b.port || a.protocol.localeCompare(b.protocol));
  return `${addressType}|${JSON.stringify(ps)}`;
}

/** An endpoint's identity across updates (its pod, else its address). */
export const endpointId = (e: SliceEndpoint): string => e.targetRef?.uid ?? e.addresses[0];

export function desiredGroups(svc: KubeObject, pods: KubeObject[]): Map<string, EndpointGroup> {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const ports = (svc.spec?.ports ?? []) as ServicePort[];
  const headless = svc.spec?.clusterIP === 'None';
  const groups = new Map<string, EndpointGroup>();
  for (const pod of pods) {
    // Slices list terminating pods too (as terminating), so proxies can drain them.
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ip = pod.status.podIP as string;
    const addressType = ip.includes(':') ? 'IPv6' : 'IPv4';
    const sps: SlicePort[] = [];
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port !== undefined) sps.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', appProtocol: sp.appProtocol });
    }
    if (ports.length && !sps.length) continue;
    if (!ports.length && !headless) continue;
    const terminating = !!pod.metadata?.deletionTimestamp;
    const serving = isPodReady(pod);
    const ep: SliceEndpoint = {
      addresses: [ip],
      conditions: { ready: (publish || serving) && (!terminating || publish), serving, terminating },
      hostname: podHostname(pod, svc),
      nodeName: pod.spec?.nodeName || undefined,
      targetRef: podTargetRef(pod),
    };
    const key = groupKey(addressType, sps);
    let g = groups.get(key);
    if (!g) groups.set(key, g = { key, addressType, ports: sps, endpoints: [] });
    g.endpoints.push(ep);
  }
  for (const g of groups.values()) g.endpoints.sort(compareEndpoints);
  return groups;
}

export function compareEndpoints(a: SliceEndpoint, b: SliceEndpoint): number {
  return cmpIp(a.addresses[0], b.addresses[0]) || endpointId(a).localeCompare(endpointId(b));
}
