/**
 * Objects every cluster starts with: the system namespaces and the `kubernetes`
 * Service (first IP of the service range) with endpoints at this API server.
 * Safe to run on every start.
 */
import type { Registry } from '../apiserver/registry.js';
import { findResource } from '../api/resources.js';
import { AlreadyExistsError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { localAddresses } from '../apiserver/auth/pki.js';
import { randomUUID } from 'node:crypto';
import { SYSTEM_PRIORITY_CLASSES } from '../apiserver/strategy/priority.js';
import { LOCAL_PATH_PROVISIONER } from '../controllers/local-path-provisioner.js';
import { ROOT_CA_CONFIGMAP, ROOT_CA_DESCRIPTION } from '../controllers/root-ca-publisher.js';

export const LOCAL_PATH_CLASS = 'local-path';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

async function ensure(registry: Registry, plural: string, group: string, version: string, obj: KubeObject): Promise<void> {
  const rs = registry.for(findResource(group, version, plural)!);
  const m = obj.metadata!;
  if (await rs.getKv(m.namespace, m.name!)) return;
  m.uid = randomUUID();
  m.creationTimestamp = now();
  try { await rs.create(obj); } catch (e) { if (!(e instanceof AlreadyExistsError)) throw e; }
}

export interface BootstrapOptions {
  port: number;
  /**
   * With a controller manager: what its ServiceAccounts controller and root CA publisher
   * would create in the system namespaces moments later (`default` accounts, kube-root-ca.crt),
   * made up front so the first pods are not refused or left without their token's CA.
   */
  controllerObjects?: { caCert: string };
}

export async function bootstrapCluster(registry: Registry, opts: BootstrapOptions): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(registry, 'namespaces', '', 'v1', {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
    });
  }
  if (opts.controllerObjects) {
    for (const namespace of SYSTEM_NAMESPACES) {
      await ensure(registry, 'serviceaccounts', '', 'v1', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
      await ensure(registry, 'configmaps', '', 'v1', {
        apiVersion: 'v1', kind: 'ConfigMap', data: { 'ca.crt': opts.controllerObjects.caCert },
        metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } },
      });
    }
  }
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    await ensure(registry, 'priorityclasses', 'scheduling.k8s.io', 'v1', {
      apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: pc.name },
      value: pc.value, description: pc.description, preemptionPolicy: 'PreemptLowerPriority', globalDefault: false,
    });
  }
  // The local-path provisioner's class (as k3s ships it): the default for claims that name none.
  await ensure(registry, 'storageclasses', 'storage.k8s.io', 'v1', {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: LOCAL_PATH_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: false,
  });
  const ip = registry.serviceIps.nthIp(1);
  await ensure(registry, 'services', '', 'v1', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster', sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }],
    },
    status: { loadBalancer: {} },
  });
  const hostIp = localAddresses().find(a => a !== '127.0.0.1' && !a.includes(':')) ?? '127.0.0.1';
  await ensure(registry, 'endpoints', '', 'v1', {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: hostIp }], ports: [{ name: 'https', port: opts.port, protocol: 'TCP' }] }],
  });
  await ensure(registry, 'endpointslices', 'discovery.k8s.io', 'v1', {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [hostIp], conditions: { ready: true } }],
    ports: [{ name: 'https', port: opts.port, protocol: 'TCP' }],
  });
}
