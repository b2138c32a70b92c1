/**
 * manageJob: brings the number of active pods to what the Job wants now —
 * min(parallelism, completions − succeeded) — deleting the extra ones first, creating the
 * missing ones only after the pod-failure back-off, with the tracking finalizer and, for
 * Indexed Jobs, the lowest pending completion indexes.
 */
import { NotFoundError } from '../api/errors.js';
import {
  INDEX_KEY, JOB, TRACKING_FINALIZER, completionIndex, isIndexed, isSuspended, onlyReplaceFailedPods, remainingBackoff,
  type JobCtx, type JobDeps,
} from './job-utils.js';
import { POD, creationTime, deleteIgnoringNotFound, inBatches, isPodReady, newControllerRef, podFromTemplate, type Obj } from './workload-utils-b.js';

const MAX_PER_SYNC = 500;

/** Returns the number of active pods after this pass. */
export async function manageJob(d: JobDeps, jc: JobCtx): Promise<number> {
  const { job } = jc;
  let active = jc.active.length;
  const parallelism = Number(job.spec?.parallelism ?? 1);
  if (isSuspended(job)) {
    const removed = await deleteJobPods(d, jc, jc.active);
    return active - removed;
  }
  const completions = job.spec?.completions;
  let want: number;
  if (completions === undefined || completions === null) want = jc.succeeded > 0 ? active : parallelism;
  else want = Math.max(0, Math.min(Number(completions) - jc.succeeded, parallelism));

  const toDelete = podsForRemoval(job, jc.active, Math.max(0, active - want)).slice(0, MAX_PER_SYNC);
  if (toDelete.length) {
    // One kind of change per pass; deletion first.
    return active - await deleteJobPods(d, jc, toDelete);
  }
  const terminating = onlyReplaceFailedPods(job) ? jc.terminating : 0;
  let diff = want - terminating - active;
  if (diff <= 0) return active;
  const wait = remainingBackoff(jc.newBackoff, d.clock.now());
  if (wait > 0) { d.queue.addAfter(jc.key, wait); return active; }
  diff = Math.min(diff, MAX_PER_SYNC);
  let indexes: number[] | undefined;
  if (isIndexed(job)) {
    indexes = firstPendingIndexes(jc, diff, Number(completions));
    diff = indexes.length;
  }
  if (diff <= 0) return active;
  d.expectations.expect(jc.key, diff, 0);
  const slots = Array.from({ length: diff }, (_, i) => indexes?.[i] ?? -1);
  let created = 0;
  const errs = await inBatches(slots, MAX_PER_SYNC, async ix => {
    try {
      const pod = await d.client.create<Obj>(POD, podFor(job, ix), { namespace: job.metadata!.namespace });
      created++;
      d.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata!.name}`);
    } catch (e) {
      d.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
      throw e;
    }
  });
  for (let i = created; i < diff; i++) d.expectations.creationObserved(jc.key); // never coming
  if (errs.length) throw errs[0];
  return active + created;
}

function podFor(job: Obj, ix: number): Obj {
  const tpl = structuredClone(job.spec.template) as Obj;
  tpl.metadata = { ...(tpl.metadata ?? {}) };
  tpl.metadata.finalizers = [...new Set([...(tpl.metadata.finalizers ?? []), TRACKING_FINALIZER])];
  const pod = podFromTemplate(tpl, job.metadata!.name!, newControllerRef(job, JOB.apiVersion, JOB.kind));
  if (ix >= 0) {
    pod.metadata!.annotations![INDEX_KEY] = String(ix);
    pod.metadata!.labels![INDEX_KEY] = String(ix);
    pod.metadata!.generateName = `${job.metadata!.name}-${ix}-`;
    pod.spec.hostname = `${job.metadata!.name}-${ix}`;
    // addCompletionIndexEnvVariables: every container learns its index.
    for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])] as Obj[]) {
      const env = (c.env ??= []) as Array<{ name: string }>;
      if (!env.some(e => e.name === 'JOB_COMPLETION_INDEX')) {
        env.push({ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${INDEX_KEY}']` } } } as { name: string });
      }
    }
  }
  return pod;
}

