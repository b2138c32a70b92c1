/**
 * The API status of a pod from what runs: container statuses (waiting/running/terminated,
 * lastState, restartCount, image, imageID, containerID `runc://…`, ready, started), phase,
 * conditions, IPs and startTime. Pure apart from the termination messages it is handed.
 */
import type { ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { normalizeReference, type ContainerStatus } from '../runtime/index.js';
import { currentSandbox, isTerminalPhase, runsByName, specEntries, type PodView, type SpecEntry } from './pod-view.js';
import { podConditions, podPhase, rfc3339 } from './phase.js';

export interface Waiting { reason: string; message?: string }

export interface StatusInput {
  pod: Pod;
  view: PodView;
  hostIP: string;
  /** Reasons a container is held back (CrashLoopBackOff, ErrImagePull, CreateContainerConfigError…). */
  waiting: ReadonlyMap<string, Waiting>;
  initialized: boolean;
  /** Set once the pod ended (from the sync, or sticky from the API). */
  terminal?: 'Succeeded' | 'Failed';
  ready(id: string): boolean;
  started(id: string): boolean;
  /** Termination message of an exited container. */
  message(s: ContainerStatus): string | undefined;
  startTime: string;
  /** The status this agent last reported for the pod. */
  previous?: PodStatus;
}

const imageName = (ref: string) => { try { return normalizeReference(ref); } catch { return ref; } };

function terminated(s: ContainerStatus, msg: string | undefined): ContainerState {
  return {
    terminated: {
      exitCode: s.exitCode ?? 0, reason: s.reason ?? (s.exitCode === 0 ? 'Completed' : 'Error'),
      ...(msg ? { message: msg } : s.message ? { message: s.message } : {}),
      startedAt: rfc3339(s.startedAt ?? s.createdAt), finishedAt: rfc3339(s.finishedAt ?? Date.now()), containerID: `runc://${s.id}`,
    },
  };
}

function containerStatus(i: StatusInput, e: SpecEntry, runs: ContainerStatus[] | undefined, defaultWaiting: string): ApiContainerStatus {
  const [latest, prev] = runs ?? [];
  const name = e.c.name;
  const override = i.waiting.get(name);
  const base = { name, image: imageName(latest?.image ?? e.c.image ?? ''), imageID: latest?.imageRef ?? '', restartCount: latest?.attempt ?? 0 };
  const waitingState = (w: Waiting): ContainerState => ({ waiting: { reason: w.reason, ...(w.message ? { message: w.message } : {}) } });
  if (!latest || latest.state === 'created') {
    return { ...base, state: waitingState(override ?? { reason: defaultWaiting }), lastState: prev?.state === 'exited' ? terminated(prev, i.message(prev)) : {}, ready: false, started: false, ...(latest ? { containerID: `runc://${latest.id}` } : {}) };
  }
  const id = `runc://${latest.id}`;
  if (latest.state === 'running') {
    const started = i.started(latest.id);
    return {
      ...base, containerID: id, state: { running: { startedAt: rfc3339(latest.startedAt ?? latest.createdAt) } },
      lastState: prev?.state === 'exited' ? terminated(prev, i.message(prev)) : {},
      ready: started && i.ready(latest.id) && !isTerminalPhase(i.terminal), started,
    };
  }
  const done = terminated(latest, i.message(latest));
  if (override && !i.terminal) return { ...base, containerID: id, state: waitingState(override), lastState: done, ready: false, started: false };
  const initDone = e.kind === 'init' && latest.exitCode === 0;
  return { ...base, containerID: id, state: done, lastState: prev?.state === 'exited' ? terminated(prev, i.message(prev)) : {}, ready: initDone, started: false };
}

export function buildPodStatus(i: StatusInput): PodStatus {
  const { pod, view } = i;
  const sb = currentSandbox(view);
  const sandboxReady = sb?.state === 'ready';
  const runs = runsByName(view);
  const { inits, apps } = specEntries(pod);
  const initWaiting = sandboxReady ? 'PodInitializing' : (inits.length ? 'PodInitializing' : 'ContainerCreating');
  const appWaiting = !i.initialized && inits.length ? 'PodInitializing' : 'ContainerCreating';
  const init = inits.map(e => containerStatus(i, e, runs.get(e.c.name), initWaiting));
  const app = apps.map(e => containerStatus(i, e, runs.get(e.c.name), appWaiting));
  let phase = i.terminal ?? podPhase(pod, init, app, i.initialized);
  // A terminal phase only once nothing runs (sidecars are stopped first), as upstream since 1.27.
  if (!i.terminal && isTerminalPhase(phase) && view.containers.some(c => c.state === 'running')) phase = pod.status?.phase && !isTerminalPhase(pod.status.phase) ? pod.status.phase : 'Running';
  const ips = sb?.hostNetwork ? [i.hostIP] : (sb?.ips ?? []);
  // A finished pod keeps the IPs it had (upstream keeps status.podIP after termination).
  const podIPs = ips.length ? ips : (pod.status?.podIPs ?? []).map(p => p.ip!).filter(Boolean);
  const status: PodStatus = {
    phase,
    conditions: podConditions({ pod, previous: i.previous?.conditions, phase, sandboxReady, initialized: i.initialized, init, apps: app }),
    hostIP: i.hostIP, hostIPs: [{ ip: i.hostIP }],
    ...(podIPs.length ? { podIP: podIPs[0], podIPs: podIPs.map(ip => ({ ip })) } : {}),
    startTime: i.startTime,
    ...(init.length ? { initContainerStatuses: init } : {}),
    containerStatuses: app,
    ...(pod.status?.qosClass ? { qosClass: pod.status.qosClass } : {}),
  };
  return status;
}
