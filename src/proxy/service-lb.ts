/**
 * The load-balancer status writer (k3s ServiceLB's role): a LoadBalancer Service's
 * `status.loadBalancer.ingress` lists the addresses of the cluster's Ready nodes
 * (ExternalIP, else InternalIP), where every node's proxy serves the service port.
 * Services with a `loadBalancerClass` belong to another implementation and are skipped;
 * a Service that stops being a LoadBalancer gets its ingress cleared.
 */
import type { KubeObject } from '../api/object.js';
import { findResource } from '../api/resources.js';
import {
  Controller, defaultLogger, keyOf, splitKey, type Client, type Informer, type Logger, type SharedInformerFactory,
} from '../client/index.js';

const SERVICES = findResource('', 'v1', 'services')!;
const NODES = findResource('', 'v1', 'nodes')!;

export interface ServiceLBOptions {
  client: Client;
  informers: SharedInformerFactory;
  logger?: Logger;
}

type Ingress = { ip?: string; hostname?: string; ipMode?: string };

/** The ingress list for the current nodes: one entry per address, sorted. */
export function nodeIngress(nodes: KubeObject[]): Ingress[] {
  const ready = nodes.filter(n => ((n.status?.conditions ?? []) as Array<{ type: string; status: string }>)
    .some(c => c.type === 'Ready' && c.status === 'True'));
  const ips = new Set<string>();
  for (const n of ready.length ? ready : nodes) {
    const addrs = (n.status?.addresses ?? []) as Array<{ type: string; address: string }>;
    const ext = addrs.filter(a => a.type === 'ExternalIP'), int = addrs.filter(a => a.type === 'InternalIP');
    for (const a of ext.length ? ext : int) if (!a.address.includes(':')) ips.add(a.address);
  }
  return [...ips].sort().map(ip => ({ ip, ipMode: 'VIP' }));
}

export class ServiceLBController {
  readonly name = 'service-lb-controller';
  readonly #client: Client;
  readonly #services: Informer;
  readonly #nodes: Informer;
  readonly #loop: Controller;
  readonly #removers: Array<() => void> = [];
  readonly #abort = new AbortController();
  #running?: Promise<void>;

  constructor(o: ServiceLBOptions) {
    this.#client = o.client.withComponent(this.name);
    this.#services = o.informers.informerFor(SERVICES);
    this.#nodes = o.informers.informerFor(NODES);
    this.#loop = new Controller({
      name: this.name, sync: k => this.sync(k), logger: o.logger ?? defaultLogger, waitFor: [this.#services, this.#nodes],
    });
    const all = () => { for (const s of this.#services.list()) if (s.spec?.type === 'LoadBalancer') this.#loop.enqueue(keyOf(s)); };
    this.#removers.push(
      this.#services.addEventHandler({ onAdd: s => this.#loop.enqueue(keyOf(s)), onUpdate: (_o, s) => this.#loop.enqueue(keyOf(s)) }),
      this.#nodes.addEventHandler({
        onAdd: all, onDelete: all,
        // Heartbeats change nothing we publish; address or readiness changes do.
        onUpdate: (a, b) => { if (JSON.stringify(nodeIngress([a])) !== JSON.stringify(nodeIngress([b]))) all(); },
      }),
    );
  }

  start(): this {
    this.#running ??= this.#loop.run(this.#abort.signal);
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.#removers.splice(0)) r();
    this.#abort.abort();
    await this.#loop.stop();
    await this.#running;
  }

  async sync(key: string): Promise<void> {
    const svc = this.#services.get(key);
    if (!svc || svc.spec?.loadBalancerClass) return;
    const want = svc.spec?.type === 'LoadBalancer' ? nodeIngress(this.#nodes.list()) : [];
    const have = (svc.status?.loadBalancer?.ingress ?? []) as Ingress[];
    if (JSON.stringify(have) === JSON.stringify(want)) return;
    const { namespace, name } = splitKey(key);
    await this.#client.patch(SERVICES, name, { status: { loadBalancer: want.length ? { ingress: want } : { ingress: null } } }, {
      namespace, subresource: 'status', type: 'merge',
    });
  }
}
