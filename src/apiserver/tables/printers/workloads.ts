/** Deployments, ReplicaSets, ReplicationControllers, StatefulSets, DaemonSets, ControllerRevisions, PodTemplates. */
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplate, ReplicationController } from 'kubernetes-types/core/v1.js';
import { formatLabels, formatLabelSelector, labelSelectorFromObject } from '../../../api/selectors/index.js';
import { ageCol, col, containerCells, containerCols, nameCol } from '../columns.js';
import { since } from '../duration.js';
import type { Printer } from '../types.js';

const selectorCol = (what: string) => col('Selector', 'string', `Label query over pods that should match the ${what}.`, 1);

export const deploymentPrinter: Printer<Deployment> = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageCol(), ...containerCols(), selectorCol('replicas'),
  ],
  cells(d, { now }) {
    const st = d.status ?? {};
    let selector: string;
    try {
      selector = labelSelectorFromObject(d.spec?.selector).toString();
    } catch {
      selector = '<invalid>';
    }
    return [
      d.metadata?.name ?? '', `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, st.updatedReplicas ?? 0,
      st.availableReplicas ?? 0, since(d.metadata?.creationTimestamp, now),
      ...containerCells(d.spec?.template?.spec?.containers), selector,
    ];
  },
};

const replicaColumns = (what: string) => [
  nameCol(),
  col('Desired', 'integer', `Replicas is the number of desired replicas.`),
  col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
  col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
  ageCol(), ...containerCols(), selectorCol(what),
];

export const replicaSetPrinter: Printer<ReplicaSet> = {
  columns: replicaColumns('replica count'),
  cells(rs, { now }) {
    return [
      rs.metadata?.name ?? '', rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0, rs.status?.readyReplicas ?? 0,
      since(rs.metadata?.creationTimestamp, now), ...containerCells(rs.spec?.template?.spec?.containers),
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

export const replicationControllerPrinter: Printer<ReplicationController> = {
  columns: replicaColumns('replicas count'),
  cells(rc, { now }) {
    return [
      rc.metadata?.name ?? '', rc.spec?.replicas ?? 0, rc.status?.replicas ?? 0, rc.status?.readyReplicas ?? 0,
      since(rc.metadata?.creationTimestamp, now), ...containerCells(rc.spec?.template?.spec?.containers),
      formatLabels(rc.spec?.selector),
    ];
  },
};

export const statefulSetPrinter: Printer<StatefulSet> = {
  columns: [nameCol(), col('Ready', 'string', 'Number of the pod with ready state'), ageCol(), ...containerCols()],
  cells(s, { now }) {
    return [
      s.metadata?.name ?? '', `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`,
      since(s.metadata?.creationTimestamp, now), ...containerCells(s.spec?.template?.spec?.containers),
    ];
  },
};

export const daemonSetPrinter: Printer<DaemonSet> = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
    col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    ageCol(), ...containerCols(), selectorCol('daemon set'),
  ],
  cells(ds, { now }) {
    const st = ds.status;
    return [
      ds.metadata?.name ?? '', st?.desiredNumberScheduled ?? 0, st?.currentNumberScheduled ?? 0, st?.numberReady ?? 0,
      st?.updatedNumberScheduled ?? 0, st?.numberAvailable ?? 0, formatLabels(ds.spec?.template?.spec?.nodeSelector),
      since(ds.metadata?.creationTimestamp, now), ...containerCells(ds.spec?.template?.spec?.containers),
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

/** "daemonset.apps/name" for the controlling owner (formatResourceName with kind). */
function controllerName(cr: ControllerRevision): string {
  const ref = cr.metadata?.ownerReferences?.find(r => r.controller === true);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash >= 0 ? ref.apiVersion.slice(0, slash) : '';
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return kind ? `${kind.toLowerCase()}/${ref.name}` : ref.name;
}

export const controllerRevisionPrinter: Printer<ControllerRevision> = {
  columns: [
    nameCol(), col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'), ageCol(),
  ],
  cells(cr, { now }) {
    return [cr.metadata?.name ?? '', controllerName(cr), cr.revision, since(cr.metadata?.creationTimestamp, now)];
  },
};

export const podTemplatePrinter: Printer<PodTemplate> = {
  columns: [
    nameCol(),
    col('Containers', 'string', 'Names of each container in the template.'),
    col('Images', 'string', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  cells(pt) {
    return [pt.metadata?.name ?? '', ...containerCells(pt.template?.spec?.containers), formatLabels(pt.template?.metadata?.labels)];
  },
};
