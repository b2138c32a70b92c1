/**
 * NodeResourcesFit: the pod's requests (see podRequests) must fit in allocatable minus
 * what pods already there request, plus a pod slot; scoring is LeastAllocated (emptier
 * nodes first) over cpu and memory with weight 1 each, like upstream's default.
 */
import type { CycleState } from '../framework/cycle-state.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PreFilterPlugin, ScorePlugin } from '../framework/interface.js';
import { MAX_NODE_SCORE } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import type { Resource } from '../framework/resource.js';
import { ALLOC_CPU, ALLOC_EPH, ALLOC_MEM, ALLOC_PODS, NZ_CPU, NZ_MEM, POD_COUNT, REQ_CPU, REQ_EPH, REQ_MEM } from '../framework/hot-row.js';
import { Code, SUCCESS, Status } from '../framework/status.js';

export const NAME = 'NodeResourcesFit';

export interface InsufficientResource { resource: string; reason: string; requested: number; used: number; capacity: number; unresolvable: boolean }

/** What does not fit, resource by resource (empty: it fits). */
export function insufficientResources(req: Resource, node: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.length + 1 > alloc.allowedPodNumber) {
    out.push({ resource: 'pods', reason: 'Too many pods', requested: 1, used: node.pods.length, capacity: alloc.allowedPodNumber, unresolvable: false });
  }
  const check = (name: string, want: number, have: number, inUse: number) => {
    if (want > 0 && want > have - inUse) {
      out.push({ resource: name, reason: `Insufficient ${name}`, requested: want, used: inUse, capacity: have, unresolvable: want > have });
    }
  };
  check('cpu', req.milliCPU, alloc.milliCPU, used.milliCPU);
  check('memory', req.memory, alloc.memory, used.memory);
  check('ephemeral-storage', req.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage);
  for (const [name, want] of req.scalar) check(name, want, alloc.scalar.get(name) ?? 0, used.scalar.get(name) ?? 0);
  return out;
}

/**
 * The filter's common answer, "it fits", without allocating (nodes × pods calls per run),
 * from the node's hot row (see hot-row.ts).
 */
function fits(req: Resource, node: NodeInfo): boolean {
  const h = node.hot;
  if (h[POD_COUNT]! + 1 > h[ALLOC_PODS]!) return false;
  if (req.milliCPU > 0 && req.milliCPU > h[ALLOC_CPU]! - h[REQ_CPU]!) return false;
  if (req.memory > 0 && req.memory > h[ALLOC_MEM]! - h[REQ_MEM]!) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > h[ALLOC_EPH]! - h[REQ_EPH]!) return false;
  if (req.scalar.size === 0) return true;
  const alloc = node.allocatable;
  const used = node.requested;
  for (const [name, want] of req.scalar) if (want > 0 && want > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) return false;
  return true;
}

export function fitStatus(req: Resource, node: NodeInfo): Status {
  if (fits(req, node)) return SUCCESS;
  const bad = insufficientResources(req, node);
  if (bad.length === 0) return SUCCESS;
  // Needing more than the whole node has cannot be fixed by preemption.
  const code = bad.some(b => b.unresolvable) ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
  return new Status(code, bad.map(b => b.reason));
}

/** LeastAllocated for one resource: the share left free, 0..100. */
function leastAllocated(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  events(): ClusterEvent[] {
    return [
      { resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'UpdateNodeAllocatable' },
      { resource: 'AssignedPod', action: 'Delete' }, { resource: 'AssignedPod', action: 'UpdatePodScaleDown' },
    ];
  }

  // Requests are computed once per pod in PodInfo; nothing more to prepare.
  preFilter(): Status { return SUCCESS; }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    return fitStatus(pod.requests, node);
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const h = node.hot;
    const cpu = leastAllocated(h[NZ_CPU]! + pod.nonZeroRequests.milliCPU, h[ALLOC_CPU]!);
    const mem = leastAllocated(h[NZ_MEM]! + pod.nonZeroRequests.memory, h[ALLOC_MEM]!);
    return Math.floor((cpu + mem) / 2);
  }
}

export const newNodeResourcesFit = (): NodeResourcesFit => new NodeResourcesFit();
