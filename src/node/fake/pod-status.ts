/** The status a fake node reports for a pod: Running and Ready, or finished after a fake exit. */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FAKE_RUNTIME } from './spec.js';

export interface FakePodState {
  uid: string;
  ip: string;
  startedAt: string;
  restarts: number;
  /** Set once the fake process "exited" for good. */
  exit?: { code: number; at: string };
}

export const rfc3339 = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export function fakePodStatus(pod: Pod, st: FakePodState, hostIP: string): Record<string, unknown> {
  const done = st.exit !== undefined;
  const ok = st.exit?.code === 0;
  const phase = !done ? 'Running' : ok ? 'Succeeded' : 'Failed';
  const ready = done ? 'False' : 'True';
  const cond = (type: string, status: string, reason?: string) => ({
    type, status, lastProbeTime: null, lastTransitionTime: st.startedAt, ...(reason ? { reason } : {}),
  });
  const id = (name: string) => `${FAKE_RUNTIME}/${st.uid}/${name}`;
  const base = (c: { name: string; image?: string }) => ({
    name: c.name, image: c.image ?? '', imageID: `${FAKE_RUNTIME}/${c.image ?? ''}`, containerID: id(c.name),
  });
  const terminated = (code: number, at: string) => ({
    terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: st.startedAt, finishedAt: at, containerID: '' },
  });
  const containerStatuses = (pod.spec?.containers ?? []).map(c => ({
    ...base(c), ready: !done, started: !done, restartCount: st.restarts,
    state: done ? terminated(st.exit!.code, st.exit!.at) : { running: { startedAt: st.startedAt } },
    lastState: {},
  }));
  const initContainerStatuses = (pod.spec?.initContainers ?? []).map(c => {
    const sidecar = c.restartPolicy === 'Always';
    return {
      ...base(c), ready: sidecar && !done, started: sidecar && !done, restartCount: 0,
      state: sidecar && !done ? { running: { startedAt: st.startedAt } } : terminated(0, st.startedAt),
      lastState: {},
    };
  });
  return {
    phase,
    conditions: [
      cond('PodReadyToStartContainers', done ? 'False' : 'True'),
      cond('Initialized', 'True'),
      cond('Ready', ready, done ? 'PodCompleted' : undefined),
      cond('ContainersReady', ready, done ? 'PodCompleted' : undefined),
      cond('PodScheduled', 'True'),
    ],
    hostIP, hostIPs: [{ ip: hostIP }],
    podIP: st.ip, podIPs: [{ ip: st.ip }],
    startTime: st.startedAt,
    containerStatuses,
    ...(initContainerStatuses.length ? { initContainerStatuses } : {}),
  };
}

type Cond = { type: string; status: string; reason?: string };

/**
 * The part of `want` the pod's status lacks, shaped for a strategic merge patch: changed
 * top-level fields, and only the conditions (merged by type) whose status or reason changed.
 */
export function statusDiff(cur: Pod['status'], want: Record<string, unknown>): Record<string, unknown> {
  const have = (cur ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(want)) {
    if (k === 'conditions') {
      const old = (have.conditions ?? []) as Cond[];
      const changed = (v as Cond[]).filter(c => {
        const o = old.find(x => x.type === c.type);
        return !o || o.status !== c.status || (o.reason ?? '') !== (c.reason ?? '');
      });
      if (changed.length) out.conditions = changed;
    } else if (JSON.stringify(have[k]) !== JSON.stringify(v)) out[k] = v;
  }
  return out;
}
