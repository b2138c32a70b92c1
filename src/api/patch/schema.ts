/**
 * Type-level patch facts, written once per API type (PodSpec, Container, ObjectMeta, ...)
 * and reached from each kind's root, so one table serves every kind that embeds a type
 * (a Pod's spec, a Deployment's spec.template.spec and a CronJob's
 * spec.jobTemplate.spec.template.spec are all PodSpec).
 *
 * The facts mirror the Go struct tags of k8s.io/api: `patchStrategy`/`patchMergeKey`
 * (strategic merge patch) and `+listType`/`+listMapKey`/`+mapType`/`+structType`
 * (server-side apply). A field that is not listed is plain: maps merge key by key,
 * lists are replaced wholesale (SMP) or atomic (SSA).
 */
export interface Field {
  /** Struct type of the value, of list elements, or of map values (with `map`). */
  t?: string;
  /** The value is a map of arbitrary keys (labels, resources.limits), not a struct. */
  map?: boolean;
  /** SSA: the whole value is one leaf (`+mapType=atomic`, `+structType=atomic`). */
  atomic?: boolean;
  /** SMP patchStrategy: lists merge by `mergeKey` (or as a set of primitives). */
  smp?: 'merge' | 'replace';
  /** SMP patchStrategy also carries retainKeys. */
  retainKeys?: boolean;
  mergeKey?: string;
  /** SSA list type; lists without one are atomic. */
  list?: 'atomic' | 'set' | 'map';
  /** SSA list-map keys. */
  keys?: string[];
  /** Defaults for SSA key fields that may be omitted (ports' protocol). */
  keyDefaults?: Record<string, string>;
  /** Serialized even when empty (no `omitempty`), so never "added" as a whole. */
  always?: boolean;
}

const MAP: Field = { map: true };
const ATOMIC: Field = { atomic: true };
const T = (t: string): Field => ({ t });
/** A list merged by one key in SMP and associative in SSA (usually on the same key). */
const byKey = (key: string, t?: string, extra: Partial<Field> = {}): Field =>
  ({ t, smp: 'merge', mergeKey: key, list: 'map', keys: [key], ...extra });
const SET: Field = { smp: 'merge', list: 'set' };
const PORT_PROTO = { keyDefaults: { protocol: 'TCP' } };

export const TYPES: Readonly<Record<string, Readonly<Record<string, Field>>>> = {
  ObjectMeta: {
    labels: MAP, annotations: MAP,
    finalizers: SET,
    ownerReferences: byKey('uid'),
  },
  PodTemplateSpec: { metadata: T('ObjectMeta'), spec: T('PodSpec') },
  PodSpec: {
    volumes: byKey('name', undefined, { retainKeys: true }),
    initContainers: byKey('name', 'Container'),
    containers: byKey('name', 'Container', { always: true }),
    ephemeralContainers: byKey('name', 'Container'),
    imagePullSecrets: byKey('name'),
    hostAliases: byKey('ip'),
    topologySpreadConstraints: byKey('topologyKey', undefined, { keys: ['topologyKey', 'whenUnsatisfiable'] }),
    schedulingGates: byKey('name'),
    resourceClaims: byKey('name', undefined, { retainKeys: true }),
    nodeSelector: MAP, overhead: MAP,
    // tolerations, readinessGates: plain (replaced / atomic)
  },
  Container: {
    ports: byKey('containerPort', undefined, { keys: ['containerPort', 'protocol'], ...PORT_PROTO }),
    env: byKey('name'),
    volumeMounts: byKey('mountPath'),
    volumeDevices: byKey('devicePath'),
    resources: T('ResourceRequirements'),
  },
  ResourceRequirements: { limits: MAP, requests: MAP },
  PodStatus: {
    conditions: byKey('type'),
    podIPs: byKey('ip'),
    hostIPs: { smp: 'merge', mergeKey: 'ip' },
    resourceClaimStatuses: byKey('name'),
  },
  DeploymentSpec: { selector: ATOMIC, template: T('PodTemplateSpec'), strategy: { retainKeys: true } },
  ReplicaSetSpec: { selector: ATOMIC, template: T('PodTemplateSpec') },
  StatefulSetSpec: { selector: ATOMIC, template: T('PodTemplateSpec') },
  DaemonSetSpec: { selector: ATOMIC, template: T('PodTemplateSpec') },
  ReplicationControllerSpec: { selector: { map: true, atomic: true }, template: T('PodTemplateSpec') },
  JobSpec: { selector: ATOMIC, template: T('PodTemplateSpec') },
  JobTemplateSpec: { metadata: T('ObjectMeta'), spec: T('JobSpec') },
  CronJobSpec: { jobTemplate: T('JobTemplateSpec') },
  /** Status types of workloads, namespaces, claims, budgets: conditions keyed by type. */
  ConditionsStatus: { conditions: byKey('type') },
  ServiceSpec: {
    ports: byKey('port', undefined, { keys: ['port', 'protocol'], ...PORT_PROTO }),
    selector: { map: true, atomic: true },
  },
  ServiceStatus: { conditions: byKey('type') },
  NodeSpec: { podCIDRs: SET },
  NodeStatus: {
    conditions: byKey('type'),
    addresses: { smp: 'merge', mergeKey: 'type' },
    capacity: MAP, allocatable: MAP,
  },
  PersistentVolumeClaimSpec: { selector: ATOMIC, resources: T('ResourceRequirements') },
  PersistentVolumeClaimStatus: { conditions: byKey('type'), capacity: MAP },
  PodDisruptionBudgetSpec: { selector: ATOMIC },
};

