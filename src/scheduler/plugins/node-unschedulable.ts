/** NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods tolerating the unschedulable taint. */
import type { ClusterEvent, EnqueueExtensions, FilterPlugin } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import { SUCCESS, unresolvable, type Status } from '../framework/status.js';
import { toleratedBy } from '../framework/taints.js';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const ERR_REASON_UNKNOWN = 'node(s) had unknown conditions';
const TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;
  events(): ClusterEvent[] {
    return [{ resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'UpdateNodeTaint' }];
  }
  filter(_s: unknown, pod: PodInfo, node: NodeInfo): Status {
    if (!node.node) return unresolvable(ERR_REASON_UNKNOWN);
    if (!node.unschedulable) return SUCCESS;
    return toleratedBy(pod.pod.spec?.tolerations, TAINT) ? SUCCESS : unresolvable(ERR_REASON_UNSCHEDULABLE);
  }
}

export const newNodeUnschedulable = (): NodeUnschedulable => new NodeUnschedulable();
