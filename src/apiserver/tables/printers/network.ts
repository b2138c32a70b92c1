/** Services (TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE +SELECTOR), Endpoints, EndpointSlices. */
import type { Endpoints, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { formatLabels } from '../../../api/selectors/index.js';
import { ageCol, col, joinHostPort, listWithMore, nameCol } from '../columns.js';
import { since } from '../duration.js';
import type { Printer } from '../types.js';

/** Load balancer ingress IPs (or hostnames), sorted and unique; never clipped server-side. */
function loadBalancerIPs(svc: Service): string {
  const set = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort().join(',');
}

function externalIP(svc: Service): string {
  const ext = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIPs(svc);
      if (ext.length) return [...(lb ? lb.split(',') : []), ...ext].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** makePortString: 80/TCP, or 80:30080/TCP with a node port. */
export function portString(ports: readonly ServicePort[] | undefined): string {
  return (ports ?? []).map(p => {
    const proto = p.protocol ?? 'TCP'; // defaulted by the API; shown as stored
    return p.nodePort ? `${p.port}:${p.nodePort}/${proto}` : `${p.port}/${proto}`;
  }).join(',');
}

export const servicePrinter: Printer<Service> = {
  columns: [
    nameCol(),
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageCol(),
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  cells(svc, { now }) {
    return [
      svc.metadata?.name ?? '', svc.spec?.type ?? '', svc.spec?.clusterIPs?.[0] ?? '<none>', externalIP(svc),
      portString(svc.spec?.ports) || '<none>', since(svc.metadata?.creationTimestamp, now), formatLabels(svc.spec?.selector),
    ];
  },
};

/** formatEndpoints: up to three ip:port, then "+ N more...". */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // headless services may have no ports
      count += addrs.length;
      for (const a of addrs) { if (list.length === max) break; list.push(a.ip); }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) { if (list.length === max) break; list.push(joinHostPort(a.ip, p.port)); }
    }
  }
  const ret = list.join(',');
  return count > max ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsPrinter: Printer<Endpoints> = {
  columns: [nameCol(), col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), ageCol()],
  cells(ep, { now }) {
    return [ep.metadata?.name ?? '', formatEndpoints(ep), since(ep.metadata?.creationTimestamp, now)];
  },
};

function slicePorts(s: EndpointSlice): string {
  const ports = s.ports ?? [];
  const list = ports.slice(0, 3).map(p => (p.port != null ? String(p.port) : p.name ?? '*'));
  return listWithMore(list, ports.length, 3);
}

function sliceEndpoints(s: EndpointSlice): string {
  const all = (s.endpoints ?? []).flatMap(e => e.addresses);
  return listWithMore(all.slice(0, 3), all.length, 3);
}

export const endpointSlicePrinter: Printer<EndpointSlice> = {
  columns: [
    nameCol(),
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageCol(),
  ],
  cells(s, { now }) {
    return [s.metadata?.name ?? '', s.addressType, slicePorts(s), sliceEndpoints(s), since(s.metadata?.creationTimestamp, now)];
  },
};
