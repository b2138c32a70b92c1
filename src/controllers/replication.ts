/**
 * The ReplicationController controller: the ReplicaSet controller run over the core/v1
 * kind, whose selector is a plain label map (upstream wraps the RS controller the same way).
 */
import { findResource } from '../api/resources.js';
import { selectorFromSet } from '../api/selectors/index.js';
import type { ControllerContext } from './controller-utils.js';
import { ReplicaSetController, type ReplicaSetControllerOptions, type ReplicaSetKind } from './replicaset.js';

export const REPLICATION_KIND: ReplicaSetKind = {
  resource: findResource('', 'v1', 'replicationcontrollers')!,
  component: 'replication-controller',
  selectorOf: rc => selectorFromSet(rc.spec?.selector ?? {}),
};

export function newReplicationController(ctx: ControllerContext, opts: ReplicaSetControllerOptions = {}): ReplicaSetController {
  return new ReplicaSetController(ctx, REPLICATION_KIND, opts);
}
