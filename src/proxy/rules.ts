/**
 * The proxy's rules as data: the model in, every chain's rules out (nat and filter),
 * plus the jumps from the built-in chains into ours. Pure and deterministic apart from
 * nothing: the same model always yields the same text, which is what lets the syncer
 * rewrite only chains that changed.
 *
 * Packet paths (nat), as kube-proxy's iptables mode but with one rule per endpoint
 * instead of one chain per endpoint (a chain costs ~100 µs in iptables-nft-restore):
 *   PREROUTING/OUTPUT → SERVICES → (cluster IP) SVC-x | SVL-x
 *                                → (LB / external IP, 127.0.0.1 for LB) MARK-MASQ + SVC-x
 *                                → (local address) NODEPORTS → MARK-MASQ + SVC-x
 *   externalTrafficPolicy Local goes through EXT-x instead (local endpoints for outsiders).
 *   SVC-x: `statistic random` rules, each DNATs to one endpoint (1/n, 1/(n-1), …, 1).
 *   Session affinity adds per-endpoint SEP chains remembered with the `recent` module.
 *   POSTROUTING → POSTROUTING: masquerade marked packets, hairpin (a pod reaching
 *   itself through its service), and pod traffic leaving the pod network.
 * Filter: REJECT for services without endpoints, a catch-all REJECT for the service
 * range (never-DNATed traffic fails at once), FORWARD accepts, and the route_localnet guard.
 */
import { ChainNames, comment, markHex } from './chains.js';
import { renderFilter } from './rules-filter.js';
import type { Endpoint, ServicePortModel } from './model.js';

export type Table = 'nat' | 'filter';

export interface RuleSet {
  /** Chain → rules (each the arguments after `-A <chain>`), per table. */
  nat: Map<string, string[]>;
  filter: Map<string, string[]>;
}

export interface Jump { table: Table; chain: string; rule: string }

export interface RuleOptions {
  names: ChainNames;
  clusterCidr: string;
  serviceCidr: string;
  /** The mark bit asking POSTROUTING to masquerade (default 0x4000, as kube-proxy). */
  masqueradeBit?: number;
  /** This node: hairpin rules are only needed for its own endpoints (default: all). */
  nodeName?: string;
  /** Masquerade pod traffic leaving the pod network (default true). */
  masqueradeEgress?: boolean;
}

const proto = (m: ServicePortModel) => m.protocol.toLowerCase();

/** Jumps from the built-in chains to ours (inserted first, removed on cleanup). */
export function builtinJumps(n: ChainNames): Jump[] {
  const c = (what: string) => comment(`kubeling ${n.prefix} ${what}`);
  return [
    { table: 'nat', chain: 'PREROUTING', rule: `${c('service portals')} -j ${n.services}` },
    { table: 'nat', chain: 'OUTPUT', rule: `${c('service portals')} -j ${n.services}` },
    { table: 'nat', chain: 'POSTROUTING', rule: `${c('postrouting')} -j ${n.postrouting}` },
    { table: 'filter', chain: 'INPUT', rule: `-m conntrack --ctstate NEW ${c('external services')} -j ${n.externalServices}` },
    { table: 'filter', chain: 'INPUT', rule: `${c('firewall')} -j ${n.firewall}` },
    { table: 'filter', chain: 'FORWARD', rule: `-m conntrack --ctstate NEW ${c('service portals')} -j ${n.filterServices}` },
    { table: 'filter', chain: 'FORWARD', rule: `${c('forwarding')} -j ${n.forward}` },
    { table: 'filter', chain: 'OUTPUT', rule: `-m conntrack --ctstate NEW ${c('service portals')} -j ${n.filterServices}` },
    { table: 'filter', chain: 'OUTPUT', rule: `${c('firewall')} -j ${n.firewall}` },
  ];
}

