/**
 * /etc/resolv.conf for a pod, by dnsPolicy (as the kubelet writes it):
 * - ClusterFirst (default): the cluster DNS, search `<ns>.svc.<zone> svc.<zone> <zone>`
 *   plus the host's search domains, `options ndots:5`;
 * - ClusterFirstWithHostNet: the same for host-network pods (plain ClusterFirst gives
 *   them the host's file);
 * - Default: the node's own resolv.conf;
 * - None: only what `dnsConfig` says.
 * `dnsConfig` nameservers, searches and options are merged in for every policy.
 */
export interface PodDnsInput {
  namespace: string;
  dnsPolicy?: string;
  hostNetwork?: boolean;
  dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: Array<{ name: string; value?: string }> };
}

export interface ClusterDnsSettings { clusterDNS: string[]; clusterDomain: string; hostResolvConf: string }

interface Parsed { nameservers: string[]; searches: string[]; options: Map<string, string | undefined> }

function parse(text: string): Parsed {
  const p: Parsed = { nameservers: [], searches: [], options: new Map() };
  for (const line of text.split('\n')) {
    const [k, ...v] = line.trim().split(/\s+/);
    if (k === 'nameserver' && v[0]) p.nameservers.push(v[0]);
    else if (k === 'search' || k === 'domain') p.searches = v;
    else if (k === 'options') for (const o of v) { const [n, val] = o.split(':'); p.options.set(n, val); }
  }
  return p;
}

export function podResolvConf(pod: PodDnsInput, s: ClusterDnsSettings): string {
  const host = parse(s.hostResolvConf);
  const policy = pod.dnsPolicy ?? 'ClusterFirst';
  const cluster = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !pod.hostNetwork);
  let r: Parsed;
  if (policy === 'None') r = { nameservers: [], searches: [], options: new Map() };
  else if (cluster) {
    const z = s.clusterDomain;
    r = {
      nameservers: [...s.clusterDNS],
      searches: [`${pod.namespace}.svc.${z}`, `svc.${z}`, z, ...host.searches],
      options: new Map([['ndots', '5']]),
    };
  } else r = host;
  const c = pod.dnsConfig ?? {};
  const nameservers = [...new Set([...r.nameservers, ...(c.nameservers ?? [])])].slice(0, 3);
  const searches = [...new Set([...r.searches, ...(c.searches ?? [])])].slice(0, 32);
  for (const o of c.options ?? []) r.options.set(o.name, o.value);
  const lines = [
    ...nameservers.map(n => `nameserver ${n}`),
    ...(searches.length ? [`search ${searches.join(' ')}`] : []),
    ...(r.options.size ? [`options ${[...r.options].map(([k, v]) => (v === undefined ? k : `${k}:${v}`)).join(' ')}`] : []),
  ];
  return lines.join('\n') + '\n';
}
