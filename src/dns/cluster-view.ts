/**
 * The zone's view of the cluster over shared informers: Services by name and by cluster
 * IP, EndpointSlices by service, pods by IP. Indexes are maintained by the informers, so
 * a lookup is a map read; `onChange` fires on every event (answer caches drop then).
 */
import type { KubeObject } from '../api/object.js';
import { findResource } from '../api/resources.js';
import type { Informer, SharedInformerFactory } from '../client/index.js';
import type { ClusterView } from './zone.js';

const SERVICES = findResource('', 'v1', 'services')!;
const SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const PODS = findResource('', 'v1', 'pods')!;
const BY_SERVICE = 'dns/service', BY_IP = 'dns/ip', BY_CLUSTER_IP = 'dns/clusterIP';

export class InformerView implements ClusterView {
  readonly informers: Informer[];
  readonly #services: Informer;
  readonly #slices: Informer;
  readonly #pods: Informer;
  readonly #removers: Array<() => void> = [];

  constructor(f: SharedInformerFactory, onChange: () => void) {
    this.#services = f.informerFor(SERVICES);
    this.#slices = f.informerFor(SLICES);
    this.#pods = f.informerFor(PODS);
    this.informers = [this.#services, this.#slices, this.#pods];
    this.#slices.addIndexer(BY_SERVICE, s => {
      const n = s.metadata?.labels?.['kubernetes.io/service-name'];
      return n ? [`${s.metadata!.namespace}/${n}`] : [];
    });
    this.#pods.addIndexer(BY_IP, p => ((p.status?.podIPs ?? (p.status?.podIP ? [{ ip: p.status.podIP }] : [])) as Array<{ ip: string }>).map(x => x.ip));
    this.#services.addIndexer(BY_CLUSTER_IP, s => ((s.spec?.clusterIPs ?? [s.spec?.clusterIP]) as string[]).filter(ip => ip && ip !== 'None'));
    const h = { onAdd: onChange, onUpdate: onChange, onDelete: onChange };
    for (const inf of this.informers) this.#removers.push(inf.addEventHandler(h));
  }

  service(ns: string, name: string): KubeObject | undefined { return this.#services.get(`${ns}/${name}`); }
  namespaceHasServices(ns: string): boolean { return this.#services.listByNamespace(ns).length > 0; }
  slices(ns: string, name: string): KubeObject[] { return this.#slices.byIndex(BY_SERVICE, `${ns}/${name}`); }
  podByIP(ip: string): KubeObject[] { return this.#pods.byIndex(BY_IP, ip); }
  serviceByIP(ip: string): KubeObject | undefined { return this.#services.byIndex(BY_CLUSTER_IP, ip)[0]; }

  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    return (await Promise.all(this.informers.map(i => i.waitForSync(signal)))).every(Boolean);
  }

  close(): void { for (const r of this.#removers.splice(0)) r(); }
}
