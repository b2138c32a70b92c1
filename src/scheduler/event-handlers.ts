/**
 * Informer events → cache and queue (upstream's eventhandlers.go). Assigned pods feed
 * the cache; pending pods for our scheduler name feed the queue; every change that can
 * help a rejected pod is passed to the queue as a cluster event (no polling).
 */
import type { EventHandler, Informer } from '../client/index.js';
import { deletedObject } from '../client/index.js';
import type { KubeObject } from '../api/object.js';
import type { SchedulerCache } from './cache/cache.js';
import { PodInfo } from './framework/node-info.js';
import { podKey, type Node, type Pod } from './framework/types.js';
import { assignedPodUpdateEvents, nodeUpdateEvents } from './queue/events.js';
import type { SchedulingQueue } from './queue/scheduling-queue.js';

export interface HandlerDeps {
  cache: SchedulerCache;
  queue: SchedulingQueue;
  schedulerNames: ReadonlySet<string>;
  priorityOf: (pod: Pod) => number;
}

const terminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const assigned = (p: Pod) => !!p.spec?.nodeName;

export function responsibleFor(p: Pod, names: ReadonlySet<string>): boolean {
  return names.has(p.spec?.schedulerName || 'default-scheduler');
}

export function podHandler(d: HandlerDeps): EventHandler<KubeObject> {
  const info = (p: Pod) => new PodInfo(p, d.priorityOf);

  const addAssigned = (p: Pod) => {
    if (terminal(p)) return;
    d.cache.addPod(info(p), p.spec!.nodeName!);
    d.queue.moveAllOnEvent({ resource: 'AssignedPod', action: 'Add' });
  };

  return {
    onAdd(obj) {
      const p = obj as Pod;
      if (assigned(p)) addAssigned(p);
      else if (responsibleFor(p, d.schedulerNames) && !terminal(p) && !p.metadata?.deletionTimestamp) d.queue.add(info(p));
    },
    onUpdate(oldObj, newObj) {
      const old = oldObj as Pod, p = newObj as Pod;
      const key = podKey(p);
      if (assigned(p)) {
        if (!assigned(old)) d.queue.delete(key); // just bound (by us or anyone)
        if (terminal(p)) {
          // Finished pods free their room.
          if (d.cache.podNode(key) !== undefined) {
            d.cache.removePod(key);
            d.queue.moveAllOnEvent({ resource: 'AssignedPod', action: 'Delete' });
          }
          return;
        }
        const wasCached = d.cache.podNode(key) !== undefined && !d.cache.isAssumed(key);
        d.cache.updatePod(info(p), p.spec!.nodeName!);
        if (!wasCached) d.queue.moveAllOnEvent({ resource: 'AssignedPod', action: 'Add' });
        else for (const ev of assignedPodUpdateEvents(old, p)) d.queue.moveAllOnEvent(ev);
        return;
      }
      if (!responsibleFor(p, d.schedulerNames)) return;
      // Being bound right now: our own writes must not requeue it.
      if (d.cache.isAssumed(key)) return;
      if (terminal(p) || p.metadata?.deletionTimestamp) { d.queue.delete(key); return; }
      d.queue.update(old, info(p));
    },
    onDelete(obj) {
      const p = deletedObject(obj) as Pod;
      const key = podKey(p);
      d.queue.delete(key);
      if (d.cache.podNode(key) !== undefined) {
        d.cache.removePod(key);
        d.queue.moveAllOnEvent({ resource: 'AssignedPod', action: 'Delete' });
      }
    },
  };
}

export function nodeHandler(d: HandlerDeps): EventHandler<KubeObject> {
  return {
    onAdd(obj) {
      d.cache.addNode(obj as Node);
      d.queue.moveAllOnEvent({ resource: 'Node', action: 'Add' });
    },
    onUpdate(oldObj, newObj) {
      d.cache.updateNode(newObj as Node);
      for (const ev of nodeUpdateEvents(oldObj as Node, newObj as Node)) d.queue.moveAllOnEvent(ev);
    },
    onDelete(obj) {
      d.cache.removeNode(deletedObject(obj).metadata!.name!);
      d.queue.moveAllOnEvent({ resource: 'Node', action: 'Delete' });
    },
  };
}

/** A namespace's labels changed: pods whose affinity uses namespaceSelector may fit now. */
export function namespaceHandler(d: HandlerDeps): EventHandler<KubeObject> {
  return {
    onAdd: () => d.queue.moveAllOnEvent({ resource: 'Namespace', action: 'Add' }),
    onUpdate: (o, n) => {
      if (JSON.stringify(o.metadata?.labels ?? {}) !== JSON.stringify(n.metadata?.labels ?? {})) d.queue.moveAllOnEvent({ resource: 'Namespace', action: 'Update' });
    },
  };
}

/** Namespace labels for namespaceSelector. */
export function namespaceLabelsFrom(inf: Informer<KubeObject>): (ns: string) => Readonly<Record<string, string>> | undefined {
  return ns => inf.getByName(ns)?.metadata?.labels;
}
