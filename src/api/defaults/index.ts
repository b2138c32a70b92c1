/**
 * Defaulting like kube-apiserver v1.32: the versioned defaulters (pkg/apis/{core,apps,batch}/v1/defaults.go),
 * the few registry-strategy fills that happen before validation (Job selector, Namespace
 * finalizer, Service IP families), and the default admission plugins' pod changes. Server
 * metadata (uid, generation, status) and IP/port allocation are not done here.
 */
import type { KubeObject } from '../object.js';
import { clone } from '../validation/util.js';
import {
  defaultEndpointSlice, defaultEndpoints, defaultLimitRange, defaultNamespace, defaultNode, defaultPV, defaultPVC,
  defaultPVCSpec, defaultPriorityClass, defaultStorageClass, defaultResourceQuota, defaultSecret, defaultService,
} from './core.js';
import { defaultPod } from './pod.js';
import { type Obj, isObj } from './util.js';
import {
  defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultPodTemplate, defaultReplicaSet,
  defaultReplicationController, defaultStatefulSet,
} from './workloads.js';

export interface DefaultsContext {
  /** The object's uid; a Job's generated selector and labels are built from it. */
  uid?: string;
  /**
   * 'create' applies create-time fills (Job selector, Namespace finalizer, pod admission).
   * When omitted, an object without metadata.resourceVersion is taken to be a create.
   */
  operation?: 'create' | 'update';
  /** Apply the default admission plugins' Pod changes (ServiceAccount, Priority, tolerations). Default true. */
  admission?: boolean;
  /** Default `obj` itself instead of a copy (the caller owns it, e.g. a freshly decoded request body). */
  inPlace?: boolean;
}

type Defaulter = (o: Obj, creating: boolean, ctx: DefaultsContext) => void;

const DEFAULTERS: Record<string, Defaulter> = {
  Pod: (o, creating, ctx) => defaultPod(o, defaultPVCSpec, creating && ctx.admission !== false),
  PodTemplate: o => defaultPodTemplate(o, defaultPVCSpec),
  Deployment: o => defaultDeployment(o, defaultPVCSpec),
  ReplicaSet: o => defaultReplicaSet(o, defaultPVCSpec),
  StatefulSet: o => defaultStatefulSet(o, defaultPVCSpec),
  DaemonSet: o => defaultDaemonSet(o, defaultPVCSpec),
  ReplicationController: o => defaultReplicationController(o, defaultPVCSpec),
  Job: (o, creating, ctx) => defaultJob(o, defaultPVCSpec, creating ? ctx.uid ?? o.metadata?.uid : undefined),
  CronJob: o => defaultCronJob(o, defaultPVCSpec),
  Service: o => defaultService(o),
  Namespace: (o, creating) => defaultNamespace(o, creating),
  PersistentVolumeClaim: o => defaultPVC(o),
  PersistentVolume: o => defaultPV(o),
  Secret: o => defaultSecret(o),
  Endpoints: o => defaultEndpoints(o),
  EndpointSlice: o => defaultEndpointSlice(o),
  Node: o => defaultNode(o),
  LimitRange: o => defaultLimitRange(o),
  ResourceQuota: o => defaultResourceQuota(o),
  PriorityClass: o => defaultPriorityClass(o),
  StorageClass: o => defaultStorageClass(o),
};

/**
 * Returns a defaulted deep copy of `obj` (the input is not modified, unless `inPlace`). `apiVersion` picks
 * the defaulter where a kind exists in several groups; all served versions default alike.
 */
export function applyDefaults<T extends KubeObject>(kind: string, apiVersion: string, obj: T, ctx: DefaultsContext = {}): T {
  const out = (ctx.inPlace ? obj : clone(obj)) as T & Obj;
  if (!out.apiVersion) out.apiVersion = apiVersion;
  const creating = ctx.operation ? ctx.operation === 'create' : !out.metadata?.resourceVersion;
  DEFAULTERS[kind]?.(out, creating, ctx);
  return out;
}

/**
 * Kinds whose defaulting writes only their spec (SetDefaults_Pod and the pod admission
 * fills). A status write keeps the stored spec, defaulted when it was written, so it has
 * nothing to default: its result need not be copied to be defaulted.
 */
const SPEC_ONLY_DEFAULTS = new Set(['Pod']);

/** Whether a write through the status subresource of `kind` has anything to default. */
export function statusWriteDefaults(kind: string): boolean {
  return !SPEC_ONLY_DEFAULTS.has(kind);
}

/**
 * Update-time carry-over the registry does before validation: a Service keeps its
 * allocated cluster IPs and node ports when the client leaves them out, and a Namespace's
 * finalizers only change through /finalize. Returns a new object for those kinds, `newObj` otherwise.
 */
export function prepareForUpdate<T extends KubeObject>(kind: string, newObj: T, oldObj: KubeObject): T {
  if (kind !== 'Namespace' && kind !== 'Service') return newObj;
  const out = clone(newObj) as T & Obj;
  const old = oldObj as Obj;
  if (kind === 'Namespace' && isObj(old.spec)) {
    out.spec = { ...(isObj(out.spec) ? out.spec : {}), finalizers: old.spec.finalizers };
  }
  if (kind === 'Service' && isObj(out.spec) && isObj(old.spec)) {
    const s = out.spec, o = old.spec;
    const sameType = (s.type ?? 'ClusterIP') === (o.type ?? 'ClusterIP');
    if (!s.clusterIP && !(Array.isArray(s.clusterIPs) && s.clusterIPs.length) && o.clusterIP && s.type !== 'ExternalName') {
      s.clusterIP = o.clusterIP;
      s.clusterIPs = o.clusterIPs;
    }
    if (sameType && Array.isArray(s.ports) && Array.isArray(o.ports)) {
      for (const p of s.ports as Obj[]) {
        if (p.nodePort) continue;
        const match = (o.ports as Obj[]).find(q => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        if (match?.nodePort) p.nodePort = match.nodePort;
      }
    }
    if (!s.healthCheckNodePort && o.healthCheckNodePort && s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local') {
      s.healthCheckNodePort = o.healthCheckNodePort;
    }
  }
  return out;
}
