/**
 * The end of a pod on this node: graceful stop, then sandboxes (and their containers),
 * volumes and logs removed, then the API object deleted with grace 0 and a uid
 * precondition (so a new pod of the same name is never hit).
 */
import { rm } from 'node:fs/promises';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ConflictError, NotFoundError } from '../../api/errors.js';
import { POD_UID } from '../labels.js';
import { podDesc, podLogDir, type PodContext } from './context.js';
import { killPod } from './kill.js';
import type { PodView } from './pod-view.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };

/** `pod` is the API object being deleted, or undefined when it is gone already (forced). */
export async function removePod(cx: PodContext, last: Pod, pod: Pod | undefined, view: PodView, graceSeconds: number): Promise<void> {
  const uid = last.metadata!.uid!;
  const t0 = performance.now();
  await killPod(cx, pod, view, graceSeconds);
  const killMs = Math.round(performance.now() - t0);
  cx.probes.removePod(uid);
  await Promise.all(view.sandboxes.map(s => cx.runtime.removeSandbox(s.id)));
  const m = last.metadata!;
  await cx.volumes.teardown(uid);
  await rm(podLogDir(cx.logsDir, { namespace: m.namespace!, name: m.name!, uid }), { recursive: true, force: true });
  cx.images.forgetPod(uid);
  const teardownMs = Math.round(performance.now() - t0) - killMs;
  if (pod) {
    try {
      await cx.client.delete(PODS, m.name!, { namespace: m.namespace, gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e) {
      if (!(e instanceof NotFoundError) && !(e instanceof ConflictError)) throw e;
    }
  }
  cx.logger.info('pod removed', { pod: podDesc(last), killMs, teardownMs, totalMs: Math.round(performance.now() - t0) });
}

/** SIGKILL for whatever of the pod still runs (a shorter grace period or a forced delete arrived). */
export function killNow(cx: PodContext, uid: string): void {
  void cx.runtime.listContainers({ labels: { [POD_UID]: uid }, state: 'running' })
    .then(cs => Promise.all(cs.map(c => cx.runtime.stopContainer(c.id, 0))))
    .catch(() => {});
}
