/** Nodes, Namespaces, Leases, PriorityClasses, PodDisruptionBudgets. */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Namespace, Node } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { ageCol, col, intOrString, nameCol } from '../columns.js';
import { since } from '../duration.js';
import type { Printer } from '../types.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** Roles from node-role.kubernetes.io/<role> keys and the kubernetes.io/role value, sorted. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find(c => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const address = (node: Node, type: string) => node.status?.addresses?.find(a => a.type === type)?.address ?? '<none>';

export const nodePrinter: Printer<Node> = {
  columns: [
    nameCol(),
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageCol(),
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node.', 1),
    col('External-IP', 'string', 'List of addresses reachable to the node.', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release.', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r'.", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API.', 1),
  ],
  cells(node, { now }) {
    const info = node.status?.nodeInfo;
    return [
      node.metadata?.name ?? '', nodeStatus(node), nodeRoles(node).join(',') || '<none>',
      since(node.metadata?.creationTimestamp, now), info?.kubeletVersion ?? '',
      address(node, 'InternalIP'), address(node, 'ExternalIP'), info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>', info?.containerRuntimeVersion || '<unknown>',
    ];
  },
};

export const namespacePrinter: Printer<Namespace> = {
  columns: [nameCol(), col('Status', 'string', 'The status of the namespace'), ageCol()],
  cells(ns, { now }) {
    return [ns.metadata?.name ?? '', ns.status?.phase ?? '', since(ns.metadata?.creationTimestamp, now)];
  },
};

export const leasePrinter: Printer<Lease> = {
  columns: [nameCol(), col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageCol()],
  cells(l, { now }) {
    return [l.metadata?.name ?? '', l.spec?.holderIdentity ?? '', since(l.metadata?.creationTimestamp, now)];
  },
};

export const priorityClassPrinter: Printer<PriorityClass> = {
  columns: [
    nameCol(),
    col('Value', 'integer', 'The value of this priority class.'),
    col('Global-Default', 'boolean', 'Whether this priority class is the default for pods without a priority class.'),
    ageCol(),
    col('PreemptionPolicy', 'string', 'The Policy for preempting pods with lower priority.'),
  ],
  cells(pc, { now }) {
    return [pc.metadata?.name ?? '', pc.value, pc.globalDefault ?? false, since(pc.metadata?.creationTimestamp, now), pc.preemptionPolicy ?? ''];
  },
};

export const podDisruptionBudgetPrinter: Printer<PodDisruptionBudget> = {
  columns: [
    nameCol(),
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageCol(),
  ],
  cells(pdb, { now }) {
    const min = pdb.spec?.minAvailable;
    const max = pdb.spec?.maxUnavailable;
    return [
      pdb.metadata?.name ?? '', min != null ? intOrString(min) : 'N/A', max != null ? intOrString(max) : 'N/A',
      pdb.status?.disruptionsAllowed ?? 0, since(pdb.metadata?.creationTimestamp, now),
    ];
  },
};
