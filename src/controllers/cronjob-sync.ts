/**
 * One CronJob pass (upstream's cronjob_controllerv2 syncCronJob): reconcile status.active
 * with the Jobs that exist, trim finished Jobs to the history limits, then — unless
 * suspended, too late or blocked by the concurrency policy — create the Job for the most
 * recent unmet schedule time, named `<cronjob>-<scheduled time in minutes>`.
 */
import { AlreadyExistsError, NotFoundError } from '../api/errors.js';
import type { Client, Clock, EventRecorder } from '../client/index.js';
import { ScheduleError, formatInZone, parseSchedule, type Schedule } from './cronjob-schedule.js';
import { JOB, conditionOf } from './job-utils.js';
import { controllerRefOf, deleteIgnoringNotFound, newControllerRef, rfc3339, type Obj } from './workload-utils-b.js';

export const CRONJOB = { apiVersion: 'batch/v1', kind: 'CronJob' } as const;
const SCHEDULED_AT = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Wake a little after the scheduled time, so `now` is surely past it. */
const NEXT_DELTA_MS = 100;

export interface CronDeps { client: Client; recorder: EventRecorder; clock: Clock }
export interface CronResult { requeueAfterMs?: number; updateStatus: boolean }

type Ref = { name: string; namespace?: string; uid: string };
const removeActive = (cj: Obj, uid: string) => { cj.status.active = (cj.status.active ?? []).filter((r: Ref) => r.uid !== uid); };
const finishedType = (j: Obj) => (conditionOf(j, 'Complete')?.status === 'True' ? 'Complete' : conditionOf(j, 'Failed')?.status === 'True' ? 'Failed' : undefined);

/** mostRecentScheduleTime: the latest schedule time in (earliest, now], and whether many were missed. */
function mostRecent(cj: Obj, now: number, sched: Schedule, withDeadline: boolean): { earliest: number; latest?: number; many: boolean } {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata!.creationTimestamp!);
  if (withDeadline && cj.spec?.startingDeadlineSeconds != null) earliest = Math.max(earliest, now - cj.spec.startingDeadlineSeconds * 1000);
  const t1 = sched.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, many: false };
  const t2 = sched.next(t1);
  if (t2 === undefined || now < t2) return { earliest, latest: t1, many: false };
  // Estimate how many were missed from one interval, then walk the last stretch exactly.
  const interval = Math.max(1000, t2 - t1);
  const missed = Math.floor((now - t1) / interval) + 1;
  let latest: number | undefined;
  for (let t = sched.next(t1 + (missed - 2) * interval); t !== undefined && t <= now; t = sched.next(t)) latest = t;
  for (let t: number | undefined = t1, i = 0; latest === undefined && t !== undefined && t <= now && i < 10_000; t = sched.next(t), i++) latest = t;
  return { earliest, latest, many: missed > 100 };
}

function nextDelay(cj: Obj, now: number, sched: Schedule): number | undefined {
  const { earliest, latest } = mostRecent(cj, now, sched, false);
  const n = sched.next(latest ?? earliest);
  return n === undefined ? undefined : n + NEXT_DELTA_MS - now;
}

