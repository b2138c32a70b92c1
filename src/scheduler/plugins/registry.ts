/** The in-tree plugins by name (upstream's plugins/registry.go), and the default profile. */
import type { Profile } from '../framework/runtime.js';
import { Registry } from '../framework/registry.js';
import { newBalancedAllocation, NAME as BALANCED } from './balanced-allocation.js';
import { newDefaultBinder, NAME as BINDER } from './default-binder.js';
import { newDefaultPreemption, NAME as PREEMPTION } from './default-preemption/plugin.js';
import { newImageLocality, NAME as IMAGE_LOCALITY } from './image-locality.js';
import { newInterPodAffinity, NAME as INTER_POD_AFFINITY } from './inter-pod-affinity/plugin.js';
import { newNodeAffinity, NAME as NODE_AFFINITY } from './node-affinity.js';
import { newNodeName, NAME as NODE_NAME } from './node-name.js';
import { newNodePorts, NAME as NODE_PORTS } from './node-ports.js';
import { newNodeResourcesFit, NAME as FIT } from './node-resources-fit.js';
import { newNodeUnschedulable, NAME as UNSCHEDULABLE } from './node-unschedulable.js';
import { newPodTopologySpread, NAME as SPREAD } from './pod-topology-spread/plugin.js';
import { newPrioritySort, NAME as PRIORITY_SORT } from './queue-sort.js';
import { newTaintToleration, NAME as TAINTS } from './taint-toleration.js';
import { newVolumeBinding, NAME as VOLUME_BINDING } from './volume-binding.js';

export function inTreeRegistry(): Registry {
  return new Registry({
    [PRIORITY_SORT]: newPrioritySort,
    [UNSCHEDULABLE]: newNodeUnschedulable,
    [NODE_NAME]: newNodeName,
    [TAINTS]: newTaintToleration,
    [NODE_AFFINITY]: newNodeAffinity,
    [NODE_PORTS]: newNodePorts,
    [FIT]: newNodeResourcesFit,
    [VOLUME_BINDING]: newVolumeBinding,
    [SPREAD]: newPodTopologySpread,
    [INTER_POD_AFFINITY]: newInterPodAffinity,
    [PREEMPTION]: newDefaultPreemption,
    [BALANCED]: newBalancedAllocation,
    [IMAGE_LOCALITY]: newImageLocality,
    [BINDER]: newDefaultBinder,
  });
}

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/**
 * Upstream's default plugin set, in upstream's order (the order filters run in decides
 * which reason a node is counted under), with its default score weights.
 */
export function defaultProfile(schedulerName = DEFAULT_SCHEDULER_NAME): Profile {
  return {
    schedulerName,
    plugins: [
      { name: PRIORITY_SORT },
      { name: UNSCHEDULABLE },
      { name: NODE_NAME },
      { name: TAINTS, weight: 3 },
      { name: NODE_AFFINITY, weight: 2 },
      { name: NODE_PORTS },
      { name: FIT, weight: 1 },
      { name: VOLUME_BINDING },
      { name: SPREAD, weight: 2 },
      { name: INTER_POD_AFFINITY, weight: 2 },
      { name: PREEMPTION },
      { name: BALANCED, weight: 1 },
      { name: IMAGE_LOCALITY, weight: 1 },
      { name: BINDER },
    ],
  };
}
