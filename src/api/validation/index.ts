/**
 * Validation of every kind in RESOURCES, as kube-apiserver v1.32 does it (after defaulting).
 * Pure functions: they return the field errors; `invalid()` in ../errors.ts turns them into
 * a 422. Objects are expected to be defaulted first (see ../defaults) — validation reports
 * missing defaults as "Required value", just like upstream.
 */
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { RESOURCES } from '../resources.js';
import * as apps from './apps.js';
import * as batch from './batch.js';
import * as cluster from './cluster.js';
import * as config from './config.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import * as pod from './pod.js';
import * as policy from './policy.js';
import * as endpoints from './endpoints.js';
import * as service from './service.js';
import * as storage from './storage.js';
import * as storageClass from './storage-class.js';
import type { Errs, Obj } from './util.js';

interface KindValidation {
  create(o: Obj): Errs;
  update(n: Obj, o: Obj): Errs;
  /** The status subresource; defaults to metadata-only checks. */
  status?(n: Obj, o: Obj): Errs;
}

const metaOnlyStatus = (n: Obj, o: Obj): Errs => validateObjectMetaUpdate(n.metadata, o.metadata);

const KINDS: Record<string, KindValidation> = {
  Pod: { create: pod.validatePod, update: pod.validatePodUpdate, status: pod.validatePodStatusUpdate },
  PodTemplate: { create: pod.validatePodTemplate, update: pod.validatePodTemplateUpdate },
  Deployment: { create: apps.validateDeployment, update: apps.validateDeploymentUpdate, status: apps.validateReplicaStatusUpdate },
  ReplicaSet: { create: apps.validateReplicaSet, update: apps.validateReplicaSetUpdate, status: apps.validateReplicaStatusUpdate },
  StatefulSet: { create: apps.validateStatefulSet, update: apps.validateStatefulSetUpdate, status: apps.validateReplicaStatusUpdate },
  DaemonSet: { create: apps.validateDaemonSet, update: apps.validateDaemonSetUpdate, status: apps.validateReplicaStatusUpdate },
  ReplicationController: {
    create: apps.validateReplicationController, update: apps.validateReplicationControllerUpdate, status: apps.validateReplicaStatusUpdate,
  },
  ControllerRevision: { create: apps.validateControllerRevision, update: apps.validateControllerRevisionUpdate },
  Job: { create: batch.validateJob, update: batch.validateJobUpdate, status: batch.validateJobStatusUpdate },
  CronJob: { create: batch.validateCronJob, update: batch.validateCronJobUpdate },
  Service: { create: service.validateService, update: service.validateServiceUpdate, status: service.validateServiceStatusUpdate },
  Endpoints: { create: endpoints.validateEndpoints, update: endpoints.validateEndpointsUpdate },
  EndpointSlice: { create: endpoints.validateEndpointSlice, update: endpoints.validateEndpointSliceUpdate },
  ConfigMap: { create: config.validateConfigMap, update: config.validateConfigMapUpdate },
  Secret: { create: config.validateSecret, update: config.validateSecretUpdate },
  ServiceAccount: { create: config.validateServiceAccount, update: config.validateServiceAccountUpdate },
  Namespace: { create: cluster.validateNamespace, update: cluster.validateNamespaceUpdate, status: cluster.validateNamespaceStatusUpdate },
  Node: { create: cluster.validateNode, update: cluster.validateNodeUpdate, status: cluster.validateNodeUpdate },
  LimitRange: { create: cluster.validateLimitRange, update: cluster.validateLimitRangeUpdate },
  ResourceQuota: {
    create: cluster.validateResourceQuota, update: cluster.validateResourceQuotaUpdate, status: cluster.validateResourceQuotaStatusUpdate,
  },
  PersistentVolume: { create: storage.validatePV, update: storage.validatePVUpdate, status: storage.validateStorageStatusUpdate },
  PersistentVolumeClaim: { create: storage.validatePVC, update: storage.validatePVCUpdate, status: storage.validateStorageStatusUpdate },
  StorageClass: { create: storageClass.validateStorageClass, update: storageClass.validateStorageClassUpdate },
  PodDisruptionBudget: { create: policy.validatePDB, update: policy.validatePDBUpdate, status: policy.validatePDBStatusUpdate },
  PriorityClass: { create: policy.validatePriorityClass, update: policy.validatePriorityClassUpdate },
  Lease: { create: policy.validateLease, update: policy.validateLeaseUpdate },
  Event: { create: policy.validateEvent, update: policy.validateEventUpdate },
};

/** Kinds we know nothing special about still get ObjectMeta checks. */
function generic(kind: string): KindValidation {
  const namespaced = RESOURCES.find(r => r.kind === kind)?.namespaced ?? true;
  const create = (o: Obj): Errs => validateObjectMeta(o.metadata, namespaced, nameIsDNSSubdomain);
  return { create, update: (n, o) => [...validateObjectMetaUpdate(n.metadata, o.metadata), ...create(n)] };
}

const forKind = (kind: string): KindValidation => KINDS[kind] ?? generic(kind);
/** The object, with `apiVersion` filled from the request when the body lacks it. */
const asObj = (o: KubeObject | undefined, apiVersion?: string): Obj =>
  (apiVersion && !o?.apiVersion ? { ...(o ?? {}), apiVersion } : (o ?? {})) as Obj;

/**
 * Validates an object about to be created. `apiVersion` (of the request) tells the two
 * Event kinds apart when the body does not say.
 */
export function validateCreate(kind: string, obj: KubeObject, apiVersion?: string): FieldError[] {
  return forKind(kind).create(asObj(obj, apiVersion));
}

/** Validates a full update (PUT/PATCH of the main resource) against the stored object. */
export function validateUpdate(kind: string, newObj: KubeObject, oldObj: KubeObject, apiVersion?: string): FieldError[] {
  return forKind(kind).update(asObj(newObj, apiVersion), asObj(oldObj, apiVersion));
}

/** Validates an update through the `status` subresource. */
export function validateStatusUpdate(kind: string, newObj: KubeObject, oldObj: KubeObject, apiVersion?: string): FieldError[] {
  return (forKind(kind).status ?? metaOnlyStatus)(asObj(newObj, apiVersion), asObj(oldObj, apiVersion));
}

/** pods/ephemeralcontainers: only additions of ephemeral containers are allowed. */
export function validateEphemeralContainersUpdate(newPod: KubeObject, oldPod: KubeObject): FieldError[] {
  return pod.validatePodEphemeralContainersUpdate(asObj(newPod), asObj(oldPod));
}

/** namespaces/finalize: spec.finalizers may change. */
export function validateNamespaceFinalize(newNs: KubeObject, oldNs: KubeObject): FieldError[] {
  return cluster.validateNamespaceFinalizeUpdate(asObj(newNs), asObj(oldNs));
}

export {
  Quantity, QuantityError, QUANTITY_FORMAT_ERROR, parseQuantity, tryParseQuantity, canonicalQuantity,
} from './quantity.js';
export type { QuantityFormat } from './quantity.js';
export {
  isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isQualifiedName, isValidLabelValue, isValidPortName, isConfigMapKey,
} from './names.js';
export { selectorMatches } from './meta.js';
export { cronScheduleError } from './cron.js';
