/**
 * Pod phase and conditions from container statuses, as the kubelet's getPhase and
 * status generators compute them. Native sidecars count for initialization only, so a
 * finished pod is Succeeded even though its sidecars were stopped.
 */
import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { isSidecar } from './pod-view.js';

export const rfc3339 = (d: Date | string | number) => new Date(d).toISOString().replace(/\.\d+Z$/, 'Z');

export function podPhase(pod: Pod, init: readonly ContainerStatus[], apps: readonly ContainerStatus[], initialized: boolean): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const specInits = new Map((pod.spec?.initContainers ?? []).map(c => [c.name, c]));
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of init) {
    if (isSidecar(specInits.get(s.name)!)) {
      if (!initialized && !s.started) pendingInit++;
      continue;
    }
    const t = s.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (t) failedInit++;
    else if (s.state?.waiting && s.lastState?.terminated && s.lastState.terminated.exitCode !== 0) failedInit++;
    else pendingInit++;
  }
  if (initialized) { pendingInit = 0; failedInit = 0; }
  let unknown = 0, runningN = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const s of apps) {
    if (s.state?.running) runningN++;
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state?.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
    else unknown++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || failedInit > 0) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (runningN > 0 && unknown === 0) return 'Running';
  if (runningN === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function cond(old: readonly PodCondition[] | undefined, type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find(c => c.type === type);
  const c: PodCondition = {
    type, status, lastProbeTime: null as unknown as undefined,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : rfc3339(Date.now()),
    ...(ok || !reason ? {} : { reason }), ...(ok || !message ? {} : { message }),
  };
  return c;
}

export interface ConditionInput {
  pod: Pod;
  /** What this agent last reported: transition times of its own conditions come from here (the API's copy may lag). */
  previous?: readonly PodCondition[];
  phase: string;
  sandboxReady: boolean;
  initialized: boolean;
  init: readonly ContainerStatus[];
  apps: readonly ContainerStatus[];
}

/** The kubelet-owned conditions, plus any others (PodScheduled, readiness gates) kept from the pod. */
export function podConditions(i: ConditionInput): PodCondition[] {
  const api = i.pod.status?.conditions;
  const old = i.previous ?? api;
  const done = i.phase === 'Succeeded' || i.phase === 'Failed';
  const specInits = new Map((i.pod.spec?.initContainers ?? []).map(c => [c.name, c]));
  const incomplete = i.init.filter(s => !isSidecar(specInits.get(s.name)!) && s.state?.terminated?.exitCode !== 0).map(s => s.name);
  const unready = [...i.init.filter(s => isSidecar(specInits.get(s.name)!)), ...i.apps].filter(s => !s.ready).map(s => s.name);
  const gates = i.pod.spec?.readinessGates ?? [];
  const gatesOk = gates.every(g => api?.find(c => c.type === g.conditionType)?.status === 'True');
  const initialized = i.initialized || incomplete.length === 0;
  const completed = i.phase === 'Succeeded';
  const notReadyReason = completed ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMsg = completed ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const containersReady = !done && unready.length === 0;
  const ready = containersReady && gatesOk;
  const own: PodCondition[] = [
    cond(old, 'PodReadyToStartContainers', i.sandboxReady && !done),
    cond(old, 'Initialized', initialized, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    cond(old, 'Ready', ready, containersReady ? 'ReadinessGatesNotReady' : notReadyReason,
      containersReady ? `corresponding condition of pod readiness gate "${gates.find(g => api?.find(c => c.type === g.conditionType)?.status !== 'True')?.conditionType}" does not exist.` : notReadyMsg),
    cond(old, 'ContainersReady', containersReady, notReadyReason, notReadyMsg),
  ];
  const ownTypes = new Set(own.map(c => c.type));
  const others = (api ?? []).filter(c => !ownTypes.has(c.type));
  // The scheduler sets PodScheduled; pods bound without one get it from the agent (once).
  if (!others.some(c => c.type === 'PodScheduled')) {
    const { lastProbeTime: _, ...scheduled } = cond(i.previous, 'PodScheduled', true);
    others.unshift(scheduled);
  }
  return [...own.slice(0, 2), ...own.slice(2), ...others].sort((a, b) => order(a.type) - order(b.type));
}

const ORDER = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
const order = (t: string) => { const i = ORDER.indexOf(t); return i < 0 ? ORDER.length : i; };
