/**
 * trackJobStatusAndRemoveFinalizers: the Job's counters survive pod deletion because
 * every pod carries the tracking finalizer until it is counted. Finished pods' uids go
 * into status.uncountedTerminatedPods (written first), then their finalizers are
 * removed, then they move into succeeded/failed. Finally the terminal condition is
 * added once nothing is uncounted or terminating (Complete/Failed after
 * SuccessCriteriaMet/FailureTarget, as 1.32 does).
 */
import {
  JOB, completionIndex, formatIndexes, hasTrackingFinalizer, isIndexed, isPodFailed, matchPodFailurePolicy, newCondition,
  ensureCondition, type JobCtx, type JobDeps,
} from './job-utils.js';
import { removeTrackingFinalizer } from './job-manage.js';
import { writeStatus, type Obj } from './workload-utils-b.js';

/** Moves uncounted uids whose pods lost their finalizer into the counters. */
function cleanUncounted(status: Obj['status'], withFinalizer: Set<string>): boolean {
  const u = status.uncountedTerminatedPods;
  let changed = false;
  for (const [list, counter] of [['succeeded', 'succeeded'], ['failed', 'failed']] as const) {
    const before: string[] = u[list] ?? [];
    const keep = before.filter(uid => withFinalizer.has(uid));
    if (keep.length === before.length) continue;
    changed = true;
    status[counter] = Number(status[counter] ?? 0) + before.length - keep.length;
    if (keep.length) u[list] = keep; else delete u[list];
  }
  return changed;
}

export async function trackJobStatus(d: JobDeps, jc: JobCtx, needsFlush: boolean): Promise<void> {
  const { job } = jc;
  const status = job.status;
  const indexed = isIndexed(job);
  const completions = Number(job.spec?.completions ?? 0);
  const withFinalizer = new Set(jc.pods.filter(p => hasTrackingFinalizer(p) && !jc.expectedRmFinalizers.has(p.metadata!.uid!)).map(p => p.metadata!.uid!));
  if (cleanUncounted(status, withFinalizer)) needsFlush = true;
  const u = status.uncountedTerminatedPods;
  const toRemove: Obj[] = [];
  const newSucceededIndexes: number[] = [];
  const pods = indexed ? [...jc.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : jc.pods;
  for (const pod of pods) {
    const uid = pod.metadata!.uid!;
    if (!hasTrackingFinalizer(pod) || jc.expectedRmFinalizers.has(uid)) continue;
    const failed = isPodFailed(pod, job);
    // canRemoveFinalizer
    if (!(job.metadata?.deletionTimestamp || jc.finished || pod.status?.phase === 'Succeeded' || failed)) continue;
    toRemove.push(pod);
    const ix = completionIndex(pod);
    if (pod.status?.phase === 'Succeeded' && !jc.uncounted.failed.has(uid)) {
      if (indexed) {
        if (ix >= 0 && ix < completions && !jc.prevSucceededIndexes.includes(ix)) { newSucceededIndexes.push(ix); needsFlush = true; }
      } else if (!jc.uncounted.succeeded.has(uid)) {
        (u.succeeded ??= []).push(uid);
        needsFlush = true;
      }
    } else if (failed || (jc.finished && jc.finished.type !== 'SuccessCriteriaMet')) {
      // Once the Job is finished, every pod that did not succeed counts as failed.
      if (!jc.uncounted.failed.has(uid) && (!indexed || (ix >= 0 && ix < completions))) {
        if (!job.spec?.podFailurePolicy || matchPodFailurePolicy(job, pod).countFailed) {
          (u.failed ??= []).push(uid);
          needsFlush = true;
        }
      }
    }
  }
  if (indexed) {
    const all = [...new Set([...jc.prevSucceededIndexes, ...newSucceededIndexes])].sort((a, b) => a - b);
    const s = formatIndexes(all);
    if (s !== (status.completedIndexes ?? '')) needsFlush = true;
    status.succeeded = all.length;
    if (s) status.completedIndexes = s; else delete status.completedIndexes;
  }
  const now = d.clock.now();
  let finished = jc.finished;
  if (finished?.type === 'FailureTarget') {
    // Record the interim condition before the finalizers go; Failed follows.
    status.conditions = [...(status.conditions ?? []), finished];
    needsFlush = true;
    finished = newCondition('Failed', finished.reason!, finished.message!, now);
  } else if (finished?.type === 'SuccessCriteriaMet') {
    if (!(status.conditions ?? []).some((c: { type: string }) => c.type === 'SuccessCriteriaMet')) {
      status.conditions = [...(status.conditions ?? []), finished];
      needsFlush = true;
    }
    finished = newCondition('Complete', finished.reason!, finished.message!, now);
  }

  // flushUncountedAndRemoveFinalizers
  if (needsFlush) { await flush(d, jc); needsFlush = false; }
  let rmErr: unknown;
  if (toRemove.length) {
    const removing = d.finalizersRemoving.get(jc.key) ?? new Set<string>();
    d.finalizersRemoving.set(jc.key, removing);
    await Promise.all(toRemove.map(async p => {
      removing.add(p.metadata!.uid!);
      try {
        await removeTrackingFinalizer(d, p);
        withFinalizer.delete(p.metadata!.uid!);
      } catch (e) { removing.delete(p.metadata!.uid!); rmErr ??= e; }
    }));
  }
  if (cleanUncounted(status, withFinalizer)) needsFlush = true;
  if (rmErr) {
    if (needsFlush) await flush(d, jc);
    throw rmErr;
  }

  // enactJobFinished
  const uncounted = (u.succeeded?.length ?? 0) + (u.failed?.length ?? 0);
  const done = !!finished && uncounted === 0 && jc.terminating === 0;
  if (done) {
    ensureCondition(job, finished!);
    if (finished!.type === 'Complete') status.completionTime = finished!.lastTransitionTime;
    needsFlush = true;
  }
  if (needsFlush) await flush(d, jc);
  if (done) {
    if (finished!.type === 'Complete') {
      if (job.spec?.completions != null && status.succeeded > job.spec.completions) {
        d.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
      }
      d.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    } else d.recorder.event(job, 'Warning', finished!.reason!, finished!.message!);
  }
}

/** Writes the Job's status; the back-off record is kept once the counts it reflects are stored. */
async function flush(d: JobDeps, jc: JobCtx): Promise<void> {
  const u = jc.job.status.uncountedTerminatedPods;
  if (u && !u.succeeded?.length && !u.failed?.length) jc.job.status.uncountedTerminatedPods = {};
  const stored = await writeStatus(d.client, JOB, jc.job, jc.job.status);
  jc.job.metadata!.resourceVersion = stored.metadata!.resourceVersion;
  d.backoffs.set(jc.key, jc.newBackoff);
}
