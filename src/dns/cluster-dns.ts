/**
 * Cluster DNS as a component: the zone over the informer caches, the UDP+TCP server on
 * a node address, the forwarder to the node's resolvers, and the `kube-dns` Service
 * pointing at it. start() listens at once and registers the endpoint once the caches
 * have synced (so no query is answered from an empty cache).
 */
import { readFileSync } from 'node:fs';
import type { Client, Logger, SharedInformerFactory } from '../client/index.js';
import { defaultLogger } from '../client/index.js';
import { InformerView } from './cluster-view.js';
import { Forwarder, upstreamsFromResolvConf, type Upstream } from './forwarder.js';
import { nthAddress, registerKubeDns, unregisterKubeDns } from './kube-dns.js';
import { DnsServer } from './server.js';
import { ClusterZone } from './zone.js';

export interface ClusterDnsOptions {
  client: Client;
  informers: SharedInformerFactory;
  nodeName: string;
  serviceCidr: string;
  clusterCidr: string;
  /** The kube-dns cluster IP (default: the 10th address of the service range, like k3s's 10.43.0.10). */
  clusterIP?: string;
  /** Address to listen on (a node address the proxy can DNAT to). */
  host: string;
  /** 0 = any free port (default). */
  port?: number;
  domain?: string;
  /** How often to check that kube-dns still points here, re-registering if not (default 15 s). */
  recheckMs?: number;
  /** Default: the nameservers of /etc/resolv.conf. */
  upstreams?: Upstream[];
  /** Register the kube-dns Service and endpoint (default true). */
  register?: boolean;
  ttl?: number;
  logger?: Logger;
}

export class ClusterDns {
  readonly name = 'cluster-dns';
  readonly clusterIP: string;
  readonly server: DnsServer;
  readonly view: InformerView;
  readonly #o: ClusterDnsOptions;
  readonly #fwd: Forwarder;
  readonly #abort = new AbortController();
  #registered?: Promise<void>;
  #timer?: NodeJS.Timeout;

  constructor(o: ClusterDnsOptions) {
    this.#o = o;
    this.clusterIP = o.clusterIP ?? nthAddress(o.serviceCidr, 10);
    let server: DnsServer | undefined;
    this.view = new InformerView(o.informers, () => server?.invalidate());
    const zone = new ClusterZone(this.view, {
      domain: o.domain ?? 'cluster.local', ttl: o.ttl ?? 5, reverseCidrs: [o.serviceCidr, o.clusterCidr], dnsIP: this.clusterIP,
    });
    const upstreams = o.upstreams ?? upstreamsFromResolvConf(readText('/etc/resolv.conf'))
      .filter(u => u.host !== this.clusterIP && u.host !== o.host);
    this.#fwd = new Forwarder({ upstreams });
    this.server = server = new DnsServer({ host: o.host, port: o.port ?? 0, zone, forwarder: this.#fwd, logger: o.logger });
  }

  /** Listens; resolves with the address. Registration follows in the background (see ready()). */
  async start(): Promise<{ host: string; port: number }> {
    await this.#fwd.start();
    const addr = await this.server.listen();
    const log = this.#o.logger ?? defaultLogger;
    const register = () => registerKubeDns(this.#o.client, { clusterIP: this.clusterIP, host: addr.host, port: addr.port, nodeName: this.#o.nodeName })
      .then(() => true, e => { log.error('cluster dns registration failed', { error: e instanceof Error ? e.message : String(e) }); return false; });
    this.#registered = (async () => {
      if (!(await this.view.waitForSync(this.#abort.signal)) || this.#o.register === false) return;
      if (await register()) {
        log.info('cluster dns ready', { clusterIP: this.clusterIP, listen: `${addr.host}:${addr.port}`, upstreams: this.#fwd.upstreams.map(u => `${u.host}:${u.port}`) });
      }
      // Someone may delete the Service or our slice (or the first try failed): put them back.
      this.#timer = setInterval(() => { if (!this.#pointsHere(addr)) void register(); }, this.#o.recheckMs ?? 15_000);
      this.#timer.unref();
    })();
    return addr;
  }

  #pointsHere(addr: { host: string; port: number }): boolean {
    if (!this.view.service('kube-system', 'kube-dns')) return false;
    return this.view.slices('kube-system', 'kube-dns').some(s => (s.endpoints as Array<{ addresses?: string[] }> | undefined)
      ?.some(e => e.addresses?.includes(addr.host)) && (s.ports as Array<{ port?: number }> | undefined)?.some(p => p.port === addr.port));
  }

  /** Resolves once the caches synced and kube-dns points here. */
  ready(): Promise<void> { return this.#registered ?? Promise.resolve(); }

  async stop(): Promise<void> {
    this.#abort.abort();
    clearInterval(this.#timer);
    await this.#registered;
    if (this.#o.register !== false) await unregisterKubeDns(this.#o.client, this.#o.nodeName).catch(() => {});
    this.view.close();
    await this.server.close();
    this.#fwd.close();
  }
}

function readText(p: string): string {
  try { return readFileSync(p, 'utf8'); } catch { return ''; }
}
