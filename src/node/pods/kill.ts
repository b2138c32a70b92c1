/**
 * Stopping containers as the kubelet does: the preStop hook first, then the stop signal,
 * then SIGKILL when the grace period (which the hook's time counts against) runs out.
 * A pod is stopped app containers first, then sidecars, then the sandbox and its network.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from '../runtime/index.js';
import { runHandler } from '../probes/prober.js';
import { podRef, type PodContext } from './context.js';
import { nameOf, specEntries, type PodView } from './pod-view.js';
import { CONTAINER_KIND } from '../labels.js';

/** Minimum grace left for the stop signal after a preStop hook (upstream's 2 s). */
const MIN_GRACE_AFTER_HOOK_S = 2;

export async function killContainer(cx: PodContext, pod: Pod | undefined, s: ContainerStatus, graceSeconds: number, message?: string): Promise<void> {
  const name = nameOf(s);
  const entry = pod ? specEntries(pod).all.find(e => e.c.name === name) : undefined;
  if (pod) cx.recorder.event(podRef(pod), 'Normal', 'Killing', message ?? `Stopping container ${name}`, { fieldPath: entry?.fieldPath });
  cx.probes.remove(s.id);
  let grace = Math.max(0, graceSeconds);
  const hook = entry?.c.lifecycle?.preStop;
  if (hook && grace > 0 && s.state === 'running') {
    const t0 = Date.now();
    const sb = await cx.runtime.sandboxStatus(s.sandboxId).catch(() => undefined);
    const r = await runHandler({ runtime: cx.runtime, containerId: s.id, container: entry!.c, podIP: sb?.ips[0] ?? cx.hostIP() }, hook, grace * 1000);
    if (!r.ok && pod) cx.recorder.event(podRef(pod), 'Warning', 'FailedPreStopHook', 'PreStopHook failed', { fieldPath: entry!.fieldPath });
    grace = Math.max(MIN_GRACE_AFTER_HOOK_S, grace - Math.ceil((Date.now() - t0) / 1000));
  }
  await cx.runtime.stopContainer(s.id, grace);
}

/** Stops every running container of the pod (apps, then sidecars and init), then the sandboxes. */
export async function killPod(cx: PodContext, pod: Pod | undefined, view: PodView, graceSeconds: number): Promise<void> {
  const live = view.containers.filter(c => c.state === 'running' || c.state === 'created');
  const apps = live.filter(c => c.annotations[CONTAINER_KIND] === 'app');
  const rest = live.filter(c => c.annotations[CONTAINER_KIND] !== 'app');
  const t0 = Date.now();
  await Promise.all(apps.map(c => killContainer(cx, pod, c, graceSeconds)));
  const left = Math.max(0, graceSeconds - Math.floor((Date.now() - t0) / 1000));
  await Promise.all(rest.map(c => killContainer(cx, pod, c, left)));
  await Promise.all(view.sandboxes.filter(s => s.state === 'ready').map(s => cx.runtime.stopSandbox(s.id)));
}
