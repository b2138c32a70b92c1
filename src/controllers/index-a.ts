/**
 * The first half of the controller manager: garbage collector, namespace, ReplicaSet,
 * ReplicationController and Deployment controllers. Each is its own loop over the shared
 * informers; starting them only registers informers and handlers (the caller starts the
 * informer factory). The caller runs this under leader election.
 */
import type { ControllerContext, RunningController } from './controller-utils.js';
import { DeploymentController } from './deployment/index.js';
import { GarbageCollector } from './garbage-collector.js';
import { NamespaceController } from './namespace.js';
import { ReplicaSetController } from './replicaset.js';
import { newReplicationController } from './replication.js';

export type { ControllerContext, RunningController } from './controller-utils.js';
export { DeploymentController } from './deployment/index.js';
export { GarbageCollector } from './garbage-collector.js';
export { NamespaceController } from './namespace.js';
export { ReplicaSetController } from './replicaset.js';
export { newReplicationController } from './replication.js';

export async function startControllersA(ctx: ControllerContext): Promise<RunningController[]> {
  const controllers = [
    new GarbageCollector(ctx),
    new NamespaceController(ctx),
    new ReplicaSetController(ctx),
    newReplicationController(ctx),
    new DeploymentController(ctx),
  ];
  for (const c of controllers) c.start();
  return controllers;
}
