/** NodeName: a pod that names its node fits only there. */
import type { EnqueueExtensions, FilterPlugin, ClusterEvent } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import { SUCCESS, unresolvable, type Status } from '../framework/status.js';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;
  events(): ClusterEvent[] { return [{ resource: 'Node', action: 'Add' }]; }
  filter(_s: unknown, pod: PodInfo, node: NodeInfo): Status {
    const want = pod.pod.spec?.nodeName;
    return !want || want === node.name ? SUCCESS : unresolvable(ERR_REASON);
  }
}

export const newNodeName = (): NodeName => new NodeName();
