/**
 * What a pod needs next, decided from its spec and what runs (upstream's
 * computePodActions, simplified): a sandbox, the next init container, sidecars, app
 * containers to (re)start, containers to kill, and whether the pod has finished.
 * Pure: the worker executes the result, then the next sync looks again.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from '../runtime/index.js';
import { CONTAINER_HASH } from '../labels.js';
import { containerHash } from '../containers/container-config.js';
import { currentSandbox, runsByName, specEntries, type PodView, type SpecEntry } from './pod-view.js';

export interface ProbeView {
  /** Startup probe passed (or none). */
  started(id: string): boolean;
  /** Liveness (or startup) probe asked for a restart: the reason message. */
  unhealthy(id: string): string | undefined;
}

export interface StartAction { entry: SpecEntry; restart: boolean }
export interface KillAction { id: string; name: string; message: string; fieldPath: string }

export interface PodActions {
  createSandbox: boolean;
  /** The old sandbox died or changed: kill it (and everything in it) first. */
  killSandbox?: string;
  start: StartAction[];
  kill: KillAction[];
  /** Containers held back by crash back-off: name → ms left. */
  backoff: Map<string, number>;
  terminal?: 'Succeeded' | 'Failed';
  /** Regular init containers are all done (and sidecars started). */
  initialized: boolean;
}

export interface ActionInput {
  pod: Pod;
  view: PodView;
  probes: ProbeView;
  /** ms before a crashed container may restart (0 = now). */
  backoffLeft(name: string, last: ContainerStatus): number;
}

const exited = (s: ContainerStatus | undefined) => s?.state === 'exited';
const running = (s: ContainerStatus | undefined) => s?.state === 'running';

function shouldRestart(policy: string, s: ContainerStatus): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && s.exitCode !== 0);
}

export function computePodActions(i: ActionInput): PodActions {
  const { pod, view, probes } = i;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const a: PodActions = { createSandbox: false, start: [], kill: [], backoff: new Map(), initialized: false };
  const { inits, apps } = specEntries(pod);
  const sb = currentSandbox(view);

  if (!sb || sb.state !== 'ready') {
    // Never-restart pods whose containers already ran do not get a new sandbox: they end.
    if (sb && policy === 'Never' && view.containers.some(c => c.sandboxId === sb.id && c.startedAt)) {
      a.terminal = finalPhase(pod, view, sb.id) ?? 'Failed';
      return a;
    }
    if (sb) a.killSandbox = sb.id;
    a.createSandbox = true;
    a.start = inits.length ? [{ entry: inits[0]!, restart: false }] : apps.map(entry => ({ entry, restart: false }));
    return a;
  }

  const runs = runsByName(view, sb.id);
  const latest = (e: SpecEntry) => runs.get(e.c.name)?.[0];
  const restartOrBackoff = (e: SpecEntry, last: ContainerStatus) => {
    const left = i.backoffLeft(e.c.name, last);
    if (left > 0) a.backoff.set(e.c.name, left);
    else a.start.push({ entry: e, restart: true });
  };
  // Liveness/startup failures and changed specs kill a running container.
  const checkRunning = (e: SpecEntry, s: ContainerStatus) => {
    const bad = probes.unhealthy(s.id);
    if (bad) a.kill.push({ id: s.id, name: e.c.name, message: bad, fieldPath: e.fieldPath });
    else if (s.annotations[CONTAINER_HASH] && s.annotations[CONTAINER_HASH] !== containerHash(e.c)) {
      a.kill.push({ id: s.id, name: e.c.name, message: `Container ${e.c.name} definition changed, will be restarted`, fieldPath: e.fieldPath });
      a.start.push({ entry: e, restart: true });
    }
  };

  // Init containers, in order: regular ones to exit 0, sidecars to be running and started.
  for (const e of inits) {
    const s = latest(e);
    if (e.kind === 'sidecar') {
      if (running(s)) {
        checkRunning(e, s!);
        if (!probes.started(s!.id)) return a;
        continue;
      }
      if (!s || s.state === 'created') { a.start.push({ entry: e, restart: false }); return a; }
      restartOrBackoff(e, s);
      return a;
    }
    if (exited(s) && s!.exitCode === 0) continue;
    if (running(s)) { checkRunning(e, s!); return a; }
    if (!s || s.state === 'created') { a.start.push({ entry: e, restart: false }); return a; }
    if (policy === 'Never') { a.terminal = 'Failed'; return a; }
    restartOrBackoff(e, s);
    return a;
  }
  a.initialized = true;

  // Sidecars keep running once the pod is initialized.
  for (const e of inits) {
    if (e.kind !== 'sidecar') continue;
    const s = latest(e);
    if (running(s)) checkRunning(e, s!);
    else if (s && exited(s)) restartOrBackoff(e, s);
  }
  for (const e of apps) {
    const s = latest(e);
    if (!s || s.state === 'created') a.start.push({ entry: e, restart: false });
    else if (running(s)) checkRunning(e, s);
    else if (shouldRestart(policy, s)) restartOrBackoff(e, s);
  }
  if (policy !== 'Always') a.terminal = finalPhase(pod, view, sb.id);
  return a;
}

/** Succeeded/Failed once every app container exited for good (restartPolicy ≠ Always). */
function finalPhase(pod: Pod, view: PodView, sandboxId: string): 'Succeeded' | 'Failed' | undefined {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const runs = runsByName(view, sandboxId);
  let allZero = true;
  for (const c of pod.spec?.containers ?? []) {
    const s = runs.get(c.name)?.[0];
    if (!s || s.state !== 'exited' || shouldRestart(policy, s)) return undefined;
    if (s.exitCode !== 0) allZero = false;
  }
  return allZero ? 'Succeeded' : 'Failed';
}

/** Every regular init container exited 0 and every sidecar runs and has started (current sandbox). */
export function initializedIn(pod: Pod, view: PodView, started: (id: string) => boolean): boolean {
  const sb = currentSandbox(view);
  if (!sb) return !(pod.spec?.initContainers?.length);
  const runs = runsByName(view, sb.id);
  return specEntries(pod).inits.every(e => {
    const s = runs.get(e.c.name)?.[0];
    return e.kind === 'sidecar' ? running(s) && started(s!.id) : exited(s) && s!.exitCode === 0;
  });
}
