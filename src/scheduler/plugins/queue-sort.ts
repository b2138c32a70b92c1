/** PrioritySort: higher priority first, then whoever entered the queue first. */
import type { QueuedPodInfo, QueueSortPlugin } from '../framework/interface.js';

export const NAME = 'PrioritySort';

export class PrioritySort implements QueueSortPlugin {
  readonly name = NAME;
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const pa = a.podInfo.priority, pb = b.podInfo.priority;
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  }
}

export const newPrioritySort = (): PrioritySort => new PrioritySort();