/** Root fields per kind; every kind also gets `metadata: ObjectMeta`. */
const KINDS: Readonly<Record<string, Readonly<Record<string, Field>>>> = {
  Pod: { spec: T('PodSpec'), status: T('PodStatus') },
  PodTemplate: { template: T('PodTemplateSpec') },
  Deployment: { spec: T('DeploymentSpec'), status: T('ConditionsStatus') },
  ReplicaSet: { spec: T('ReplicaSetSpec'), status: T('ConditionsStatus') },
  StatefulSet: { spec: T('StatefulSetSpec'), status: T('ConditionsStatus') },
  DaemonSet: { spec: T('DaemonSetSpec'), status: T('ConditionsStatus') },
  ReplicationController: { spec: T('ReplicationControllerSpec'), status: T('ConditionsStatus') },
  Job: { spec: T('JobSpec'), status: T('ConditionsStatus') },
  CronJob: { spec: T('CronJobSpec') },
  Service: { spec: T('ServiceSpec'), status: T('ServiceStatus') },
  Node: { spec: T('NodeSpec'), status: T('NodeStatus') },
  Namespace: { status: T('ConditionsStatus') },
  PersistentVolumeClaim: { spec: T('PersistentVolumeClaimSpec'), status: T('PersistentVolumeClaimStatus') },
  PodDisruptionBudget: { spec: T('PodDisruptionBudgetSpec'), status: T('ConditionsStatus') },
  ConfigMap: { data: MAP, binaryData: MAP },
  Secret: { data: MAP, stringData: MAP },
  ServiceAccount: { secrets: byKey('name') },
};

const ROOTS: Record<string, Record<string, Field>> = {};
for (const [kind, fields] of Object.entries(KINDS)) ROOTS[kind] = { metadata: T('ObjectMeta'), ...fields };
const OBJECT: Record<string, Field> = { metadata: T('ObjectMeta') };

/** Field facts of a kind's top level (unknown kinds: just ObjectMeta). */
export function rootField(kind: string): Field {
  return { t: '#' + kind };
}

/** The struct fields of `#Kind` roots, looked up once per kind (every write walks them). */
const rootStructs = new Map<string, Readonly<Record<string, Field>>>();

function structFields(t: string): Readonly<Record<string, Field>> | undefined {
  if (t.charCodeAt(0) !== 35 /* # */) return TYPES[t];
  let r = rootStructs.get(t);
  if (r === undefined) rootStructs.set(t, r = ROOTS[t.slice(1)] ?? OBJECT);
  return r;
}

/**
 * `{ t }` for map values and list elements, one shared (never changed) object per type:
 * walks asked for a new one at every map key and list item.
 */
const typeOnly = new Map<string, Field>();
function typeField(t: string): Field {
  let f = typeOnly.get(t);
  if (f === undefined) typeOnly.set(t, f = Object.freeze({ t }));
  return f;
}

/** Facts for `key` inside a value described by `parent` (undefined: unknown, plain). */
export function childField(parent: Field | undefined, key: string): Field | undefined {
  if (!parent?.t) return undefined;
  if (parent.map) return typeField(parent.t);
  return structFields(parent.t)?.[key];
}

/** Facts for the elements of a list described by `f`. */
export function elemField(f: Field | undefined): Field | undefined {
  return f?.t ? typeField(f.t) : undefined;
}

/**
 * True when a value described by `f` is always present in a typed object (a known
 * struct, or a field without omitempty), so its appearance is not ownership-worthy.
 */
export function alwaysPresent(f: Field | undefined): boolean {
  return !!f?.always || (!!f?.t && !f.map && structFields(f.t) !== undefined);
}

/**
 * Facts at a dotted path within a kind, `[]` stepping into list elements:
 * `fieldAt('Deployment', 'spec.template.spec.containers[].ports')`.
 */
export function fieldAt(kind: string, path: string): Field | undefined {
  let f: Field | undefined = rootField(kind);
  for (const seg of path.split('.')) {
    const list = seg.endsWith('[]');
    f = childField(f, list ? seg.slice(0, -2) : seg);
    if (list) f = f && { ...elemField(f) };
  }
  return f;
}
