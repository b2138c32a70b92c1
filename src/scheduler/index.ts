/** The scheduler room's door: the scheduler, its framework seam, and the in-tree plugins. */
export { Scheduler, type SchedulerOptions } from './scheduler.js';
export { SchedulingQueue, type SchedulingQueueOptions } from './queue/scheduling-queue.js';
export { SchedulerCache } from './cache/cache.js';
export { Algorithm, NO_NOMINATIONS, numFeasibleNodesToFind, type NominatedPods, type ScheduleOutcome } from './core/algorithm.js';
export { PriorityResolver, SYSTEM_PRIORITY_CLASSES } from './priority.js';
export { CycleState, type StateData } from './framework/cycle-state.js';
export { Code, Status, SUCCESS, SKIP, unschedulable, unresolvable, asError } from './framework/status.js';
export { NodeInfo, PodInfo, type HostPort } from './framework/node-info.js';
export { Resource, podRequests } from './framework/resource.js';
export { Registry, DuplicatePluginError, UnknownPluginError } from './framework/registry.js';
export { Framework, type PluginConfig, type Profile } from './framework/runtime.js';
export { fitErrorMessage, type Diagnosis } from './framework/fit-error.js';
export { defaultProfile, inTreeRegistry, DEFAULT_SCHEDULER_NAME } from './plugins/registry.js';
export type {
  BindPlugin, PreBindPlugin, VolumeAccess, ClusterEvent, EnqueueExtensions, FilterPlugin, FrameworkRunner, Handle, NodeLister, NodeScore, Plugin,
  PluginFactory, PostFilterPlugin, PostFilterResult, PreFilterExtensions, PreFilterPlugin, PreScorePlugin, QueuedPodInfo,
  QueueSortPlugin, ReservePlugin, ScorePlugin,
} from './framework/interface.js';
export { MAX_NODE_SCORE } from './framework/interface.js';
