/** Wire shapes the scheduler reads (from kubernetes-types; never mutated). */
export type {
  Affinity, Container, ContainerPort, Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodAffinityTerm,
  PreferredSchedulingTerm, Taint, Toleration, TopologySpreadConstraint, WeightedPodAffinityTerm,
} from 'kubernetes-types/core/v1.js';
export type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';

/** A pod's namespace/name, the key every scheduler structure uses. */
export function podKey(pod: { metadata?: { namespace?: string; name?: string } }): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** Node labels every cluster has. */
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
