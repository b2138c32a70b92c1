/**
 * The Priority admission step: a pod's priorityClassName resolves to spec.priority
 * (and preemptionPolicy) from its PriorityClass, or the global default class, or 0.
 */
import { ForbiddenError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { Registry } from '../registry.js';
import { decode } from '../storage/codec.js';

/** The two classes every cluster has, as upstream creates them. */
export const SYSTEM_PRIORITY_CLASSES = [
  { name: 'system-node-critical', value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

export async function admitPriority(registry: Registry, pod: KubeObject): Promise<void> {
  const rs = registry.byName('scheduling.k8s.io', 'v1', 'priorityclasses');
  const spec = pod.spec;
  const name: string | undefined = spec.priorityClassName;
  let pc: KubeObject | undefined;
  if (name) {
    const kv = await rs.getKv(undefined, name);
    if (!kv) {
      throw new ForbiddenError(`pods "${pod.metadata?.name ?? ''}" is forbidden: no PriorityClass with name ${name} was found`, { name: pod.metadata?.name, kind: 'pods' });
    }
    pc = decode(kv); // shared and read-only here
  } else {
    const all = await rs.list({});
    pc = all.items.find(p => p.globalDefault === true);
    if (pc) spec.priorityClassName = pc.metadata?.name;
  }
  const value = pc ? Number(pc.value ?? 0) : 0;
  if (spec.priority !== undefined && spec.priority !== value) {
    throw new ForbiddenError(`pods "${pod.metadata?.name ?? ''}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
  }
  spec.priority = value;
  spec.preemptionPolicy = (pc?.preemptionPolicy as string | undefined) ?? spec.preemptionPolicy ?? 'PreemptLowerPriority';
}
