/**
 * Pod priority. Upstream's Priority admission fills spec.priority from the
 * PriorityClass; kubeling's API server does so only for pods without a class, so the
 * scheduler resolves priorityClassName through the PriorityClass informer itself.
 */
import type { KubeObject } from '../api/object.js';
import type { Informer } from '../client/index.js';
import type { Pod, PriorityClass } from './framework/types.js';

/** Classes every cluster has (upstream creates them at start). */
export const SYSTEM_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  'system-node-critical': 2_000_001_000,
  'system-cluster-critical': 2_000_000_000,
};

export class PriorityResolver {
  constructor(readonly classes?: Informer<KubeObject>) {}

  #class(name: string): PriorityClass | undefined {
    return this.classes?.getByName(name) as unknown as PriorityClass | undefined;
  }

  priorityOf = (pod: Pod): number => {
    if (typeof pod.spec?.priority === 'number') return pod.spec.priority;
    const name = pod.spec?.priorityClassName;
    if (name) return this.#class(name)?.value ?? SYSTEM_PRIORITY_CLASSES[name] ?? 0;
    const def = (this.classes?.list() as unknown as PriorityClass[] | undefined)?.find(c => c.globalDefault);
    return def?.value ?? 0;
  };

  preemptionPolicyOf = (pod: Pod): string => {
    if (pod.spec?.preemptionPolicy) return pod.spec.preemptionPolicy;
    const name = pod.spec?.priorityClassName;
    return (name && this.#class(name)?.preemptionPolicy) || 'PreemptLowerPriority';
  };
}
