/**
 * The Job controller: runs pods to completion. Informers on Jobs and pods feed one queue
 * with two kinds of keys — `ns/name` for Jobs, `orphan-pod:ns/name` for pods that still
 * carry the tracking finalizer but whose Job is gone or finished (their finalizer is
 * removed so they can be deleted).
 */
import { NotFoundError } from '../api/errors.js';
import { labelSelectorFromObject } from '../api/selectors/index.js';
import {
  Controller, EventRecorder, RateLimitingQueue, deletedObject, indexByControllerUid, keyOf, realClock, splitKey,
  type Clock, type Logger,
} from '../client/index.js';
import type { Component, ComponentContext } from '../cli/components.js';
import { removeTrackingFinalizer } from './job-manage.js';
import { syncJob } from './job-sync.js';
import { JOB, TRACKING_FINALIZER, hasTrackingFinalizer, isJobFinished, type BackoffRecord, type JobDeps } from './job-utils.js';
import {
  BY_CONTROLLER, Expectations, POD, claimPods, controllerRefOf, newControllerRef, podOwnerHandler, resolveOwner,
  runController, type Obj,
} from './workload-utils-b.js';

export interface JobControllerOptions { clock?: Clock; workers?: number; logger?: Logger }

const ORPHAN = 'orphan-pod:';

export function startJobController(ctx: ComponentContext, opts: JobControllerOptions = {}): Component {
  const clock = opts.clock ?? realClock;
  const client = ctx.client.withComponent('job-controller');
  const jobs = ctx.informers.informerFor(JOB);
  const pods = ctx.informers.informerFor(POD);
  pods.addIndexer(BY_CONTROLLER, indexByControllerUid);
  const queue = new RateLimitingQueue<string>({ name: 'job', clock });
  const d: JobDeps = {
    client, clock, queue,
    recorder: new EventRecorder({ client, component: 'job-controller', clock, logger: opts.logger }),
    expectations: new Expectations(clock),
    finalizersRemoving: new Map<string, Set<string>>(),
    backoffs: new Map<string, BackoffRecord>(),
  };

  async function sync(key: string): Promise<void> {
    if (key.startsWith(ORPHAN)) return syncOrphanPod(key.slice(ORPHAN.length));
    const job = jobs.get(key);
    if (!job) {
      d.expectations.forget(key);
      d.finalizersRemoving.delete(key);
      d.backoffs.delete(key);
      return;
    }
    if (isJobFinished(job)) { d.backoffs.delete(key); return; }
    if (job.spec?.managedBy && job.spec.managedBy !== 'kubernetes.io/job-controller') return;
    const selector = labelSelectorFromObject(job.spec?.selector);
    const owned = await claimPods({
      client, owner: job, ownerRef: newControllerRef(job, JOB.apiVersion, JOB.kind), selector, finalizer: TRACKING_FINALIZER,
    }, pods.listByNamespace(splitKey(key).namespace!));
    await syncJob(d, key, job, owned);
  }

  /** syncOrphanPod: the finalizer goes unless a live, unfinished Job controls the pod. */
  async function syncOrphanPod(key: string): Promise<void> {
    const pod = pods.get(key);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerRefOf(pod);
    if (ref) {
      if (ref.kind !== JOB.kind || ref.apiVersion !== JOB.apiVersion) return;
      // The cache may not have the Job yet: ask the API server before letting go.
      const job = jobs.getByName(ref.name, pod.metadata!.namespace) ??
        await client.get<Obj>(JOB, ref.name, { namespace: pod.metadata!.namespace }).catch(e => { if (e instanceof NotFoundError) return undefined; throw e; });
      if (job && job.metadata?.uid === ref.uid && !isJobFinished(job)) return;
    }
    await removeTrackingFinalizer(d, pod);
  }

  const controller = new Controller({ name: 'job', sync, queue, workers: opts.workers ?? 5, waitFor: [jobs, pods], logger: opts.logger });
  const enqueue = (o: Obj) => controller.enqueue(keyOf(o));
  const routing = {
    kind: JOB.kind, owners: jobs, expectations: d.expectations, enqueue: (k: string) => controller.enqueue(k),
    orphanOwners: (pod: Obj) => jobs.listByNamespace(pod.metadata!.namespace!)
      .filter(j => labelSelectorFromObject(j.spec?.selector).matches(pod.metadata?.labels)),
  };
  const route = podOwnerHandler(routing);
  /** A pod whose finalizer removal was awaited: the Job may count it now. */
  const observeFinalizer = (pod: Obj, gone: boolean) => {
    const job = resolveOwner(routing, pod);
    const set = job && d.finalizersRemoving.get(keyOf(job));
    if (set && (gone || !hasTrackingFinalizer(pod))) set.delete(pod.metadata!.uid!);
    if (hasTrackingFinalizer(pod) && !job && !gone) controller.enqueue(ORPHAN + keyOf(pod));
  };
  const offJobs = jobs.addEventHandler({
    onAdd: enqueue,
    onUpdate: (_o, n) => enqueue(n),
    onDelete: x => {
      const job = deletedObject(x);
      enqueue(job);
      // Its pods' finalizers must go, or they would never be deleted.
      for (const p of pods.byIndex(BY_CONTROLLER, job.metadata!.uid!)) if (hasTrackingFinalizer(p)) controller.enqueue(ORPHAN + keyOf(p));
    },
  });
  const offPods = pods.addEventHandler({
    onAdd: (p, initial) => { observeFinalizer(p, false); route.onAdd?.(p, initial); },
    onUpdate: (o, n) => { observeFinalizer(n, false); route.onUpdate?.(o, n); },
    onDelete: x => { observeFinalizer(deletedObject(x), true); route.onDelete?.(x); },
  });
  return runController(controller, () => { offJobs(); offPods(); });
}
