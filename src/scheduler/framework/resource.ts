/**
 * Resource arithmetic for scheduling: a pod's effective requests (containers, init
 * containers, native sidecars, overhead) and a node's allocatable, as plain numbers
 * (milli-CPU, bytes, counts) so filters compare without parsing.
 */
import { parseQuantity } from '../../api/validation/quantity.js';
import type { Container, Pod } from './types.js';

/** Requests assumed for a container that sets none, when scoring (upstream's non-zero defaults). */
export const DEFAULT_MILLI_CPU = 100;
export const DEFAULT_MEMORY = 200 * 1024 * 1024;

const NO_SCALARS: ReadonlyMap<string, number> = new Map();

export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  /** Made on the first extended resource: most pods and nodes have none, and a Map per Resource was most of a PodInfo's garbage. */
  #scalar?: Map<string, number>;

  /** Extended and hugepages resources by name. */
  get scalar(): ReadonlyMap<string, number> { return this.#scalar ?? NO_SCALARS; }

  setScalar(name: string, v: number): void { (this.#scalar ??= new Map()).set(name, v); }

  add(o: Resource): void {
    this.milliCPU += o.milliCPU; this.memory += o.memory;
    this.ephemeralStorage += o.ephemeralStorage; this.allowedPodNumber += o.allowedPodNumber;
    if (o.#scalar) for (const [k, v] of o.#scalar) this.setScalar(k, (this.scalar.get(k) ?? 0) + v);
  }

  sub(o: Resource): void {
    this.milliCPU -= o.milliCPU; this.memory -= o.memory;
    this.ephemeralStorage -= o.ephemeralStorage; this.allowedPodNumber -= o.allowedPodNumber;
    if (o.#scalar) for (const [k, v] of o.#scalar) this.setScalar(k, (this.scalar.get(k) ?? 0) - v);
  }

  /** Per resource, the larger of this and `o`. */
  max(o: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, o.milliCPU); this.memory = Math.max(this.memory, o.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, o.ephemeralStorage);
    if (o.#scalar) for (const [k, v] of o.#scalar) this.setScalar(k, Math.max(this.scalar.get(k) ?? 0, v));
  }

  get(name: string): number {
    switch (name) {
      case 'cpu': return this.milliCPU;
      case 'memory': return this.memory;
      case 'ephemeral-storage': return this.ephemeralStorage;
      case 'pods': return this.allowedPodNumber;
      default: return this.scalar.get(name) ?? 0;
    }
  }

  clone(): Resource {
    const r = new Resource();
    r.add(this);
    return r;
  }

  static fromList(list: Readonly<Record<string, unknown>> | undefined): Resource {
    const r = new Resource();
    for (const [name, q] of Object.entries(list ?? {})) {
      switch (name) {
        case 'cpu': r.milliCPU = milli(q); break;
        case 'memory': r.memory = whole(q); break;
        case 'ephemeral-storage': r.ephemeralStorage = whole(q); break;
        case 'pods': r.allowedPodNumber = whole(q); break;
        default: r.setScalar(name, whole(q));
      }
    }
    return r;
  }
}

// Quantities repeat a lot ("100m", "1Gi"): parse each string once.
const milliMemo = new Map<string, number>();
const wholeMemo = new Map<string, number>();

function memo(m: Map<string, number>, q: unknown, f: (s: string | number) => number): number {
  if (typeof q !== 'string' && typeof q !== 'number') return 0;
  const key = String(q);
  let v = m.get(key);
  if (v === undefined) {
    try { v = f(q); } catch { v = 0; }
    if (m.size > 10_000) m.clear();
    m.set(key, v);
  }
  return v;
}

export const milli = (q: unknown): number => memo(milliMemo, q, s => parseQuantity(s).milliValue());
export const whole = (q: unknown): number => memo(wholeMemo, q, s => parseQuantity(s).value());

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = Resource.fromList(c.resources?.requests as Record<string, unknown> | undefined);
  if (nonZero) {
    const req = c.resources?.requests ?? {};
    if (req.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU;
    if (req.memory === undefined) r.memory = DEFAULT_MEMORY;
  }
  return r;
}

/**
 * The pod's effective requests (upstream's resourcehelper.PodRequests): app containers
 * summed; native sidecars (init containers with restartPolicy Always) run beside them and
 * beside later init containers; the result is the max of that and the init phase's peak,
 * plus pod overhead. `nonZero` gives request-less containers the default CPU/memory, for scoring.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const reqs = new Resource();
  for (const c of pod.spec?.containers ?? []) reqs.add(containerRequests(c, nonZero));
  const sidecars = new Resource();
  const initPeak = new Resource();
  for (const c of pod.spec?.initContainers ?? []) {
    const cr = containerRequests(c, nonZero);
    let phase: Resource;
    if (c.restartPolicy === 'Always') {
      reqs.add(cr);
      sidecars.add(cr);
      phase = sidecars;
    } else {
      phase = sidecars.clone();
      phase.add(cr);
    }
    initPeak.max(phase);
  }
  reqs.max(initPeak);
  const overhead = pod.spec?.overhead as Record<string, unknown> | undefined;
  if (overhead) reqs.add(Resource.fromList(overhead));
  return reqs;
}
