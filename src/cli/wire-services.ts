/**
 * Starts the node's service networking: the proxy (iptables rules for Services), the
 * load-balancer status writer and cluster DNS (registered as kube-dns). The Endpoints
 * and EndpointSlice controllers belong to the controller manager (controllers/index-c).
 *
 * Settings come from the environment until they become flags (tests give every server
 * its own chain prefix and service range):
 *   KUBELING_PROXY (true), KUBELING_PROXY_PREFIX (KUBELING-), KUBELING_PROXY_KEEP_RULES (false),
 *   KUBELING_PROXY_ROUTES (true: unreachable route for the service range),
 *   KUBELING_DNS (true), KUBELING_DNS_ADDRESS (the node IP), KUBELING_DNS_PORT (0 = any free port),
 *   KUBELING_DNS_UPSTREAMS (comma-separated host[:port]; default /etc/resolv.conf),
 *   KUBELING_CLUSTER_DOMAIN (cluster.local), KUBELING_NODE_IP (default route source).
 */
import { ClusterDns, type Upstream } from '../dns/index.js';
import { Proxier, ServiceLBController, defaultNodeIP } from '../proxy/index.js';
import type { Component, ComponentContext } from './components.js';
import { log } from './log.js';

const env = (k: string) => process.env[k] || undefined;
const bool = (k: string, dflt: boolean) => (env(k) === undefined ? dflt : !/^(0|false|no)$/i.test(env(k)!));

export interface ServicesOptions {
  proxy: boolean;
  dns: boolean;
  chainPrefix: string;
  keepRules: boolean;
  manageRoutes: boolean;
  nodeIP?: string;
  dnsAddress?: string;
  dnsPort: number;
  dnsUpstreams?: Upstream[];
  clusterDomain: string;
}

export function servicesOptionsFromEnv(): ServicesOptions {
  return {
    proxy: bool('KUBELING_PROXY', true), dns: bool('KUBELING_DNS', true),
    chainPrefix: env('KUBELING_PROXY_PREFIX') ?? 'KUBELING-', keepRules: bool('KUBELING_PROXY_KEEP_RULES', false),
    manageRoutes: bool('KUBELING_PROXY_ROUTES', true), nodeIP: env('KUBELING_NODE_IP'), dnsAddress: env('KUBELING_DNS_ADDRESS'),
    dnsPort: Number(env('KUBELING_DNS_PORT') ?? 0),
    dnsUpstreams: env('KUBELING_DNS_UPSTREAMS')?.split(',').map(s => s.trim()).filter(Boolean).map(s => {
      const [host, port] = s.split(':');
      return { host, port: Number(port ?? 53) };
    }),
    clusterDomain: env('KUBELING_CLUSTER_DOMAIN') ?? 'cluster.local',
  };
}

export async function startServices(ctx: ComponentContext, overrides: Partial<ServicesOptions> = {}): Promise<Component[]> {
  const o = { ...servicesOptionsFromEnv(), ...overrides };
  const components: Component[] = [];
  const nodeIP = o.nodeIP ?? await defaultNodeIP();
  const lb = new ServiceLBController({ client: ctx.client.withComponent('service-lb-controller'), informers: ctx.informers, logger: log }).start();
  components.push(lb);
  if (o.dns) {
    const dns = new ClusterDns({
      client: ctx.client.withComponent('cluster-dns'), informers: ctx.informers, nodeName: ctx.nodeName,
      serviceCidr: ctx.config.serviceCidr, clusterCidr: ctx.config.clusterCidr, host: o.dnsAddress ?? nodeIP, port: o.dnsPort,
      domain: o.clusterDomain, upstreams: o.dnsUpstreams, logger: log,
    });
    const addr = await dns.start();
    log.info('cluster dns listening', { address: `${addr.host}:${addr.port}`, clusterIP: dns.clusterIP });
    components.push(dns);
  }
  if (o.proxy) {
    const proxy = new Proxier({
      informers: ctx.informers, nodeName: ctx.nodeName, clusterCidr: ctx.config.clusterCidr, serviceCidr: ctx.config.serviceCidr,
      chainPrefix: o.chainPrefix, keepRulesOnStop: o.keepRules, manageRoutes: o.manageRoutes, logger: log,
    });
    // The informers start after this returns; the first sync waits for them.
    proxy.start().then(
      () => log.info('service proxy ready', { prefix: o.chainPrefix, ...proxy.lastSync }),
      e => log.error('service proxy failed to start', { error: e instanceof Error ? e.message : String(e) }),
    );
    components.push(proxy);
  }
  return components;
}
