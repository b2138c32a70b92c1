/**
 * Job controller vocabulary (upstream's job utils, indexed_job_utils, pod_failure_policy
 * and backoff_utils): conditions, completion indexes, podFailurePolicy matching, pod
 * failure back-off, and the per-sync context the other job-* files share.
 */
import type { ContainerStatus, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Client, Clock, EventRecorder, RateLimitingQueue } from '../client/index.js';
import { creationTime, podCondition, type Expectations, type Obj } from './workload-utils-b.js';

export const JOB = { apiVersion: 'batch/v1', kind: 'Job' } as const;
export const TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const INDEX_KEY = 'batch.kubernetes.io/job-completion-index';

export interface JobCondition { type: string; status: string; reason?: string; message?: string; lastProbeTime?: string; lastTransitionTime?: string }

export const conditionOf = (job: Obj, type: string): JobCondition | undefined =>
  (job.status?.conditions as JobCondition[] | undefined)?.find(c => c.type === type);
const isTrue = (job: Obj, type: string) => conditionOf(job, type)?.status === 'True';
/** Complete or Failed: nothing more will happen to the Job. */
export const isJobFinished = (job: Obj): boolean => isTrue(job, 'Complete') || isTrue(job, 'Failed');
export const isSuspended = (job: Obj): boolean => job.spec?.suspend === true;
export const isIndexed = (job: Obj): boolean => job.spec?.completionMode === 'Indexed';
export const hasTrackingFinalizer = (p: Obj): boolean => !!p.metadata?.finalizers?.includes(TRACKING_FINALIZER);

export function newCondition(type: string, reason: string, message: string, now: number): JobCondition {
  const t = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
  return { type, status: 'True', reason, message, lastProbeTime: t, lastTransitionTime: t };
}

/** Sets a condition's status, keeping lastTransitionTime when the status is unchanged. True if it changed. */
export function ensureCondition(job: Obj, c: JobCondition): boolean {
  const conds: JobCondition[] = (job.status.conditions ??= []);
  const cur = conds.find(x => x.type === c.type);
  if (!cur) {
    if (c.status === 'False') return false; // a False condition that never was True is not recorded
    conds.push(c);
    return true;
  }
  if (cur.status === c.status && cur.reason === c.reason && cur.message === c.message) return false;
  if (cur.status !== c.status) cur.lastTransitionTime = c.lastTransitionTime;
  Object.assign(cur, { status: c.status, reason: c.reason, message: c.message, lastProbeTime: c.lastProbeTime });
  return true;
}

/** Replacement pods only for pods that reached Failed (not for terminating ones). */
export const onlyReplaceFailedPods = (job: Obj): boolean => job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;

/** isPodFailed: Failed, or (unless only failed pods count) being deleted before it succeeded. */
export function isPodFailed(p: Obj, job: Obj): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded';
}

// ---- completion indexes -----------------------------------------------------------------

export function completionIndex(p: Obj): number {
  const v = p.metadata?.annotations?.[INDEX_KEY] ?? p.metadata?.labels?.[INDEX_KEY];
  if (v === undefined || !/^\d+$/.test(v)) return -1;
  return Number(v);
}

/** "1,3-5" → sorted unique indexes below `completions`. */
export function parseIndexes(s: string | undefined, completions: number): number[] {
  const out: number[] = [];
  for (const part of (s ?? '').split(',')) {
    if (!part) continue;
    const [a, b = a] = part.split('-').map(Number);
    for (let i = a; i <= b && i < completions; i++) if (Number.isInteger(i) && i >= 0) out.push(i);
  }
  return [...new Set(out)].sort((x, y) => x - y);
}

