/**
 * What the Endpoints and EndpointSlice controllers share (upstream's
 * pkg/controller/util/endpoint): which pods a Service selects, whether a pod belongs
 * in its endpoints at all, named target ports resolved per pod, and the handlers that
 * turn pod and service events into service keys.
 */
import type { KubeObject } from '../api/object.js';
import { findResource } from '../api/resources.js';
import { selectorFromSet, type LabelMatcher } from '../api/selectors/index.js';
import { deletedObject, keyOf, type DeletedFinalStateUnknown, type EventHandler, type Informer } from '../client/index.js';

export const SERVICES = findResource('', 'v1', 'services')!;
export const PODS = findResource('', 'v1', 'pods')!;
export const ENDPOINTS = findResource('', 'v1', 'endpoints')!;
export const ENDPOINT_SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
  targetPort?: number | string;
}

interface ContainerPort { name?: string; containerPort: number; protocol?: string }

// Parsed selectors, per Service object (objects from the cache are immutable).
const selectors = new WeakMap<KubeObject, LabelMatcher | null>();

/**
 * The pod selector of a Service, or undefined when it has none: such Services' endpoints
 * are managed by someone else (or by hand) and the controllers leave them alone.
 */
export function serviceSelector(svc: KubeObject): LabelMatcher | undefined {
  let m = selectors.get(svc);
  if (m === undefined) {
    const sel = svc.spec?.selector as Record<string, string> | undefined;
    m = sel && Object.keys(sel).length && svc.spec?.type !== 'ExternalName' ? selectorFromSet(sel) : null;
    selectors.set(svc, m);
  }
  return m ?? undefined;
}

export const isPodReady = (pod: KubeObject): boolean =>
  ((pod.status?.conditions ?? []) as Array<{ type: string; status: string }>).some(c => c.type === 'Ready' && c.status === 'True');

/**
 * endpointutil.ShouldPodBeInEndpoints: a pod with an IP that has not finished, and is
 * not being deleted unless `includeTerminating`.
 */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  if (!pod.status?.podIP) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/**
 * The pod's port for a service port: a number as is, a name looked up among the pod's
 * container ports of the same protocol (podutil.FindPort); undefined when unresolvable.
 */
export function findPort(pod: KubeObject, sp: ServicePort): number | undefined {
  const t = sp.targetPort ?? sp.port;
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(t)) return Number(t);
  const proto = sp.protocol ?? 'TCP';
  for (const c of (pod.spec?.containers ?? []) as Array<{ ports?: ContainerPort[] }>) {
    for (const p of c.ports ?? []) if (p.name === t && (p.protocol ?? 'TCP') === proto) return p.containerPort;
  }
  return undefined;
}

/** The pod's DNS hostname inside this Service, when its hostname/subdomain name the Service. */
export function podHostname(pod: KubeObject, svc: KubeObject): string | undefined {
  const h = pod.spec?.hostname as string | undefined;
  return h && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace ? h : undefined;
}

export function podTargetRef(pod: KubeObject): { kind: string; namespace: string; name: string; uid: string } {
  return { kind: 'Pod', namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, uid: pod.metadata!.uid! };
}

/** Pods of the Service's namespace its selector matches. */
export function selectedPods(pods: Informer, svc: KubeObject, sel: LabelMatcher): KubeObject[] {
  return pods.listByNamespace(svc.metadata!.namespace!).filter(p => sel.matches(p.metadata?.labels));
}

/** Labels for managed endpoint objects: the Service's own, plus the headless marker. */
export function endpointLabels(svc: KubeObject, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...(svc.metadata?.labels ?? {}), ...extra };
  if (svc.spec?.clusterIP === 'None') out[HEADLESS_LABEL] = '';
  else delete out[HEADLESS_LABEL];
  return out;
}

/**
 * Informer handlers that queue the keys of every Service selecting a pod, before or
 * after a change (a relabelled pod leaves one Service and joins another).
 */
export function podHandler(services: Informer, enqueue: (key: string) => void): EventHandler {
  const touch = (pod: KubeObject) => {
    const ns = pod.metadata?.namespace;
    if (!ns) return;
    for (const svc of services.listByNamespace(ns)) {
      if (serviceSelector(svc)?.matches(pod.metadata?.labels)) enqueue(keyOf(svc));
    }
  };
  return {
    onAdd: pod => touch(pod),
    onUpdate: (old, cur) => {
      // Status-only heartbeats that change nothing we publish are common: skip them.
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      touch(cur);
      if (!sameLabels(old, cur)) touch(old);
    },
    onDelete: (x: KubeObject | DeletedFinalStateUnknown) => touch(deletedObject(x)),
  };
}

export function serviceHandler(enqueue: (key: string) => void): EventHandler {
  return {
    onAdd: s => enqueue(keyOf(s)),
    onUpdate: (_o, s) => enqueue(keyOf(s)),
    onDelete: x => enqueue(keyOf(deletedObject(x))),
  };
}

function sameLabels(a: KubeObject, b: KubeObject): boolean {
  const x = a.metadata?.labels ?? {}, y = b.metadata?.labels ?? {};
  const kx = Object.keys(x);
  return kx.length === Object.keys(y).length && kx.every(k => x[k] === y[k]);
}

/** JSON with sorted keys and no undefined members: equal content ⇒ equal string. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (!x || typeof x !== 'object' || Array.isArray(x)) return x;
    const o = x as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().filter(k => o[k] !== undefined).map(k => [k, o[k]]));
  });
}
