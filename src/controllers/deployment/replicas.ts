/**
 * Replica arithmetic of a rollout (upstream's deployment_util.go): surge and unavailability
 * bounds, sums over ReplicaSets, orderings, and proportional scaling of several sets.
 */
import type { KubeObject } from '../../api/object.js';
import { int } from '../controller-utils.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, intAnnotation } from './annotations.js';

export type RS = KubeObject;

/** spec.replicas (the API defaults it to 1). */
export const specReplicas = (o: KubeObject | undefined): number => int(o?.spec?.replicas, 1);

export function isRollingUpdate(d: KubeObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** An int-or-percent of `total`; percentages round up (surge) or down (unavailable). */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(String(v));
  if (!m) {
    if (/^-?\d+$/.test(String(v))) return Number(v);
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  const x = Number(m[1]) * total;
  return roundUp ? Math.ceil(x / 100) : Math.floor(x / 100);
}

/** [maxSurge, maxUnavailable] as absolute numbers; both zero would deadlock, so unavailable becomes 1. */
export function resolveFenceposts(maxSurge: unknown, maxUnavailable: unknown, desired: number): [number, number] {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: KubeObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge ?? '25%', ru.maxUnavailable ?? '25%', specReplicas(d))[0];
}

export function maxUnavailable(d: KubeObject): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const mu = resolveFenceposts(ru.maxSurge ?? '25%', ru.maxUnavailable ?? '25%', replicas)[1];
  return Math.min(mu, replicas);
}

const sum = (sets: Array<RS | undefined>, f: (rs: RS) => number) => sets.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** Desired pods over the sets (spec.replicas). */
export const replicaCount = (sets: Array<RS | undefined>) => sum(sets, rs => specReplicas(rs));
/** Existing pods over the sets (status.replicas). */
export const actualReplicaCount = (sets: Array<RS | undefined>) => sum(sets, rs => int(rs.status?.replicas));
export const readyReplicaCount = (sets: Array<RS | undefined>) => sum(sets, rs => int(rs.status?.readyReplicas));
export const availableReplicaCount = (sets: Array<RS | undefined>) => sum(sets, rs => int(rs.status?.availableReplicas));

export const activeSets = (sets: Array<RS | undefined>): RS[] => sets.filter((rs): rs is RS => !!rs && specReplicas(rs) > 0);

const created = (rs: RS) => Date.parse(rs.metadata?.creationTimestamp ?? '') || 0;
/** Oldest first, then by name. */
export function byCreation(a: RS, b: RS): number {
  return created(a) - created(b) || (a.metadata!.name! < b.metadata!.name! ? -1 : a.metadata!.name! > b.metadata!.name! ? 1 : 0);
}
/** Largest first; ties newest first (scale-up order). */
export const bySizeNewer = (a: RS, b: RS) => specReplicas(b) - specReplicas(a) || byCreation(b, a);
/** Largest first; ties oldest first (scale-down order). */
export const bySizeOlder = (a: RS, b: RS) => specReplicas(b) - specReplicas(a) || byCreation(a, b);

/** Replicas the new set should have now under the deployment's strategy. */
export function newRSNewReplicas(d: KubeObject, all: RS[], newRS: RS): number {
  if (!isRollingUpdate(d)) return specReplicas(d);
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', specReplicas(d), true);
  const current = replicaCount(all);
  const maxTotal = specReplicas(d) + surge;
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, specReplicas(d) - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** The new set runs every desired pod, all available. */
export function isSaturated(d: KubeObject, rs: RS | undefined): boolean {
  if (!rs) return false;
  const desired = intAnnotation(rs, DESIRED_REPLICAS);
  const n = specReplicas(d);
  return desired === n && specReplicas(rs) === n && int(rs.status?.availableReplicas) === n;
}

/** The one active set, or the newest when none is active; undefined when several are active. */
export function findActiveOrLatest(newRS: RS | undefined, oldRSs: RS[]): RS | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeSets([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  return active.length === 1 ? active[0] : undefined;
}

/** This set's share of `toAdd` (positive or negative) in proportional scaling. */
export function proportion(rs: RS, d: KubeObject, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = setFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function setFraction(rs: RS, d: KubeObject): number {
  if (specReplicas(d) === 0) return -specReplicas(rs);
  const deploymentReplicas = specReplicas(d) + maxSurge(d);
  const annotated = intAnnotation(rs, MAX_REPLICAS) ?? int(d.status?.replicas);
  // Go's math.Round: halves away from zero.
  const size = (specReplicas(rs) * deploymentReplicas) / annotated;
  return Math.sign(size) * Math.round(Math.abs(size)) - specReplicas(rs);
}
