/**
 * Every resource the API server serves, declared once. Handlers, discovery, OpenAPI,
 * tables and validation all key off these declarations: add a resource by adding a line.
 */
export interface ResourceInfo {
  group: string;           // '' for the core group
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources served beside the main resource. */
  subresources?: Subresource[];
  /** Verbs on the main resource. */
  verbs: string[];
}

export type Subresource = 'status' | 'scale' | 'binding' | 'log' | 'exec' | 'attach' | 'portforward' | 'proxy' | 'eviction' | 'ephemeralcontainers' | 'token';

const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function r(group: string, version: string, kind: string, plural: string, namespaced: boolean,
  extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return {
    group, version, kind, listKind: kind + 'List', plural, singular: kind.toLowerCase(),
    namespaced, verbs: ALL, ...extra,
  };
}

export const RESOURCES: readonly ResourceInfo[] = [
  r('', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], subresources: ['status'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  r('', 'v1', 'Pod', 'pods', true, { shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'log', 'exec', 'attach', 'portforward', 'eviction', 'ephemeralcontainers'] }),
  r('', 'v1', 'Service', 'services', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status', 'proxy'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] }),
  r('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }),
  r('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], subresources: ['status', 'proxy'] }),
  r('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  r('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'], subresources: ['token'] }),
  r('', 'v1', 'ReplicationController', 'replicationcontrollers', true, { shortNames: ['rc'], categories: ['all'], subresources: ['status', 'scale'] }),
  r('', 'v1', 'LimitRange', 'limitranges', true, { shortNames: ['limits'] }),
  r('', 'v1', 'ResourceQuota', 'resourcequotas', true, { shortNames: ['quota'], subresources: ['status'] }),
  r('', 'v1', 'PersistentVolume', 'persistentvolumes', false, { shortNames: ['pv'], subresources: ['status'] }),
  r('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, { shortNames: ['pvc'], subresources: ['status'] }),
  r('', 'v1', 'PodTemplate', 'podtemplates', true),
  r('apps', 'v1', 'Deployment', 'deployments', true, { shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, { shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true, { shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, { shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  r('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  r('batch', 'v1', 'Job', 'jobs', true, { categories: ['all'], subresources: ['status'] }),
  r('batch', 'v1', 'CronJob', 'cronjobs', true, { shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  // Create-only and never stored: answers "who am I" (kubectl auth whoami).
  r('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'] }),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  r('events.k8s.io', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  r('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, { shortNames: ['pdb'], subresources: ['status'] }),
  r('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, { shortNames: ['pc'] }),
  r('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, { shortNames: ['sc'] }),
];

export function apiVersionOf(ri: Pick<ResourceInfo, 'group' | 'version'>): string {
  return ri.group ? `${ri.group}/${ri.version}` : ri.version;
}

// Every request looks its resource up: by key, not by a scan. '/' separates (it is in no group, version or name).
const BY_PLURAL = new Map(RESOURCES.map(x => [`${x.group}/${x.version}/${x.plural}`, x]));
const BY_KIND = new Map<string, ResourceInfo>();
for (const x of RESOURCES) { const k = `${apiVersionOf(x)}/${x.kind}`; if (!BY_KIND.has(k)) BY_KIND.set(k, x); }

/** Resource for (group, version, plural). */
export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return BY_PLURAL.get(`${group}/${version}/${plural}`);
}

/** Resource for an object's apiVersion + kind. */
export function findByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return BY_KIND.get(`${apiVersion}/${kind}`);
}

/** "pods" or "deployments.apps", as used in Status messages. */
export function qualifiedResource(ri: ResourceInfo): string {
  return ri.group ? `${ri.plural}.${ri.group}` : ri.plural;
}

/** Storage key prefix for a resource: /registry/<group>/<plural>/ (core: /registry/core/<plural>/). */
export function storagePrefix(ri: ResourceInfo): string {
  return `/registry/${ri.group || 'core'}/${ri.plural}/`;
}

export function groupVersions(): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const x of RESOURCES) seen.set(apiVersionOf(x), { group: x.group, version: x.version });
  return [...seen.values()];
}
