/**
 * Starts the second half of the controller manager: StatefulSet, DaemonSet, Job (with
 * the TTL-after-finished controller), CronJob, pod GC and node lifecycle (with the
 * NoExecute taint eviction controller). Each is its own loop over shared informers;
 * the caller starts the informer factory afterwards.
 */
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

export async function startControllersB(ctx: ComponentContext, opts: ControllersBOptions = {}): Promise<Component[]> {
  return [
    startStatefulSetController(ctx),
    startDaemonSetController(ctx),
    startJobController(ctx),
    startTtlAfterFinishedController(ctx),
    startCronJobController(ctx),
    startPodGCController(ctx, { terminatedPodThreshold: opts.terminatedPodGCThreshold }),
    startNodeLifecycleController(ctx),
    startTaintEvictionController(ctx),
  ];
}
