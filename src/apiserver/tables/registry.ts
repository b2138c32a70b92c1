/** Which printer serves which resource, keyed by "<group>/<plural>" (core group: ""). */
import type { KubeObject } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';
import { col, nameCol } from './columns.js';
import { cronJobPrinter, jobPrinter } from './printers/batch.js';
import {
  leasePrinter, namespacePrinter, nodePrinter, podDisruptionBudgetPrinter, priorityClassPrinter,
} from './printers/cluster.js';
import { configMapPrinter, resourceQuotaPrinter, secretPrinter, serviceAccountPrinter } from './printers/config.js';
import { eventPrinter, eventsV1Printer } from './printers/events.js';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './printers/network.js';
import { podPrinter } from './printers/pods.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './printers/storage.js';
import {
  controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, podTemplatePrinter,
  replicaSetPrinter, replicationControllerPrinter, statefulSetPrinter,
} from './printers/workloads.js';
import { parseTime } from './duration.js';
import type { Printer } from './types.js';

/**
 * rest.NewDefaultTableConvertor: Name and an RFC 3339 "Created At". Used for kinds without
 * a printer upstream (limitranges) and for any resource added without one.
 */
export const defaultPrinter: Printer<KubeObject> = {
  columns: [nameCol(), col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.')],
  cells(o) {
    const ms = parseTime(o.metadata?.creationTimestamp);
    // Go formats the zero time too; RFC 3339 without fractional seconds.
    const created = new Date(ms ?? Date.parse('0001-01-01T00:00:00Z')).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return [o.metadata?.name ?? '', created];
  },
};

const PRINTERS: ReadonlyMap<string, Printer<never>> = new Map<string, Printer<never>>([
  ['/pods', podPrinter],
  ['/podtemplates', podTemplatePrinter],
  ['/replicationcontrollers', replicationControllerPrinter],
  ['/services', servicePrinter],
  ['/endpoints', endpointsPrinter],
  ['/nodes', nodePrinter],
  ['/events', eventPrinter],
  ['/namespaces', namespacePrinter],
  ['/configmaps', configMapPrinter],
  ['/secrets', secretPrinter],
  ['/serviceaccounts', serviceAccountPrinter],
  ['/resourcequotas', resourceQuotaPrinter],
  ['/persistentvolumes', persistentVolumePrinter],
  ['/persistentvolumeclaims', persistentVolumeClaimPrinter],
  ['apps/deployments', deploymentPrinter],
  ['apps/replicasets', replicaSetPrinter],
  ['apps/statefulsets', statefulSetPrinter],
  ['apps/daemonsets', daemonSetPrinter],
  ['apps/controllerrevisions', controllerRevisionPrinter],
  ['batch/jobs', jobPrinter],
  ['batch/cronjobs', cronJobPrinter],
  ['coordination.k8s.io/leases', leasePrinter],
  ['discovery.k8s.io/endpointslices', endpointSlicePrinter],
  ['events.k8s.io/events', eventsV1Printer],
  ['policy/poddisruptionbudgets', podDisruptionBudgetPrinter],
  ['scheduling.k8s.io/priorityclasses', priorityClassPrinter],
  ['storage.k8s.io/storageclasses', storageClassPrinter],
]);

/** The printer for a resource; the default Name / Created At one when none is registered. */
export function printerFor(ri: Pick<ResourceInfo, 'group' | 'plural'>): Printer<KubeObject> {
  return (PRINTERS.get(`${ri.group}/${ri.plural}`) as Printer<KubeObject> | undefined) ?? defaultPrinter;
}