/** Sorted indexes → "1,3-5". */
export function formatIndexes(ix: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ix.length;) {
    let j = i;
    while (j + 1 < ix.length && ix[j + 1] === ix[j] + 1) j++;
    parts.push(i === j ? `${ix[i]}` : `${ix[i]}-${ix[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

// ---- podFailurePolicy ------------------------------------------------------------------------

export interface PolicyMatch { failJobMessage?: string; countFailed: boolean; action?: string }

interface Rule {
  action: string;
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: Array<{ type: string; status?: string }>;
}

/** matchPodFailurePolicy: the first rule that matches decides (FailJob, Ignore, Count). */
export function matchPodFailurePolicy(job: Obj, p: Obj): PolicyMatch {
  const rules = (job.spec?.podFailurePolicy?.rules ?? []) as Rule[];
  for (const [i, rule] of rules.entries()) {
    let what: string | undefined;
    if (rule.onExitCodes) {
      const r = rule.onExitCodes;
      const statuses = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])] as ContainerStatus[];
      const cs = statuses.find(s => {
        const code = s.state?.terminated?.exitCode;
        if (code === undefined || code === 0 || (r.containerName && r.containerName !== s.name)) return false;
        return r.operator === 'In' ? r.values.includes(code) : !r.values.includes(code);
      });
      if (cs) what = `Container ${cs.name} for pod ${p.metadata!.namespace}/${p.metadata!.name} failed with exit code ${cs.state!.terminated!.exitCode}`;
    } else if (rule.onPodConditions) {
      const conds = (p.status?.conditions ?? []) as PodCondition[];
      const c = conds.find(c => rule.onPodConditions!.some(pat => pat.type === c.type && (pat.status ?? 'True') === c.status));
      if (c) what = `Pod ${p.metadata!.namespace}/${p.metadata!.name} has condition ${c.type}`;
    }
    if (what === undefined) continue;
    switch (rule.action) {
      case 'Ignore': return { countFailed: false, action: 'Ignore' };
      case 'Count': return { countFailed: true, action: 'Count' };
      case 'FailJob': return { countFailed: true, action: 'FailJob', failJobMessage: `${what} matching FailJob rule at index ${i}` };
      default: continue; // FailIndex needs backoffLimitPerIndex, which kubeling does not implement
    }
  }
  return { countFailed: true };
}

// ---- pod failure back-off -----------------------------------------------------------------

export const BACKOFF_BASE_MS = 10_000;
export const BACKOFF_MAX_MS = 6 * 60_000;

export interface BackoffRecord { failuresAfterLastSuccess: number; lastFailureTime?: number }

/** getFinishedTime: the last container's finish, else Ready=False's transition, else deletion. */
export function finishedTime(p: Obj): number {
  const ts = ([...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])] as ContainerStatus[])
    .map(s => Date.parse(s.state?.terminated?.finishedAt ?? '')).filter(n => !Number.isNaN(n));
  if (ts.length) return Math.max(...ts);
  const ready = podCondition(p, 'Ready');
  if (ready?.status === 'False' && ready.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  if (p.metadata?.deletionTimestamp) return Date.parse(p.metadata.deletionTimestamp);
  return creationTime(p);
}

/** newBackoffRecord: failures since the last success, and when the latest one happened. */
export function nextBackoffRecord(prev: BackoffRecord | undefined, succeeded: Obj[], failed: Obj[]): BackoffRecord {
  const r: BackoffRecord = { ...(prev ?? { failuresAfterLastSuccess: 0 }) };
  const f = failed.map(finishedTime).sort((a, b) => a - b);
  if (!succeeded.length) {
    if (!f.length) return r;
    return { failuresAfterLastSuccess: r.failuresAfterLastSuccess + f.length, lastFailureTime: f[f.length - 1] };
  }
  const lastSuccess = Math.max(...succeeded.map(finishedTime));
  const after = f.filter(t => t > lastSuccess);
  return { failuresAfterLastSuccess: after.length, lastFailureTime: after.length ? after[after.length - 1] : undefined };
}

/** 10 s doubling per failure after the last success, capped at 6 min, from the latest failure. */
export function remainingBackoff(r: BackoffRecord, now: number): number {
  if (!r.failuresAfterLastSuccess || r.lastFailureTime === undefined) return 0;
  const d = Math.min(BACKOFF_BASE_MS * 2 ** (r.failuresAfterLastSuccess - 1), BACKOFF_MAX_MS);
  return Math.max(0, d - (now - r.lastFailureTime));
}

// ---- per-sync context ---------------------------------------------------------------------------

/** What a Job sync needs besides the informers. */
export interface JobDeps {
  client: Client;
  recorder: EventRecorder;
  queue: RateLimitingQueue<string>;
  clock: Clock;
  expectations: Expectations;
  /** Pod uids whose tracking finalizer removal was sent but not yet observed, by job key. */
  finalizersRemoving: Map<string, Set<string>>;
  backoffs: Map<string, BackoffRecord>;
}

export interface JobCtx {
  key: string;
  /** A deep copy; status is rewritten in place. */
  job: Obj;
  pods: Obj[];
  active: Obj[];
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  uncounted: { succeeded: Set<string>; failed: Set<string> };
  expectedRmFinalizers: Set<string>;
  finished?: JobCondition;
  prevSucceededIndexes: number[];
  succeededIndexes: number[];
  newBackoff: BackoffRecord;
}