export async function syncCronJob(d: CronDeps, cj: Obj, jobs: Obj[]): Promise<CronResult> {
  const now = d.clock.now();
  let updateStatus = false;
  cj.status ??= {};
  const children = new Set<string>();
  for (const j of jobs) {
    children.add(j.metadata!.uid!);
    const active = (cj.status.active ?? []).some((r: Ref) => r.uid === j.metadata!.uid);
    const done = finishedType(j);
    if (!active && !done) {
      // Our own status write may not have reached the cache yet: check a fresh copy.
      const fresh = await d.client.get<Obj>(CRONJOB, cj.metadata!.name!, { namespace: cj.metadata!.namespace });
      if ((fresh.status?.active ?? []).some((r: Ref) => r.uid === j.metadata!.uid)) {
        cj.status = structuredClone(fresh.status);
        cj.metadata!.resourceVersion = fresh.metadata!.resourceVersion;
        continue;
      }
      d.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata!.name}`);
    } else if (active && done) {
      removeActive(cj, j.metadata!.uid!);
      d.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata!.name}, condition: ${done}`);
      updateStatus = true;
    }
    if (done === 'Complete' && j.status?.completionTime &&
      (!cj.status.lastSuccessfulTime || Date.parse(j.status.completionTime) > Date.parse(cj.status.lastSuccessfulTime))) {
      cj.status.lastSuccessfulTime = j.status.completionTime;
      updateStatus = true;
    }
  }
  // Active entries whose Job is gone (asked of the API server: the cache may lag).
  for (const r of [...(cj.status.active ?? [])] as Ref[]) {
    if (children.has(r.uid)) continue;
    try { await d.client.get<Obj>(JOB, r.name, { namespace: r.namespace ?? cj.metadata!.namespace }); } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      d.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${r.name}`);
      removeActive(cj, r.uid);
      updateStatus = true;
    }
  }
  if (cj.metadata?.deletionTimestamp) return { updateStatus };
  const tz = cj.spec?.timeZone ?? 'UTC';
  if (cj.spec?.suspend) return { updateStatus };
  let sched: Schedule;
  try { sched = parseSchedule(cj.spec?.schedule ?? '', tz); } catch (e) {
    if (e instanceof RangeError) d.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": ${e.message}`);
    else d.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec?.schedule}" : ${(e as Error).message}`);
    if (!(e instanceof RangeError || e instanceof ScheduleError)) throw e;
    return { updateStatus };
  }
  const { latest, many } = mostRecent(cj, now, sched, true);
  if (many) d.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
  const later = (): CronResult => ({ requeueAfterMs: nextDelay(cj, now, sched), updateStatus });
  if (latest === undefined) return later();
  if (cj.spec?.startingDeadlineSeconds != null && latest + cj.spec.startingDeadlineSeconds * 1000 < now) {
    d.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${new Date(latest).toUTCString().replace('GMT', '+0000')}`);
    return later();
  }
  const name = `${cj.metadata!.name}-${Math.floor(latest / 60_000)}`;
  if ((cj.status.active ?? []).some((r: Ref) => r.name === name) ||
    (cj.status.lastScheduleTime && Date.parse(cj.status.lastScheduleTime) === latest)) return later();
  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && (cj.status.active ?? []).length > 0) {
    d.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return later();
  }
  if (policy === 'Replace') {
    for (const r of [...(cj.status.active ?? [])] as Ref[]) {
      await deleteJob(d, cj, { metadata: { name: r.name, namespace: r.namespace ?? cj.metadata!.namespace, uid: r.uid } });
      updateStatus = true;
    }
  }
  let job: Obj;
  try {
    job = await d.client.create<Obj>(JOB, jobFor(cj, latest, name, tz), { namespace: cj.metadata!.namespace });
    d.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata!.name}`);
  } catch (e) {
    if (!(e instanceof AlreadyExistsError)) {
      d.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
      throw e;
    }
    // Created earlier but not recorded; another actor's Job is left alone.
    job = await d.client.get<Obj>(JOB, name, { namespace: cj.metadata!.namespace });
    if (controllerRefOf(job)?.uid !== cj.metadata!.uid) return { updateStatus };
    if ((cj.status.active ?? []).some((r: Ref) => r.uid === job.metadata!.uid)) return { updateStatus };
  }
  cj.status.active = [...(cj.status.active ?? []), {
    apiVersion: JOB.apiVersion, kind: JOB.kind, name: job.metadata!.name, namespace: job.metadata!.namespace,
    uid: job.metadata!.uid, resourceVersion: job.metadata!.resourceVersion,
  }];
  cj.status.lastScheduleTime = rfc3339(latest);
  return { requeueAfterMs: nextDelay(cj, now, sched), updateStatus: true };
}

function jobFor(cj: Obj, scheduled: number, name: string, tz: string): Obj {
  const tpl = cj.spec?.jobTemplate ?? {};
  return {
    apiVersion: JOB.apiVersion, kind: JOB.kind,
    metadata: {
      name, namespace: cj.metadata!.namespace,
      labels: { ...(tpl.metadata?.labels ?? {}) },
      annotations: { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_AT]: formatInZone(scheduled, tz) },
      ownerReferences: [newControllerRef(cj, CRONJOB.apiVersion, CRONJOB.kind)],
    },
    spec: structuredClone(tpl.spec ?? {}),
  };
}

async function deleteJob(d: CronDeps, cj: Obj, job: Obj): Promise<void> {
  await deleteIgnoringNotFound(d.client, JOB, job, { propagationPolicy: 'Background' });
  removeActive(cj, job.metadata!.uid!);
  d.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata!.name}`);
}

/** cleanupFinishedJobs: keep the newest successfulJobsHistoryLimit / failedJobsHistoryLimit. */
export async function cleanupFinishedJobs(d: CronDeps, cj: Obj, jobs: Obj[]): Promise<boolean> {
  let changed = false;
  const limits = { Complete: cj.spec?.successfulJobsHistoryLimit, Failed: cj.spec?.failedJobsHistoryLimit };
  for (const [type, limit] of Object.entries(limits)) {
    if (limit == null) continue;
    const done = jobs.filter(j => finishedType(j) === type).sort((a, b) =>
      (Date.parse(a.status?.startTime ?? '') || Infinity) - (Date.parse(b.status?.startTime ?? '') || Infinity) ||
      (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
    for (const j of done.slice(0, Math.max(0, done.length - Number(limit)))) {
      await deleteJob(d, cj, j);
      changed = true;
    }
  }
  return changed;
}

