/**
 * The runtime's SandboxConfig for a pod: hostname (spec.hostname or the pod name, cut to
 * 63), the FQDN with a subdomain, DNS by dnsPolicy (cluster DNS when a kube-dns Service
 * exists, else the node's resolv.conf), host aliases, host ports and namespaced sysctls.
 */
import type { Pod, PodSpec, Service } from 'kubernetes-types/core/v1.js';
import type { DnsConfig, PortMapping, SandboxConfig } from '../runtime/index.js';
import { podLabels } from '../labels.js';

export const CLUSTER_DOMAIN = 'cluster.local';

export function podHostname(pod: Pod): string {
  const h = pod.spec?.hostname || pod.metadata?.name || 'pod';
  return h.slice(0, 63).replace(/[-.]+$/, '');
}

/** ClusterFirst needs a DNS service; without one the node's resolv.conf is used (upstream warns the same way). */
export function podDns(pod: Pod, dnsService: Service | undefined, domain = CLUSTER_DOMAIN): DnsConfig | undefined {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const ns = pod.metadata?.namespace ?? 'default';
  const ip = dnsService?.spec?.clusterIP;
  let base: DnsConfig | undefined;
  const clusterFirst = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !pod.spec?.hostNetwork);
  if (clusterFirst && ip && ip !== 'None') {
    base = { servers: [ip], searches: [`${ns}.svc.${domain}`, `svc.${domain}`, domain], options: ['ndots:5'] };
  } else if (policy === 'None') {
    base = { servers: [], searches: [], options: [] };
  }
  const extra = pod.spec?.dnsConfig;
  if (!extra) return base;
  const merged: DnsConfig = base ?? { servers: [], searches: [], options: [] };
  const opts = new Map((merged.options ?? []).map(o => [o.split(':')[0]!, o]));
  for (const o of extra.options ?? []) opts.set(o.name!, o.value !== undefined ? `${o.name}:${o.value}` : o.name!);
  return {
    servers: [...merged.servers, ...(extra.nameservers ?? [])].slice(0, 3),
    searches: [...new Set([...(merged.searches ?? []), ...(extra.searches ?? [])])].slice(0, 32),
    options: [...opts.values()],
  };
}

function hostPorts(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP').toLowerCase() as PortMapping['protocol'], ...(p.hostIP ? { hostIP: p.hostIP } : {}) });
    }
  }
  return out;
}

export function sandboxConfig(pod: Pod, attempt: number, dnsService: Service | undefined, domain = CLUSTER_DOMAIN): SandboxConfig {
  const m = pod.metadata!;
  const s: PodSpec = pod.spec ?? ({ containers: [] } as PodSpec);
  const hostname = podHostname(pod);
  const sysctls = Object.fromEntries((s.securityContext?.sysctls ?? []).map(x => [x.name, x.value]));
  const dns = s.hostNetwork && s.dnsPolicy !== 'ClusterFirstWithHostNet' && s.dnsPolicy !== 'None' && !s.dnsConfig ? undefined : podDns(pod, dnsService, domain);
  return {
    name: m.name!, namespace: m.namespace!, uid: m.uid!, attempt, hostname,
    ...(s.subdomain ? { fqdn: `${hostname}.${s.subdomain}.${m.namespace}.svc.${domain}` } : {}),
    labels: podLabels(pod), annotations: {},
    hostNetwork: !!s.hostNetwork, hostPID: !!s.hostPID, hostIPC: !!s.hostIPC, shareProcessNamespace: !!s.shareProcessNamespace,
    ...(dns ? { dns } : {}),
    ...(s.hostAliases?.length ? { hostAliases: s.hostAliases.map(a => ({ ip: a.ip!, hostnames: [...(a.hostnames ?? [])] })) } : {}),
    portMappings: hostPorts(pod),
    ...(Object.keys(sysctls).length ? { sysctls } : {}),
  };
}
