/** Where the agent reads ConfigMaps, Secrets and Services from (informer caches, then the API). */
import type { ConfigMap, Secret, Service } from 'kubernetes-types/core/v1.js';

export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** Services of a namespace (for service links); may be empty while not synced. */
  services(namespace: string): Service[];
  /** Changes whenever any Service does: service-link variables made at one value hold until it moves. */
  servicesVersion?(): number | undefined;
}

/** A fault that becomes a container's waiting reason (CreateContainerConfigError…). */
export class ContainerConfigError extends Error {
  constructor(readonly reason: string, message: string) { super(message); }
}
