// Build-time facts about upstream Kubernetes v1.32 OpenAPI that no installed package carries:
// strategic-merge-patch metadata and list semantics (from the Go struct tags and +listType
// markers of k8s.io/api), and how upstream spells its special scalar types. Facts, not files.

/** Target API level of the generated documents. */
export const KUBE_VERSION = 'v1.32.0';

/**
 * Field extensions, one per line: `Type.field  patchStrategy  mergeKey  listType  mapKeys`
 * (`-` = none). Type names are relative to io.k8s.api / io.k8s.apimachinery.pkg.apis.
 */
const FIELD_FACTS = `
core.v1.PodSpec.volumes                   merge,retainKeys name         map    name
core.v1.PodSpec.initContainers            merge            name         map    name
core.v1.PodSpec.containers                merge            name         map    name
core.v1.PodSpec.ephemeralContainers       merge            name         map    name
core.v1.PodSpec.imagePullSecrets          merge            name         map    name
core.v1.PodSpec.hostAliases               merge            ip           map    ip
core.v1.PodSpec.topologySpreadConstraints merge            topologyKey  map    topologyKey,whenUnsatisfiable
core.v1.PodSpec.schedulingGates           merge            name         map    name
core.v1.PodSpec.resourceClaims            merge,retainKeys name         map    name
core.v1.PodSpec.tolerations               -                -            atomic -
core.v1.PodSpec.readinessGates            -                -            atomic -
core.v1.Container.ports                   merge            containerPort map   containerPort,protocol
core.v1.Container.env                     merge            name         map    name
core.v1.Container.volumeMounts            merge            mountPath    map    mountPath
core.v1.Container.volumeDevices           merge            devicePath   map    devicePath
core.v1.Container.envFrom                 -                -            atomic -
core.v1.Container.command                 -                -            atomic -
core.v1.Container.args                    -                -            atomic -
core.v1.EphemeralContainer.ports          merge            containerPort map   containerPort,protocol
core.v1.EphemeralContainer.env            merge            name         map    name
core.v1.EphemeralContainer.volumeMounts   merge            mountPath    map    mountPath
core.v1.EphemeralContainer.volumeDevices  merge            devicePath   map    devicePath
core.v1.ResourceRequirements.claims       -                -            map    name
core.v1.PodStatus.conditions              merge            type         map    type
core.v1.PodStatus.podIPs                  merge            ip           map    ip
core.v1.PodStatus.hostIPs                 merge            ip           atomic -
core.v1.PodStatus.resourceClaimStatuses   merge,retainKeys name         map    name
core.v1.PodStatus.containerStatuses       -                -            atomic -
core.v1.PodStatus.initContainerStatuses   -                -            atomic -
core.v1.ContainerStatus.allocatedResourcesStatus merge     name         map    name
core.v1.ServiceSpec.ports                 merge            port         map    port,protocol
core.v1.ServiceSpec.clusterIPs            -                -            atomic -
core.v1.ServiceSpec.externalIPs           -                -            atomic -
core.v1.ServiceSpec.ipFamilies            -                -            atomic -
core.v1.ServiceStatus.conditions          merge            type         map    type
core.v1.NodeSpec.podCIDRs                 merge            -            set    -
core.v1.NodeSpec.taints                   -                -            atomic -
core.v1.NodeStatus.conditions             merge            type         -      -
core.v1.NodeStatus.addresses              merge            type         -      -
core.v1.NamespaceStatus.conditions        merge            type         map    type
core.v1.PersistentVolumeClaimStatus.conditions merge       type         map    type
core.v1.ReplicationControllerStatus.conditions merge       type         map    type
core.v1.ServiceAccount.secrets            merge            name         -      -
core.v1.EndpointSubset.addresses          -                -            atomic -
core.v1.EndpointSubset.ports              -                -            atomic -
core.v1.Endpoints.subsets                 -                -            atomic -
meta.v1.ObjectMeta.finalizers             merge            -            -      -
meta.v1.ObjectMeta.ownerReferences        merge            uid          -      -
meta.v1.LabelSelector.matchExpressions    -                -            atomic -
meta.v1.LabelSelectorRequirement.values   -                -            atomic -
apps.v1.DeploymentSpec.strategy           retainKeys       -            -      -
apps.v1.DeploymentStatus.conditions       merge            type         map    type
apps.v1.ReplicaSetStatus.conditions       merge            type         map    type
apps.v1.StatefulSetStatus.conditions      merge            type         map    type
apps.v1.DaemonSetStatus.conditions        merge            type         map    type
apps.v1.StatefulSetSpec.volumeClaimTemplates -             -            atomic -
batch.v1.JobStatus.conditions             merge            type         atomic -
batch.v1.CronJobStatus.active             -                -            atomic -
policy.v1.PodDisruptionBudgetStatus.conditions merge       type         map    type
discovery.v1.EndpointSlice.endpoints      -                -            atomic -
discovery.v1.EndpointSlice.ports          -                -            atomic -
discovery.v1.Endpoint.addresses           -                -            set    -
`;

