/**
 * syncJob: from the Job and its pods, decide whether it has failed (pod failure policy,
 * backoffLimit, activeDeadlineSeconds) or succeeded (completions), otherwise manage its
 * pods; then record status through the finalizer-tracking protocol.
 */
import {
  conditionOf, ensureCondition, hasTrackingFinalizer, isIndexed, isPodFailed, isSuspended, matchPodFailurePolicy,
  newCondition, nextBackoffRecord, parseIndexes, completionIndex, type JobCtx, type JobDeps,
} from './job-utils.js';
import { deleteJobPods, manageJob } from './job-manage.js';
import { trackJobStatus } from './job-tracking.js';
import { isPodActive, isPodReady, isPodTerminal, type Obj } from './workload-utils-b.js';

export async function syncJob(d: JobDeps, key: string, job0: Obj, pods: Obj[]): Promise<void> {
  const job = structuredClone(job0);
  const status = (job.status ??= {});
  status.uncountedTerminatedPods ??= {};
  const now = d.clock.now();
  const satisfied = d.expectations.satisfied(key);
  const active = pods.filter(isPodActive);
  const uncounted = {
    succeeded: new Set<string>(status.uncountedTerminatedPods.succeeded ?? []),
    failed: new Set<string>(status.uncountedTerminatedPods.failed ?? []),
  };
  const jc: JobCtx = {
    key, job, pods, active, ready: active.filter(isPodReady).length,
    terminating: pods.filter(p => p.metadata?.deletionTimestamp && !isPodTerminal(p)).length,
    succeeded: 0, failed: 0, uncounted, expectedRmFinalizers: d.finalizersRemoving.get(key) ?? new Set(),
    prevSucceededIndexes: [], succeededIndexes: [], newBackoff: { failuresAfterLastSuccess: 0 },
  };
  // getNewFinishedPods: finished, still carrying the finalizer, not yet in uncounted.
  const fresh = (p: Obj) => hasTrackingFinalizer(p) && !jc.expectedRmFinalizers.has(p.metadata!.uid!);
  const newSucceeded = pods.filter(p => fresh(p) && !uncounted.succeeded.has(p.metadata!.uid!) && p.status?.phase === 'Succeeded');
  const newFailed = pods.filter(p => fresh(p) && !uncounted.failed.has(p.metadata!.uid!) && isPodFailed(p, job));
  const counted = job.spec?.podFailurePolicy ? newFailed.filter(p => matchPodFailurePolicy(job, p).countFailed) : newFailed;
  jc.succeeded = Number(status.succeeded ?? 0) + newSucceeded.length + uncounted.succeeded.size;
  jc.failed = Number(status.failed ?? 0) + counted.length + uncounted.failed.size;
  if (!status.startTime && !isSuspended(job)) status.startTime = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
  jc.newBackoff = nextBackoffRecord(d.backoffs.get(key), newSucceeded, newFailed);

  const met = conditionOf(job, 'SuccessCriteriaMet');
  if (met?.status === 'True') jc.finished = met;
  if (!jc.finished) {
    const target = conditionOf(job, 'FailureTarget');
    if (target?.status === 'True') jc.finished = newCondition('Failed', target.reason ?? '', target.message ?? '', now);
    else {
      const msg = job.spec?.podFailurePolicy
        ? pods.filter(p => isPodFailed(p, job)).map(p => matchPodFailurePolicy(job, p).failJobMessage).find(Boolean) : undefined;
      if (msg) jc.finished = newCondition('FailureTarget', 'PodFailurePolicy', msg, now);
    }
  }
  if (!jc.finished) {
    const deadline = job.spec?.activeDeadlineSeconds;
    const started = Date.parse(status.startTime ?? '');
    if (jc.failed > Number(job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) {
      jc.finished = newCondition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
    } else if (deadline != null && !isSuspended(job) && !Number.isNaN(started)) {
      const left = started + deadline * 1000 - now;
      if (left <= 0) jc.finished = newCondition('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      else d.queue.addAfter(key, left);
    }
  }
  if (isIndexed(job)) {
    const completions = Number(job.spec.completions);
    jc.prevSucceededIndexes = parseIndexes(status.completedIndexes, completions);
    const fresh = pods.filter(p => p.status?.phase === 'Succeeded' && hasTrackingFinalizer(p)).map(completionIndex)
      .filter(ix => ix >= 0 && ix < completions);
    jc.succeededIndexes = [...new Set([...jc.prevSucceededIndexes, ...fresh])].sort((a, b) => a - b);
    jc.succeeded = jc.succeededIndexes.length;
  }

  let activeCount = active.length;
  let suspendChanged = false;
  let manageErr: unknown;
  if (jc.finished) {
    // Stop what still runs; the Job is declared finished once every pod is accounted for.
    try {
      const deleted = await deleteJobPods(d, jc, active, true);
      if (deleted !== active.length || !satisfied) jc.finished = undefined;
      activeCount -= deleted;
    } catch (e) { manageErr = e; jc.finished = undefined; }
  } else {
    let managed = false;
    if (satisfied && !job.metadata?.deletionTimestamp) {
      try { activeCount = await manageJob(d, jc); } catch (e) { manageErr = e; }
      managed = true;
    }
    const completions = job.spec?.completions;
    const complete = completions == null ? jc.succeeded > 0 && activeCount === 0 : jc.succeeded >= completions && activeCount === 0;
    if (complete) {
      jc.finished = newCondition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
    } else if (managed) {
      const t = newCondition('Suspended', '', '', now);
      if (isSuspended(job)) {
        suspendChanged = ensureCondition(job, { ...t, reason: 'JobSuspended', message: 'Job suspended' });
        if (suspendChanged) d.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      } else {
        suspendChanged = ensureCondition(job, { ...t, status: 'False', reason: 'JobResumed', message: 'Job resumed' });
        if (suspendChanged) {
          d.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
          // activeDeadlineSeconds counts time continuously active: it restarts on resume.
          status.startTime = t.lastTransitionTime;
        }
      }
    }
  }
  const needsUpdate = suspendChanged || activeCount !== (status.active ?? 0) || jc.ready !== status.ready || jc.terminating !== status.terminating;
  status.active = activeCount;
  status.ready = jc.ready;
  status.terminating = jc.terminating;
  if (!status.active) delete status.active;
  await trackJobStatus(d, jc, needsUpdate);
  if (manageErr) throw manageErr;
}

/** restartPolicy OnFailure: container restarts of running pods count against backoffLimit. */
function pastBackoffLimitOnFailure(job: Obj, pods: Obj[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  const limit = Number(job.spec?.backoffLimit ?? 6);
  return limit === 0 ? restarts > 0 : restarts >= limit;
}
