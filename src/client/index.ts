/** The client room's door: REST client, informers, work queues, leader election, events. */
export { Client } from './client.js';
export type {
  DeleteOptions, ListOptions, ObjectList, PatchOptions, PatchType, SubresourceOptions, WatchOptions, WriteOptions,
} from './client.js';
export { inClusterConfig, loadKubeconfig, type ClientConfig } from './config.js';
export { ConnectionError, TooManyRequestsError, errorFromStatus } from './errors.js';
export type { QueryParams, RawRequest, RawResponse } from './transport.js';
export { keyOf, resolveResource, splitKey, type ObjectLike, type ResourceRef } from './paths.js';
export { WatchStream, type WatchEvent, type WatchEventType } from './watch.js';

export {
  NAMESPACE_INDEX, indexByControllerUid, indexByNamespace, indexByNodeName, indexByOwnerUid, type IndexFunc,
} from './cache.js';
export { DeletedFinalStateUnknown, Informer, deletedObject, type EventHandler, type InformerOptions } from './informer.js';
export { SharedInformerFactory, type InformerScope } from './informer-factory.js';

export { FakeClock, realClock, type Clock, type TimerHandle } from './clock.js';
export { Queue, type QueueOptions } from './workqueue/queue.js';
export { DelayingQueue, type DelayingQueueOptions } from './workqueue/delaying.js';
export { RateLimitingQueue, type RateLimitingQueueOptions } from './workqueue/rate-limiting.js';
export {
  BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter, type RateLimiter,
} from './workqueue/rate-limiters.js';
export { Controller, type ControllerOptions } from './controller.js';

export { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
export { EventRecorder, type EventRecorderOptions, type EventType } from './events/recorder.js';
export type { CoreEvent, ObjectReference } from './events/correlator.js';
export { defaultLogger, silentLogger, type LogFields, type Logger } from './logger.js';
export type { KubeObject } from '../api/object.js';
