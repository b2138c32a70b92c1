/**
 * The CronJob controller: creates Jobs on a schedule. Each CronJob key is synced when it
 * or one of its Jobs changes, and requeued for its next schedule time on the injected
 * clock (tests drive a FakeClock; the queue's delays run on the same clock).
 */
import {
  Controller, EventRecorder, RateLimitingQueue, deletedObject, indexByControllerUid, keyOf, realClock, type Clock, type Logger,
} from '../client/index.js';
import type { Component, ComponentContext } from '../cli/components.js';
import { CRONJOB, cleanupFinishedJobs, syncCronJob, type CronDeps } from './cronjob-sync.js';
import { JOB } from './job-utils.js';
import { BY_CONTROLLER, controllerRefOf, runController, writeStatus, type Obj } from './workload-utils-b.js';

export interface CronJobControllerOptions { clock?: Clock; workers?: number; logger?: Logger }

export function startCronJobController(ctx: ComponentContext, opts: CronJobControllerOptions = {}): Component {
  const clock = opts.clock ?? realClock;
  const client = ctx.client.withComponent('cronjob-controller');
  const cronJobs = ctx.informers.informerFor(CRONJOB);
  const jobs = ctx.informers.informerFor(JOB);
  jobs.addIndexer(BY_CONTROLLER, indexByControllerUid);
  const queue = new RateLimitingQueue<string>({ name: 'cronjob', clock });
  const d: CronDeps = { client, clock, recorder: new EventRecorder({ client, component: 'cronjob-controller', clock, logger: opts.logger }) };

  async function sync(key: string): Promise<void> {
    const cached = cronJobs.get(key);
    if (!cached) return;
    const children = jobs.byIndex(BY_CONTROLLER, cached.metadata!.uid!);
    // One copy collects every status change; it is written once.
    const cj = structuredClone(cached);
    const cleaned = await cleanupFinishedJobs(d, cj, children);
    let result: Awaited<ReturnType<typeof syncCronJob>> | undefined;
    let err: unknown;
    try { result = await syncCronJob(d, cj, children); } catch (e) { err = e; }
    if (cleaned || result?.updateStatus) await writeStatus(client, CRONJOB, cj, cj.status);
    if (result?.requeueAfterMs !== undefined) { queue.addAfter(key, Math.max(0, result.requeueAfterMs)); return; }
    if (err) throw err;
  }

  const controller = new Controller({ name: 'cronjob', sync, queue, workers: opts.workers ?? 5, waitFor: [cronJobs, jobs], logger: opts.logger });
  const enqueue = (o: Obj) => controller.enqueue(keyOf(o));
  const enqueueOwner = (j: Obj) => {
    const ref = controllerRefOf(j);
    if (ref?.kind !== CRONJOB.kind) return;
    const cj = cronJobs.getByName(ref.name, j.metadata!.namespace);
    if (cj?.metadata?.uid === ref.uid) enqueue(cj);
  };
  const offCron = cronJobs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: x => enqueue(deletedObject(x)) });
  const offJobs = jobs.addEventHandler({
    onAdd: enqueueOwner,
    onUpdate: (o, n) => { enqueueOwner(n); if (controllerRefOf(o)?.uid !== controllerRefOf(n)?.uid) enqueueOwner(o); },
    onDelete: x => enqueueOwner(deletedObject(x)),
  });
  return runController(controller, () => { offCron(); offJobs(); });
}