/** Lowest indexes neither succeeded nor held by an active pod. */
function firstPendingIndexes(jc: JobCtx, count: number, completions: number): number[] {
  const taken = new Set([...jc.succeededIndexes, ...jc.active.map(completionIndex)]);
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}

/** Pods to remove: for Indexed Jobs bad or duplicate indexes first, then controller.ActivePods order. */
function podsForRemoval(job: Obj, active: Obj[], atLeast: number): Obj[] {
  const rm: Obj[] = [];
  let left = active;
  if (isIndexed(job)) {
    const seen = new Set<number>();
    left = [];
    for (const p of [...active].sort((a, b) => completionIndex(a) - completionIndex(b) || creationTime(a) - creationTime(b))) {
      const ix = completionIndex(p);
      if (ix < 0 || ix >= Number(job.spec.completions) || seen.has(ix)) rm.push(p); else { seen.add(ix); left.push(p); }
    }
  }
  if (rm.length < atLeast) rm.push(...[...left].sort(deleteFirst).slice(0, atLeast - rm.length));
  return rm;
}

/** controller.ActivePods: unscheduled, then pending, then not ready, then most restarted, then newest. */
function deleteFirst(a: Obj, b: Obj): number {
  const phase = (p: Obj) => ({ Pending: 0, Unknown: 1, Running: 2 } as Record<string, number>)[p.status?.phase] ?? 0;
  const restarts = (p: Obj) => ((p.status?.containerStatuses ?? []) as Array<{ restartCount?: number }>).reduce((n, s) => Math.max(n, s.restartCount ?? 0), 0);
  return (a.spec?.nodeName ? 1 : 0) - (b.spec?.nodeName ? 1 : 0) || phase(a) - phase(b) ||
    Number(isPodReady(a)) - Number(isPodReady(b)) || restarts(b) - restarts(a) || creationTime(b) - creationTime(a);
}

/**
 * deleteJobPods: drop the tracking finalizer, then delete; returns how many went. With
 * `finishing` (deleteActivePods of a finished Job) finalizers stay, so the pods are
 * still counted (as failed) before they go, and no expectations are set.
 */
export async function deleteJobPods(d: JobDeps, jc: JobCtx, pods: Obj[], finishing = false): Promise<number> {
  if (!pods.length) return 0;
  if (!finishing) d.expectations.expect(jc.key, 0, pods.length);
  let removed = 0, readyRemoved = 0;
  const errs = await inBatches(pods, MAX_PER_SYNC, async p => {
    try {
      if (!finishing) await removeTrackingFinalizer(d, p);
      if (await deleteIgnoringNotFound(d.client, POD, p)) d.recorder.event(jc.job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata!.name}`);
      else if (!finishing) d.expectations.deletionObserved(jc.key);
      removed++;
      if (isPodReady(p)) readyRemoved++;
    } catch (e) {
      if (!finishing) d.expectations.deletionObserved(jc.key);
      throw e;
    }
  });
  jc.terminating += removed;
  jc.ready -= readyRemoved;
  if (errs.length) throw errs[0];
  return removed;
}

/** Removes the tracking finalizer by index, guarded by a JSON-patch test. False if the pod is gone. */
export async function removeTrackingFinalizer(d: Pick<JobDeps, 'client'>, p: Obj): Promise<boolean> {
  const i = p.metadata?.finalizers?.indexOf(TRACKING_FINALIZER) ?? -1;
  if (i < 0) return true;
  try {
    await d.client.patch<Obj>(POD, p.metadata!.name!, [
      { op: 'test', path: `/metadata/finalizers/${i}`, value: TRACKING_FINALIZER },
      { op: 'remove', path: `/metadata/finalizers/${i}` },
    ], { namespace: p.metadata!.namespace, type: 'json' });
    return true;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
}
