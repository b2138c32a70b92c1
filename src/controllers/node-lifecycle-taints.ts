/**
 * The taints the node lifecycle controller owns, derived from node conditions
 * (doNoScheduleTaintingPass / doNoExecuteTaintingPass), and per-zone limits on how fast
 * nodes get NoExecute taints (upstream's zone states and rate-limited tainters).
 */
import type { Taint } from 'kubernetes-types/core/v1.js';
import type { Obj } from './workload-utils-b.js';

export const NOT_READY = 'node.kubernetes.io/not-ready';
export const UNREACHABLE = 'node.kubernetes.io/unreachable';

const CONDITION_TAINTS: Array<[type: string, status: string, key: string]> = [
  ['Ready', 'False', NOT_READY],
  ['Ready', 'Unknown', UNREACHABLE],
  ['MemoryPressure', 'True', 'node.kubernetes.io/memory-pressure'],
  ['DiskPressure', 'True', 'node.kubernetes.io/disk-pressure'],
  ['NetworkUnavailable', 'True', 'node.kubernetes.io/network-unavailable'],
  ['PIDPressure', 'True', 'node.kubernetes.io/pid-pressure'],
];
const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const NO_SCHEDULE_KEYS = new Set([...CONDITION_TAINTS.map(c => c[2]), UNSCHEDULABLE]);

export function conditionStatus(node: Obj, type: string): string | undefined {
  return ((node.status?.conditions ?? []) as Array<{ type: string; status: string }>).find(c => c.type === type)?.status;
}

/** The NoSchedule taints the node's conditions and spec.unschedulable call for. */
export function wantedNoSchedule(node: Obj): Set<string> {
  const want = new Set<string>();
  for (const [type, status, key] of CONDITION_TAINTS) if (conditionStatus(node, type) === status) want.add(key);
  if (node.spec?.unschedulable) want.add(UNSCHEDULABLE);
  return want;
}

/** The NoExecute taint the Ready condition calls for (none when Ready). */
export function wantedNoExecute(ready: string | undefined): string | undefined {
  return ready === 'False' ? NOT_READY : ready === 'Unknown' ? UNREACHABLE : undefined;
}

/**
 * The node's taints with our NoSchedule set replaced by `noSchedule` and our NoExecute
 * taint set to `noExecute` (or removed). Taints other components own are kept.
 */
export function withTaints(node: Obj, noSchedule: Set<string>, noExecute: string | undefined, now: string): Taint[] {
  const cur = (node.spec?.taints ?? []) as Taint[];
  const out = cur.filter(t => !(t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key) && !noSchedule.has(t.key)) &&
    !(t.effect === 'NoExecute' && (t.key === NOT_READY || t.key === UNREACHABLE) && t.key !== noExecute));
  for (const key of noSchedule) if (!out.some(t => t.key === key && t.effect === 'NoSchedule')) out.push({ key, effect: 'NoSchedule' });
  if (noExecute && !out.some(t => t.key === noExecute && t.effect === 'NoExecute')) out.push({ key: noExecute, effect: 'NoExecute', timeAdded: now });
  return out;
}

export const sameTaints = (a: Taint[], b: Taint[]): boolean =>
  JSON.stringify(a.map(t => [t.key, t.value ?? '', t.effect])) === JSON.stringify(b.map(t => [t.key, t.value ?? '', t.effect]));

export const zoneOf = (node: Obj): string =>
  `${node.metadata?.labels?.['topology.kubernetes.io/region'] ?? ''}/${node.metadata?.labels?.['topology.kubernetes.io/zone'] ?? ''}`;

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** ComputeZoneState: no node ready → full; more than two and ≥ threshold not ready → partial. */
export function zoneState(ready: number, total: number, unhealthyThreshold: number): ZoneState {
  const notReady = total - ready;
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / total >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

/** A token bucket (burst 1) per zone: how long until the next NoExecute taint may be added. */
export class ZoneLimiter {
  readonly #next = new Map<string, number>();

  /** 0 and a token taken if allowed now; otherwise ms to wait (Infinity when the rate is 0). */
  tryAccept(zone: string, ratePerSecond: number, now: number): number {
    if (ratePerSecond <= 0) return Infinity;
    const at = this.#next.get(zone) ?? 0;
    if (at > now) return at - now;
    this.#next.set(zone, now + 1000 / ratePerSecond);
    return 0;
  }
}
