/**
 * Registers this DNS server as the `kube-dns` Service in kube-system: a selector-less
 * Service on the fixed cluster IP (10th address of the service range), whose
 * EndpointSlice (one per node running a DNS server) and Endpoints point at the address
 * and port the server really listens on. The proxy then sends VIP:53 there.
 */
import { AlreadyExistsError, NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { Client } from '../client/index.js';

const SVC = { apiVersion: 'v1', kind: 'Service' };
const EP = { apiVersion: 'v1', kind: 'Endpoints' };
const SLICE = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' };
export const KUBE_DNS_MANAGER = 'kubeling-cluster-dns';
const NS = 'kube-system', NAME = 'kube-dns';
const LABELS = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'KubeDNS' };

export interface KubeDnsTarget { clusterIP: string; host: string; port: number; nodeName: string }

/** The n-th address of a CIDR (10 = cluster DNS). */
export function nthAddress(cidr: string, n: number): string {
  const [ip, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const base = ip.split('.').reduce((a, x) => a * 256 + Number(x), 0);
  const v = Math.floor(base / size) * size + n;
  return [24, 16, 8, 0].map(s => Math.floor(v / 2 ** s) % 256).join('.');
}

const sliceName = (node: string) => `kube-dns-${node}`.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 253);

export async function registerKubeDns(client: Client, t: KubeDnsTarget): Promise<KubeObject> {
  const ports = [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: t.port }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: t.port }];
  let svc: KubeObject | undefined = await client.get<KubeObject>(SVC, NAME, { namespace: NS }).catch(e => { if (e instanceof NotFoundError) return undefined; throw e; });
  if (svc && svc.spec?.clusterIP !== t.clusterIP) {
    // --cluster-dns changed: a cluster IP is immutable, so the Service is made anew (its slices go with it).
    await client.delete(SVC, NAME, { namespace: NS }).catch(e => { if (!(e instanceof NotFoundError)) throw e; });
    svc = undefined;
  }
  if (!svc) {
    svc = await client.create<KubeObject>(SVC, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NS, labels: LABELS },
      spec: { clusterIP: t.clusterIP, clusterIPs: [t.clusterIP], type: 'ClusterIP', ports },
    });
  } else if (JSON.stringify(svc.spec?.ports?.map((p: { targetPort?: unknown }) => p.targetPort)) !== JSON.stringify(ports.map(p => p.targetPort))) {
    svc = await client.patch<KubeObject>(SVC, NAME, { spec: { ports } }, { namespace: NS, type: 'strategic' });
  }
  const epPorts = [{ name: 'dns', port: t.port, protocol: 'UDP' }, { name: 'dns-tcp', port: t.port, protocol: 'TCP' }];
  await put(client, SLICE, {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: sliceName(t.nodeName), namespace: NS, labels: { 'kubernetes.io/service-name': NAME, 'endpointslice.kubernetes.io/managed-by': KUBE_DNS_MANAGER } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [t.host], conditions: { ready: true, serving: true, terminating: false }, nodeName: t.nodeName }],
    ports: epPorts,
  });
  await put(client, EP, {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NS, labels: LABELS },
    subsets: [{ addresses: [{ ip: t.host, nodeName: t.nodeName }], ports: epPorts }],
  });
  return svc!;
}

/** Withdraws this node's DNS endpoint (the Service and its cluster IP stay). */
export async function unregisterKubeDns(client: Client, nodeName: string): Promise<void> {
  await client.delete(SLICE, sliceName(nodeName), { namespace: NS }).catch(() => {});
  const ep = await client.get<KubeObject>(EP, NAME, { namespace: NS }).catch(() => undefined);
  const rest = ((ep?.subsets ?? []) as Array<{ addresses?: Array<{ nodeName?: string }> }>)
    .map(s => ({ ...s, addresses: s.addresses?.filter(a => a.nodeName !== nodeName) })).filter(s => s.addresses?.length);
  if (ep) await client.update<KubeObject>(EP, { ...ep, subsets: rest }).catch(() => {});
}

/** Create, or replace the content of, a named object. */
async function put(client: Client, ref: { apiVersion: string; kind: string }, obj: KubeObject): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const cur = await client.get<KubeObject>(ref, obj.metadata!.name!, { namespace: NS }).catch(e => { if (e instanceof NotFoundError) return undefined; throw e; });
    try {
      if (!cur) await client.create<KubeObject>(ref, obj);
      else await client.update<KubeObject>(ref, { ...obj, metadata: { ...cur.metadata, labels: obj.metadata!.labels } });
      return;
    } catch (e) {
      if (!(e instanceof AlreadyExistsError) && (e as { code?: string }).code !== 'KL_CONFLICT') throw e;
    }
  }
}
