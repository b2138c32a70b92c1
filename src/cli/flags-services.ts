/**
 * `kubeling server` flags for service networking (names follow k3s and kube-proxy):
 * which parts run, the cluster DNS address and domain, and the proxy's chain prefix,
 * so several servers (tests) on one machine never touch each other's rules.
 */
import type { Command } from 'commander';
import type { Upstream } from '../dns/index.js';
import { ChainNames } from '../proxy/index.js';
import type { ServicesOptions } from './wire-services.js';

/** Components `--disable` can switch off (k3s names; `dns` is an alias of `coredns`). */
const DISABLABLE = ['servicelb', 'coredns', 'dns'] as const;

export function addServicesFlags(cmd: Command): Command {
  return cmd
    .option('--disable <component,...>', `do not run these packaged components: ${DISABLABLE.join(', ')} (repeatable)`, collect, [])
    .option('--disable-kube-proxy', 'do not run the service proxy (it never runs with --disable-agent)', false)
    .option('--cluster-dns <ip>', 'cluster IP of the kube-dns Service (default: the 10th address of --service-cidr)')
    .option('--cluster-domain <domain>', 'cluster domain: served by cluster DNS, used in pods\' DNS search path', 'cluster.local')
    .option('--cluster-dns-bind <ip>', 'address the DNS server listens on (default: the node IP)')
    .option('--cluster-dns-port <port>', 'port the DNS server listens on (0 = any free port)', '0')
    .option('--cluster-dns-upstream <host[:port],...>', 'resolvers for names outside the cluster (default: /etc/resolv.conf)')
    .option('--proxy-chain-prefix <prefix>', 'prefix of the proxy\'s iptables chains (one per server on a machine)', 'KUBELING-')
    .option('--proxy-keep-rules', 'leave the proxy\'s rules and routes in place at shutdown (the next start adopts them)', false);
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, ...v.split(',').map(s => s.trim()).filter(Boolean)];
}

/** The parsed flags as startServices options; throws (naming the flag) on bad values. */
export function servicesOptionsFromFlags(opts: Record<string, unknown>): Partial<ServicesOptions> {
  const disabled = (opts.disable as string[] | undefined) ?? [];
  for (const d of disabled) {
    if (!(DISABLABLE as readonly string[]).includes(d)) throw new Error(`--disable: unknown component "${d}" (known: ${DISABLABLE.join(', ')})`);
  }
  const prefix = String(opts.proxyChainPrefix ?? 'KUBELING-');
  try { new ChainNames(prefix); } catch (e) { throw new Error(`--proxy-chain-prefix: ${(e as Error).message}`); }
  const port = Number(opts.clusterDnsPort ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--cluster-dns-port: ${String(opts.clusterDnsPort)} is not a port`);
  for (const [flag, v] of [['--cluster-dns', opts.clusterDns], ['--cluster-dns-bind', opts.clusterDnsBind]] as const) {
    if (v !== undefined && !isIPv4(String(v))) throw new Error(`${flag}: ${String(v)} is not an IPv4 address`);
  }
  const domain = String(opts.clusterDomain ?? 'cluster.local');
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/.test(domain)) throw new Error(`--cluster-domain: ${domain} is not a DNS domain`);
  return {
    proxy: !opts.disableKubeProxy, dns: !disabled.some(d => d === 'coredns' || d === 'dns'), serviceLB: !disabled.includes('servicelb'),
    chainPrefix: prefix, keepRules: !!opts.proxyKeepRules, clusterDNS: opts.clusterDns as string | undefined,
    dnsAddress: opts.clusterDnsBind as string | undefined, dnsPort: port,
    dnsUpstreams: opts.clusterDnsUpstream === undefined ? undefined : parseUpstreams(String(opts.clusterDnsUpstream)),
    clusterDomain: domain,
  };
}

export function parseUpstreams(s: string): Upstream[] {
  return s.split(',').map(x => x.trim()).filter(Boolean).map(x => {
    const [host, port = '53'] = x.split(':');
    if (!isIPv4(host!) || !/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw new Error(`--cluster-dns-upstream: ${x} is not host[:port] with an IPv4 host`);
    }
    return { host: host!, port: Number(port) };
  });
}

function isIPv4(s: string): boolean {
  return /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split('.').every(n => Number(n) <= 255);
}
