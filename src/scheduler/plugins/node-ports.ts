/** NodePorts: a hostPort (protocol, port, hostIP) may be used once per node. */
import type { CycleState } from '../framework/cycle-state.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PreFilterPlugin } from '../framework/interface.js';
import { portsConflict, type NodeInfo, type PodInfo } from '../framework/node-info.js';
import { SKIP, SUCCESS, unschedulable, type Status } from '../framework/status.js';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

export class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  events(): ClusterEvent[] {
    return [{ resource: 'Node', action: 'Add' }, { resource: 'AssignedPod', action: 'Delete' }];
  }

  preFilter(_s: CycleState, pod: PodInfo): Status {
    return pod.hostPorts.length ? SUCCESS : SKIP;
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    for (const want of pod.hostPorts) {
      for (const used of node.usedPorts) if (portsConflict(want, used)) return unschedulable(ERR_REASON);
    }
    return SUCCESS;
  }
}

export const newNodePorts = (): NodePorts => new NodePorts();
