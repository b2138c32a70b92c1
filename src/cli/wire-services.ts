/**
 * Starts the node's service networking: the proxy (iptables rules for Services), the
 * load-balancer status writer (k3s ServiceLB) and cluster DNS (registered as the
 * kube-system/kube-dns Service on its fixed cluster IP, so the agent writes it into
 * ClusterFirst pods' resolv.conf). The Endpoints and EndpointSlice controllers belong to
 * the controller manager (wire-controllers.ts). Settings come from `kubeling server`
 * flags (flags-services.ts); tests give every server its own chain prefix and range.
 */
import { ClusterDns, type Upstream } from '../dns/index.js';
import { Proxier, ServiceLBController, defaultNodeIP } from '../proxy/index.js';
import type { Client } from '../client/index.js';
import type { Component, ComponentContext } from './components.js';
import { log } from './log.js';

export interface ServicesOptions {
  /** Run the service proxy (kube-proxy's role). */
  proxy: boolean;
  /** Run cluster DNS. */
  dns: boolean;
  /** Run the load-balancer status writer. */
  serviceLB: boolean;
  /** Prefix of the proxy's iptables chains (also names its routing table). */
  chainPrefix: string;
  /** Leave the proxy's rules and routes in place on shutdown. */
  keepRules: boolean;
  /** Install the unreachable route for the service range (and the local lookup rule). */
  manageRoutes: boolean;
  /** This node's address (default: the default route's source). */
  nodeIP?: string;
  /** The kube-dns cluster IP (default: the 10th address of the service range). */
  clusterDNS?: string;
  /** Where the DNS server listens (default: the node IP; the proxy DNATs the cluster IP there). */
  dnsAddress?: string;
  /** 0 = any free port. */
  dnsPort: number;
  /** Default: the nameservers of /etc/resolv.conf. */
  dnsUpstreams?: Upstream[];
  clusterDomain: string;
}

export const DEFAULT_SERVICES: ServicesOptions = {
  proxy: true, dns: true, serviceLB: true, chainPrefix: 'KUBELING-', keepRules: false, manageRoutes: true,
  dnsPort: 0, clusterDomain: 'cluster.local',
};

/** Their own clients (in `kubeling server`, each connecting as its own user); default: ctx.client. */
export interface ServicesClients { dns?: Client; serviceLB?: Client }

export async function startServices(ctx: ComponentContext, overrides: Partial<ServicesOptions> = {}, clients: ServicesClients = {}): Promise<Component[]> {
  const o: ServicesOptions = { ...DEFAULT_SERVICES, ...stripUndefined(overrides) };
  const components: Component[] = [];
  const nodeIP = o.nodeIP ?? await defaultNodeIP();
  if (o.serviceLB) {
    components.push(new ServiceLBController({ client: (clients.serviceLB ?? ctx.client).withComponent('service-lb-controller'), informers: ctx.informers, logger: log }).start());
  }
  if (o.dns) {
    const dns = new ClusterDns({
      client: (clients.dns ?? ctx.client).withComponent('cluster-dns'), informers: ctx.informers, nodeName: ctx.nodeName, clusterIP: o.clusterDNS,
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

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
