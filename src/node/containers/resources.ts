/**
 * Resources → cgroup values, as the kubelet's kuberuntime does: limits.memory → memory
 * limit, limits.cpu → CFS quota over a 100 ms period, requests.cpu → shares, and the
 * QoS class → oom_score_adj.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { tryParseQuantity } from '../../api/validation/quantity.js';
import type { ContainerResources } from '../runtime/index.js';

const PERIOD = 100_000;
const MIN_QUOTA = 1000;
const MIN_SHARES = 2;

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const q = (m: Readonly<Record<string, unknown>> | undefined, k: string) => tryParseQuantity(m?.[k]);

export function milliCpu(v: unknown): number | undefined { const x = tryParseQuantity(v); return x ? x.milliValue() : undefined; }
export function bytes(v: unknown): number | undefined { const x = tryParseQuantity(v); return x ? x.value() : undefined; }

/** upstream qos.GetPodQOS: Guaranteed when every container limits = requests for cpu and memory. */
export function qosClass(pod: Pod): QosClass {
  if (pod.status?.qosClass) return pod.status.qosClass as QosClass;
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    for (const r of ['cpu', 'memory']) {
      const req = q(c.resources?.requests, r) ?? q(c.resources?.limits, r);
      const lim = q(c.resources?.limits, r);
      if (req && !req.isZero()) any = true;
      if (!lim || !req || lim.cmp(req) !== 0) guaranteed = false;
    }
  }
  return !any ? 'BestEffort' : guaranteed ? 'Guaranteed' : 'Burstable';
}

export function containerResources(pod: Pod, c: Container, nodeMemoryBytes: number): ContainerResources {
  const r: ContainerResources = {};
  const memLimit = bytes(c.resources?.limits?.memory);
  if (memLimit) r.memoryLimitBytes = memLimit;
  const cpuLimit = milliCpu(c.resources?.limits?.cpu);
  if (cpuLimit) {
    r.cpuQuota = Math.max(MIN_QUOTA, Math.floor((cpuLimit * PERIOD) / 1000));
    r.cpuPeriod = PERIOD;
  }
  const cpuReq = milliCpu(c.resources?.requests?.cpu) ?? cpuLimit;
  r.cpuShares = cpuReq ? Math.max(MIN_SHARES, Math.floor((cpuReq * 1024) / 1000)) : MIN_SHARES;
  const qos = qosClass(pod);
  if (qos === 'Guaranteed') r.oomScoreAdj = -997;
  else if (qos === 'BestEffort') r.oomScoreAdj = 1000;
  else {
    const memReq = bytes(c.resources?.requests?.memory) ?? 0;
    const adj = 1000 - Math.floor((1000 * memReq) / Math.max(1, nodeMemoryBytes));
    r.oomScoreAdj = Math.min(999, Math.max(2, adj));
  }
  return r;
}