/** Structs that upstream marks `+structType=atomic` (x-kubernetes-map-type: atomic). */
const ATOMIC_STRUCTS = `meta.v1.LabelSelector meta.v1.OwnerReference core.v1.LocalObjectReference
core.v1.NodeSelector core.v1.NodeSelectorTerm core.v1.ObjectFieldSelector core.v1.ResourceFieldSelector
core.v1.ConfigMapKeySelector core.v1.SecretKeySelector core.v1.TopologySelectorTerm`;

function fullName(short) {
  return short.startsWith('meta.') ? `io.k8s.apimachinery.pkg.apis.${short}` : `io.k8s.api.${short}`;
}

/** Map of upstream type name -> field -> extension object to merge into the property schema. */
export function fieldFacts() {
  const out = new Map();
  for (const line of FIELD_FACTS.trim().split('\n')) {
    const [path, strategy, key, listType, mapKeys] = line.trim().split(/\s+/);
    const dot = path.lastIndexOf('.');
    const type = fullName(path.slice(0, dot));
    const ext = {};
    if (key !== '-') ext['x-kubernetes-patch-merge-key'] = key;
    if (strategy !== '-') ext['x-kubernetes-patch-strategy'] = strategy;
    if (listType !== '-') ext['x-kubernetes-list-type'] = listType;
    if (mapKeys !== '-') ext['x-kubernetes-list-map-keys'] = mapKeys.split(',');
    if (!out.has(type)) out.set(type, new Map());
    out.get(type).set(path.slice(dot + 1), ext);
  }
  return out;
}

export function atomicStructs() {
  return new Set(ATOMIC_STRUCTS.split(/\s+/).filter(Boolean).map(fullName));
}

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
export const TIME = `${META}.Time`;
export const MICRO_TIME = `${META}.MicroTime`;
export const FIELDS_V1 = `${META}.FieldsV1`;
export const PATCH = `${META}.Patch`;

/**
 * Schemas of upstream's special types, as upstream's v3 documents spell them. `doc` names the
 * kubernetes-types declaration whose comment becomes the description.
 */
export const SPECIAL_TYPES = {
  [QUANTITY]: { schema: { oneOf: [{ type: 'string' }, { type: 'number' }] }, doc: ['api/resource', 'Quantity'] },
  [INT_OR_STRING]: {
    schema: { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
    description: 'IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type. This allows you to have, for example, a JSON field that can accept a name or number.',
  },
  [TIME]: { schema: { type: 'string', format: 'date-time' }, doc: ['meta/v1', 'Time'] },
  [MICRO_TIME]: { schema: { type: 'string', format: 'date-time' }, doc: ['meta/v1', 'MicroTime'] },
  [RAW_EXTENSION]: { schema: { type: 'object' }, doc: ['runtime', 'RawExtension'] },
  [FIELDS_V1]: { schema: { type: 'object' }, doc: ['meta/v1', 'FieldsV1'] },
  [PATCH]: {
    schema: { type: 'object' },
    description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
  },
};

/** Special types whose content is opaque to field validation (kept as raw JSON upstream). */
export const OPAQUE_TYPES = new Set([RAW_EXTENSION, FIELDS_V1, PATCH]);
/** Special types that are scalars for field validation. */
export const SCALAR_TYPES = new Set([QUANTITY, INT_OR_STRING, TIME, MICRO_TIME]);
