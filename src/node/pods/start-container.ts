/**
 * Starting one container of a pod, step by step as the kubelet's startContainer:
 * image (pull policy) → env and config → create → start → postStart hook. Each step's
 * failure becomes the container's waiting reason and a Warning event; nothing throws.
 */
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { containerConfig } from '../containers/container-config.js';
import type { PodRuntimeFacts } from '../containers/downward.js';
import { containerEnv } from '../containers/env.js';
import type { ImageResult } from '../containers/images.js';
import { ContainerConfigError } from '../containers/objects.js';
import { runHandler } from '../probes/prober.js';
import { containerLogPath, podDesc, podRef, type PodContext } from './context.js';
import type { Waiting } from './pod-status.js';
import type { SpecEntry } from './pod-view.js';

export interface StartInput {
  pod: Pod;
  entry: SpecEntry;
  sandboxId: string;
  attempt: number;
  facts: PodRuntimeFacts;
  volumes: Map<string, string>;
  /** The image step, when it already ran (concurrently with the sandbox). */
  image?: Promise<ImageResult>;
}

/** A pull shows the pod's (deferred) ContainerCreating status at once: it may take minutes. */
export function ensureImage(cx: PodContext, pod: Pod, entry: SpecEntry): Promise<ImageResult> {
  const uid = pod.metadata!.uid!;
  return cx.images.ensure(uid, podRef(pod), entry.c, entry.fieldPath, () => cx.statuses.flush(uid));
}

export type StartResult = { ok: true; id: string } | { ok: false; waiting: Waiting; id?: string; retryMs?: number };

export async function startPodContainer(cx: PodContext, i: StartInput): Promise<StartResult> {
  const { pod, entry } = i;
  const c = entry.c;
  const ref = podRef(pod);
  const ev = (type: 'Normal' | 'Warning', reason: string, msg: string) => cx.recorder.event(ref, type, reason, msg, { fieldPath: entry.fieldPath });
  const m = pod.metadata!;

  const img = await (i.image ?? ensureImage(cx, pod, entry));
  if (!img.ok) return { ok: false, waiting: { reason: img.reason, message: img.message }, retryMs: img.retryMs };

  let id: string;
  try {
    const env = await containerEnv(pod, c, cx.objects, i.facts);
    const config = await containerConfig({
      pod, container: c, kind: entry.kind, attempt: i.attempt, env, volumes: i.volumes,
      containerDir: join(cx.volumes.podDir(m.uid!), 'containers', c.name),
      logPath: containerLogPath(cx.logsDir, { namespace: m.namespace!, name: m.name!, uid: m.uid! }, c.name, i.attempt),
      nodeMemoryBytes: cx.nodeMemoryBytes(),
    });
    id = await cx.runtime.createContainer(i.sandboxId, config);
  } catch (e) {
    const reason = e instanceof ContainerConfigError ? e.reason : 'CreateContainerError';
    ev('Warning', 'Failed', `Error: ${(e as Error).message}`);
    return { ok: false, waiting: { reason, message: (e as Error).message } };
  }
  ev('Normal', 'Created', `Created container: ${c.name}`);
  try {
    await cx.runtime.startContainer(id);
  } catch (e) {
    // The runtime records the attempt as exited (StartError, 128): restart policy applies.
    ev('Warning', 'Failed', `Error: ${(e as Error).message}`);
    return { ok: false, waiting: { reason: 'RunContainerError', message: (e as Error).message }, id };
  }
  ev('Normal', 'Started', `Started container ${c.name}`);

  const hook = c.lifecycle?.postStart;
  if (hook) {
    cx.statuses.flush(m.uid!); // a hook may run for up to 30 s: the pod shows ContainerCreating meanwhile
    const st = await cx.runtime.sandboxStatus(i.sandboxId).catch(() => undefined);
    const r = await runHandler({ runtime: cx.runtime, containerId: id, container: c, podIP: st?.ips[0] ?? cx.hostIP() }, hook, 30_000);
    if (!r.ok) {
      // Like upstream, the hook's output stays out of the event (it may hold secrets); the log has it.
      cx.logger.warn('postStart hook failed', { pod: podDesc(pod), container: c.name, output: r.output });
      ev('Warning', 'FailedPostStartHook', 'PostStartHook failed');
      ev('Normal', 'Killing', 'FailedPostStartHook');
      await cx.runtime.stopContainer(id, Number(pod.spec?.terminationGracePeriodSeconds ?? 30));
      return { ok: false, waiting: { reason: 'PostStartHookError', message: r.output }, id };
    }
  }
  return { ok: true, id };
}
