/**
 * Starts the second half of the controller manager: StatefulSet, DaemonSet, Job (with
 * the TTL-after-finished controller), CronJob, pod GC and node lifecycle (with the
 * NoExecute taint eviction controller). Each is its own loop over shared informers;
 * the caller starts the informer factory afterwards.
 */
import type { Logger } from '../client/index.js';
import type { Component, ComponentContext } from '../cli/components.js';
import { startCronJobController } from './cronjob.js';
import { startDaemonSetController } from './daemonset.js';
import { startJobController } from './job.js';
import { startTtlAfterFinishedController } from './job-ttl.js';
import { startNodeLifecycleController } from './node-lifecycle.js';
import { startTaintEvictionController } from './node-lifecycle-taint-eviction.js';
import { startPodGCController } from './podgc.js';
import { startStatefulSetController } from './statefulset.js';

export interface ControllersBOptions {
  /** --terminated-pod-gc-threshold: terminated pods kept before pod GC deletes the oldest (default 12500; ≤ 0 disables). */
  terminatedPodGCThreshold?: number;
}

/** `ctx.logger`, when the caller passes one, receives the controllers' log lines. */
export async function startControllersB(ctx: ComponentContext & { logger?: Logger }, opts: ControllersBOptions = {}): Promise<Component[]> {
  const logger = ctx.logger;
  return [
    startStatefulSetController(ctx, { logger }),
    startDaemonSetController(ctx, { logger }),
    startJobController(ctx, { logger }),
    startTtlAfterFinishedController(ctx, { logger }),
    startCronJobController(ctx, { logger }),
    startPodGCController(ctx, { logger, terminatedPodThreshold: opts.terminatedPodGCThreshold }),
    startNodeLifecycleController(ctx, { logger }),
    startTaintEvictionController(ctx, { logger }),
  ];
}
