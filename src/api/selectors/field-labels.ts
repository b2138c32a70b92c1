/**
 * Which fields each resource can be selected by, and how to read them from an object.
 * Facts from kube-apiserver: the scheme's field label conversion funcs decide what a
 * version accepts (and the error text), the registries' ToSelectableFields how values read.
 */
import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';
import { goQuote } from './go-format.js';

export type FieldGetter = (o: KubeObject) => string;

export interface FieldTable {
  /** Canonical field label → its value in an object ("" when absent). */
  readonly fields: Readonly<Record<string, FieldGetter>>;
  /** Accepted spellings that map to another canonical label. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** When set, the only canonical labels accepted as written (the rest only via aliases). */
  readonly direct?: ReadonlySet<string>;
  /** Error for a label this resource does not support. */
  unsupported(label: string): string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const at = (v: unknown, k: string): unknown => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined);
const bool = (v: unknown): string => (v === true ? 'true' : 'false');
const int = (v: unknown): string => (typeof v === 'number' ? String(v) : '0');

const name: FieldGetter = o => str(o.metadata?.name);
const namespace: FieldGetter = o => str(o.metadata?.namespace);
const META = { 'metadata.name': name, 'metadata.namespace': namespace };

const notSupported = (label: string) => `field label not supported: ${label}`;

/** runtime.DefaultMetaV1FieldSelectorConversion: every kind without its own func. */
export const DEFAULT_FIELDS: FieldTable = {
  fields: META,
  unsupported: l => `${goQuote(l)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

const podIP: FieldGetter = o => str(o.status?.podIPs?.[0]?.ip) || str(o.status?.podIP);

const inv = (f: string): FieldGetter => o => str(at(o.involvedObject, f));
const coreEvent: Record<string, FieldGetter> = {
  ...META,
  'involvedObject.kind': inv('kind'),
  'involvedObject.namespace': inv('namespace'),
  'involvedObject.name': inv('name'),
  'involvedObject.uid': inv('uid'),
  'involvedObject.apiVersion': inv('apiVersion'),
  'involvedObject.resourceVersion': inv('resourceVersion'),
  'involvedObject.fieldPath': inv('fieldPath'),
  reason: o => str(o.reason),
  reportingComponent: o => str(o.reportingComponent),
  source: o => str(at(o.source, 'component')) || str(o.reportingComponent),
  type: o => str(o.type),
};

// events.k8s.io/v1 shares storage with core events upstream; here objects are in the
// events.k8s.io shape (regarding, reportingController, deprecatedSource).
const reg = (f: string): FieldGetter => o => str(at(o.regarding, f));
const eventsV1: Record<string, FieldGetter> = {
  ...META,
  'involvedObject.kind': reg('kind'),
  'involvedObject.namespace': reg('namespace'),
  'involvedObject.name': reg('name'),
  'involvedObject.uid': reg('uid'),
  'involvedObject.apiVersion': reg('apiVersion'),
  'involvedObject.resourceVersion': reg('resourceVersion'),
  'involvedObject.fieldPath': reg('fieldPath'),
  reason: o => str(o.reason),
  reportingComponent: o => str(o.reportingController),
  source: o => str(at(o.deprecatedSource, 'component')) || str(o.reportingController),
  type: o => str(o.type),
};

const TABLES: Readonly<Record<string, FieldTable>> = {
  '/pods': {
    fields: {
      ...META,
      'spec.nodeName': o => str(o.spec?.nodeName),
      'spec.restartPolicy': o => str(o.spec?.restartPolicy),
      'spec.schedulerName': o => str(o.spec?.schedulerName),
      'spec.serviceAccountName': o => str(o.spec?.serviceAccountName),
      'spec.hostNetwork': o => bool(o.spec?.hostNetwork),
      'status.phase': o => str(o.status?.phase),
      'status.podIP': podIP,
      // Accepted by the conversion func but absent from the selectable set: always "".
      'status.podIPs': () => '',
      'status.nominatedNodeName': o => str(o.status?.nominatedNodeName),
    },
    aliases: { 'spec.host': 'spec.nodeName' }, // old v1 clients
    unsupported: notSupported,
  },
  '/nodes': {
    fields: { 'metadata.name': name, 'spec.unschedulable': o => bool(o.spec?.unschedulable) },
    unsupported: notSupported,
  },
  '/replicationcontrollers': {
    fields: { ...META, 'status.replicas': o => int(o.status?.replicas) },
    unsupported: notSupported,
  },
  '/events': { fields: coreEvent, unsupported: notSupported },
  '/namespaces': {
    fields: { 'metadata.name': name, 'status.phase': o => str(o.status?.phase) },
    unsupported: notSupported,
  },
  '/secrets': { fields: { ...META, type: o => str(o.type) }, unsupported: notSupported },
  '/services': {
    fields: { ...META, 'spec.clusterIP': o => str(o.spec?.clusterIP), 'spec.type': o => str(o.spec?.type) },
    unsupported: notSupported,
  },
  'apps/replicasets': {
    fields: { ...META, 'status.replicas': o => int(o.status?.replicas) },
    unsupported: notSupported,
  },
  'batch/jobs': {
    fields: { ...META, 'status.successful': o => int(o.status?.succeeded) },
    unsupported: l => `field label ${goQuote(l)} not supported for batchv1.Job`,
  },
  'events.k8s.io/events': {
    fields: eventsV1,
    aliases: {
      'regarding.kind': 'involvedObject.kind',
      'regarding.namespace': 'involvedObject.namespace',
      'regarding.name': 'involvedObject.name',
      'regarding.uid': 'involvedObject.uid',
      'regarding.apiVersion': 'involvedObject.apiVersion',
      'regarding.resourceVersion': 'involvedObject.resourceVersion',
      'regarding.fieldPath': 'involvedObject.fieldPath',
      reportingController: 'reportingComponent',
    },
    // events.k8s.io accepts only its own spellings, not the core ones it maps to.
    direct: new Set(['metadata.name', 'metadata.namespace', 'reason', 'source', 'type']),
    unsupported: notSupported,
  },
};

export function fieldTableFor(ri: Pick<ResourceInfo, 'group' | 'plural'>): FieldTable {
  return TABLES[`${ri.group}/${ri.plural}`] ?? DEFAULT_FIELDS;
}

/** The canonical label and getter for `label`, or undefined when the resource rejects it. */
export function resolveField(t: FieldTable, label: string): { field: string; get: FieldGetter } | undefined {
  if (t.aliases && Object.hasOwn(t.aliases, label)) {
    const alias = t.aliases[label]!;
    return { field: alias, get: t.fields[alias]! };
  }
  if (t.direct && !t.direct.has(label)) return undefined;
  const get = Object.hasOwn(t.fields, label) ? t.fields[label] : undefined;
  return get ? { field: label, get } : undefined;
}
