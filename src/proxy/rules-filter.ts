/**
 * The filter-table half of the proxy's rules: fast failure for services without
 * endpoints (REJECT, like kube-proxy), a catch-all for the rest of the service range,
 * FORWARD accepts for proxied traffic, and the guard route_localnet needs.
 */
import type { ServicePortModel } from './model.js';
import type { RuleOptions } from './rules.js';
import { comment, markHex } from './chains.js';

export function renderFilter(model: ServicePortModel[], o: RuleOptions): Map<string, string[]> {
  const n = o.names;
  const services: string[] = [], external: string[] = [];
  // A TCP reset ends connect() at once even for the node's own sockets (an ICMP error
  // generated in OUTPUT is not reported to a socket routed via lo).
  const reject = (p: string) => (p === 'tcp' ? 'REJECT --reject-with tcp-reset' : 'REJECT');
  for (const m of model) {
    const p = m.protocol.toLowerCase();
    const noCluster = !m.clusterEndpoints.length;
    const noInternal = m.internalLocal ? !m.localEndpoints.length : noCluster;
    if (noInternal) {
      for (const ip of m.clusterIPs) {
        services.push(`-d ${ip}/32 -p ${p} -m ${p} --dport ${m.port} ${comment(`${m.id} has no ${m.internalLocal ? 'local ' : ''}endpoints`)} -j ${reject(p)}`);
      }
    }
    // Outside clients of a Local-policy service with no endpoint here are dropped (as upstream).
    const verdict = noCluster ? reject(p) : m.externalLocal && !m.localEndpoints.length ? 'DROP' : undefined;
    if (!verdict) continue;
    const why = comment(`${m.id} has no ${noCluster ? '' : 'local '}endpoints`);
    for (const ip of [...m.externalIPs, ...m.loadBalancerIPs]) {
      const rule = `-d ${ip}/32 -p ${p} -m ${p} --dport ${m.port} ${why} -j ${verdict}`;
      services.push(rule);
      external.push(rule);
    }
    if (m.nodePort) external.push(`-m addrtype --dst-type LOCAL -p ${p} -m ${p} --dport ${m.nodePort} ${why} -j ${verdict}`);
  }
  // Whatever in the service range was not DNATed has no rules: fail now, not after a timeout.
  services.push(`-d ${o.serviceCidr} -p tcp ${comment('no such service')} -j REJECT --reject-with tcp-reset`);
  services.push(`-d ${o.serviceCidr} ${comment('no such service')} -j REJECT`);
  const mark = markHex(o.masqueradeBit);
  return new Map([
    [n.filterServices, services],
    [n.externalServices, external],
    [n.forward, [
      '-m conntrack --ctstate INVALID -j DROP',
      `-m mark --mark ${mark}/${mark} ${comment('proxied traffic')} -j ACCEPT`,
      `-s ${o.clusterCidr} ${comment('pod traffic')} -j ACCEPT`,
      `-d ${o.clusterCidr} ${comment('pod traffic')} -j ACCEPT`,
      '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ]],
    // route_localnet lets 127.0.0.1 node ports be DNATed; nothing else from outside may reach 127/8.
    [n.firewall, [`! -s 127.0.0.0/8 -d 127.0.0.0/8 ${comment('block incoming localnet connections')} -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`]],
  ]);
}
