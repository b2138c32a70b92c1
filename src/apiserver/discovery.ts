/**
 * Discovery documents derived from the resource declarations: legacy (/api,
 * /apis, APIResourceList per group-version) and aggregated (apidiscovery.k8s.io/v2).
 */
import { RESOURCES, apiVersionOf, groupVersions, type ResourceInfo, type Subresource } from '../api/resources.js';
import { METRICS_API_RESOURCES, METRICS_GROUP, METRICS_VERSION } from './metrics/metrics-api.js';

interface SubInfo { group: string; version: string; kind: string; verbs: string[] }

/** What each subresource answers with, and which verbs it takes. */
function subInfo(ri: ResourceInfo, sub: Subresource): SubInfo {
  const same = { group: ri.group, version: ri.version };
  switch (sub) {
    case 'status': return { ...same, kind: ri.kind, verbs: ['get', 'patch', 'update'] };
    case 'scale': return { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    case 'binding': return { ...same, kind: 'Binding', verbs: ['create'] };
    case 'log': return { ...same, kind: 'Pod', verbs: ['get'] };
    case 'exec': return { ...same, kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'attach': return { ...same, kind: 'PodAttachOptions', verbs: ['create', 'get'] };
    case 'portforward': return { ...same, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    case 'proxy': return { ...same, kind: `${ri.kind}ProxyOptions`, verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    case 'eviction': return { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    case 'token': return { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };
    case 'ephemeralcontainers': return { ...same, kind: 'Pod', verbs: ['get', 'patch', 'update'] };
  }
}

const inGv = (g: string, v: string) => RESOURCES.filter(r => r.group === g && r.version === v);

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupNames(): string[] {
  return [...new Set(RESOURCES.filter(r => r.group).map(r => r.group))];
}

export function apiGroup(name: string) {
  if (name === METRICS_GROUP) {
    const v = { groupVersion: `${METRICS_GROUP}/${METRICS_VERSION}`, version: METRICS_VERSION };
    return { kind: 'APIGroup', apiVersion: 'v1', name, versions: [v], preferredVersion: v };
  }
  const versions = groupVersions().filter(gv => gv.group === name).map(gv => ({ groupVersion: `${name}/${gv.version}`, version: gv.version }));
  if (!versions.length) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions, preferredVersion: versions[0] };
}

export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groupNames(), METRICS_GROUP].map(g => { const { kind: _k, apiVersion: _a, ...rest } = apiGroup(g)!; return rest; }) };
}

export function apiResourceList(group: string, version: string) {
  if (group === METRICS_GROUP && version === METRICS_VERSION) {
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${METRICS_GROUP}/${METRICS_VERSION}`, resources: METRICS_API_RESOURCES };
  }
  const list = inGv(group, version);
  if (!list.length) return undefined;
  const resources: unknown[] = [];
  for (const ri of list) {
    const main: Record<string, unknown> = { name: ri.plural, singularName: ri.singular, namespaced: ri.namespaced, kind: ri.kind, verbs: ri.verbs };
    if (ri.shortNames) main.shortNames = ri.shortNames;
    if (ri.categories) main.categories = ri.categories;
    resources.push(main);
    for (const sub of ri.subresources ?? []) {
      const s = subInfo(ri, sub);
      const e: Record<string, unknown> = { name: `${ri.plural}/${sub}`, singularName: '', namespaced: ri.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== ri.group || s.version !== ri.version) { e.group = s.group; e.version = s.version; }
      resources.push(e);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

function discoveryResource(ri: ResourceInfo) {
  const out: Record<string, unknown> = {
    resource: ri.plural,
    responseKind: { group: ri.group, version: ri.version, kind: ri.kind },
    scope: ri.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: ri.singular,
    verbs: ri.verbs,
  };
  if (ri.shortNames) out.shortNames = ri.shortNames;
  if (ri.categories) out.categories = ri.categories;
  if (ri.subresources?.length) {
    out.subresources = ri.subresources.map(sub => {
      const s = subInfo(ri, sub);
      return { subresource: sub, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs };
    });
  }
  return out;
}

function discoveryGroup(group: string) {
  const versions = groupVersions().filter(gv => gv.group === group).map(gv => ({
    version: gv.version, resources: inGv(group, gv.version).map(discoveryResource), freshness: 'Current',
  }));
  return { metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null }, versions };
}

export const DISCOVERY_V2_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Aggregated discovery for /api (legacy core group) or /apis (all named groups). */
export function aggregatedDiscovery(legacy: boolean) {
  const items = legacy ? [discoveryGroup('')] : [...groupNames().map(discoveryGroup), metricsDiscoveryGroup()];
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

/** metrics.k8s.io, served by the API server itself from the node agents (see metrics/metrics-api.ts). */
function metricsDiscoveryGroup() {
  const resources = METRICS_API_RESOURCES.map(r => ({
    resource: r.name, responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: r.singularName, verbs: r.verbs,
  }));
  return { metadata: { name: METRICS_GROUP, creationTimestamp: null }, versions: [{ version: METRICS_VERSION, resources, freshness: 'Current' }] };
}