export function generateRules(model: ServicePortModel[], o: RuleOptions): RuleSet {
  const n = o.names;
  const nat = new Map<string, string[]>();
  const chain = (name: string) => { let r = nat.get(name); if (!r) nat.set(name, r = []); return r; };
  const services = chain(n.services), nodePorts = chain(n.nodePorts);
  // Clients outside the pod network must get replies back through us: one rule for the
  // whole range (unmatched VIPs are rejected anyway) instead of one per service.
  services.push(`! -s ${o.clusterCidr} -d ${o.serviceCidr} ${comment('off-pod-network clients of cluster IPs')} -j ${n.markMasq}`);
  const hairpinIps = new Set<string>();
  const mark = markHex(o.masqueradeBit);
  chain(n.markMasq).push(`-j MARK --or-mark ${mark}`);

  for (const m of model) {
    const p = proto(m);
    const svcChain = n.svc(m.id, m.protocol), svlChain = n.svl(m.id, m.protocol), extChain = n.ext(m.id, m.protocol);
    if (m.clusterEndpoints.length) {
      const rules = chain(svcChain);
      rules.push(...balance(m, m.clusterEndpoints, n, nat));
    }
    if (m.localEndpoints.length && (m.internalLocal || m.externalLocal)) chain(svlChain).push(...balance(m, m.localEndpoints, n, nat));
    for (const e of m.clusterEndpoints) if (!o.nodeName || !e.nodeName || e.nodeName === o.nodeName) hairpinIps.add(e.ip);

    const internal = m.internalLocal ? (m.localEndpoints.length ? svlChain : undefined) : (m.clusterEndpoints.length ? svcChain : undefined);
    if (internal) {
      for (const ip of m.clusterIPs) services.push(`-d ${ip}/32 -p ${p} -m ${p} --dport ${m.port} ${comment(`${m.id} cluster IP`)} -j ${internal}`);
    }
    const external = m.nodePort || m.loadBalancerIPs.length || m.externalIPs.length;
    if (!external || !m.clusterEndpoints.length) continue;
    // Where outside traffic enters: [chain, match, what] for each address/port it may use.
    const entries: Array<[string[], string, string]> = [];
    for (const ip of [...m.externalIPs, ...m.loadBalancerIPs]) entries.push([services, `-d ${ip}/32 -p ${p} -m ${p} --dport ${m.port}`, 'external IP']);
    if (m.loadBalancerIPs.length) entries.push([services, `-d 127.0.0.1/32 -p ${p} -m ${p} --dport ${m.port}`, 'loadbalancer on localhost']);
    if (m.nodePort) entries.push([nodePorts, `-p ${p} -m ${p} --dport ${m.nodePort}`, 'node port']);
    if (!m.externalLocal) {
      // Cluster policy: masquerade, then any endpoint. Inline: a chain per service costs more to program.
      for (const [list, match, what] of entries) list.push(`${match} ${comment(`${m.id} ${what}`)} -j ${n.markMasq}`, `${match} -j ${svcChain}`);
      continue;
    }
    // Local policy: pods and the node itself may use any endpoint; outside clients only
    // local ones, unmasqueraded (their source address is kept).
    const ext = chain(extChain);
    ext.push(`-s ${o.clusterCidr} ${comment('pod traffic for local policy')} -j ${svcChain}`);
    ext.push(`-m addrtype --src-type LOCAL -j ${n.markMasq}`);
    ext.push(`-m addrtype --src-type LOCAL -j ${svcChain}`);
    if (m.localEndpoints.length) ext.push(`-j ${svlChain}`);
    for (const [list, match, what] of entries) list.push(`${match} ${comment(`${m.id} ${what}`)} -j ${extChain}`);
  }
  // Last: anything addressed to this node may be a node port.
  services.push(`-m addrtype --dst-type LOCAL -j ${n.nodePorts}`);

  const post = chain(n.postrouting);
  post.push(`-m mark --mark ${mark}/${mark} -j MASQUERADE`);
  post.push(`-m conntrack --ctstate DNAT -j ${n.hairpin}`);
  // Loopback sources cannot leave the node (127.0.0.1 node ports and load balancers).
  post.push(`-s 127.0.0.0/8 -m conntrack --ctstate DNAT -j MASQUERADE`);
  if (o.masqueradeEgress !== false) {
    post.push(`-s ${o.clusterCidr} ! -d ${o.clusterCidr} ${comment('pod traffic leaving the pod network')} -j MASQUERADE`);
  }
  const hairpin = chain(n.hairpin);
  // A pod sent to itself must see the reply come from elsewhere, or it drops it.
  for (const ip of [...hairpinIps].sort()) hairpin.push(`-s ${ip}/32 -d ${ip}/32 -j MASQUERADE`);

  return { nat, filter: renderFilter(model, o) };
}

// "1 of the n left": the same few strings every sync, so made once.
const picks: string[] = [];
function pick(left: number): string {
  return left <= 1 ? '' : (picks[left] ??= `-m statistic --mode random --probability ${(1 / left).toFixed(11)} `);
}

/** Rules spreading new connections evenly over `eps` (with affinity: sticky per client). */
function balance(m: ServicePortModel, eps: Endpoint[], n: ChainNames, nat: Map<string, string[]>): string[] {
  const p = proto(m);
  const out: string[] = [];
  const target = (e: Endpoint) => {
    if (m.affinitySeconds === undefined) return `-j DNAT --to-destination ${e.ip}:${e.port}`;
    const sep = n.sep(m.id, m.protocol, `${e.ip}:${e.port}`);
    if (!nat.has(sep)) nat.set(sep, [`-p ${p} -m recent --name ${sep} --mask 255.255.255.255 --set --rsource -j DNAT --to-destination ${e.ip}:${e.port}`]);
    return `-j ${sep}`;
  };
  if (m.affinitySeconds !== undefined) {
    for (const e of eps) {
      const sep = n.sep(m.id, m.protocol, `${e.ip}:${e.port}`);
      out.push(`-m recent --name ${sep} --mask 255.255.255.255 --rcheck --seconds ${m.affinitySeconds} --reap --rsource -j ${sep}`);
    }
  }
  eps.forEach((e, i) => out.push(`-p ${p} ${pick(eps.length - i)}${target(e)}`));
  return out;
}
