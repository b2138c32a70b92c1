/**
 * Writes pod statuses through the status subresource, only when they changed (the
 * kubelet's status manager). One write per pod in flight; a newer status replaces a
 * queued one. A write is a merge PATCH of what changed since the version it was made
 * over, with that version's uid and resourceVersion as preconditions (as upstream's
 * status manager patches, carrying the uid): the pod is neither re-sent nor re-read.
 * Conflicts re-read the pod; a pod gone or with another uid is dropped.
 * It remembers which resourceVersions its writes made, so the watch's echo of a write
 * is known without comparing objects.
 */
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { ConflictError, NotFoundError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { Client, Logger } from '../../client/index.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };

interface Entry {
  ns: string; name: string; uid: string; status: PodStatus; written?: string; writing: boolean; dirty: boolean; latest?: Pod;
  /** resourceVersion a write made → the one it was written over (the status subresource changes nothing else). */
  made: Map<string, string>;
}

export class PodStatusWriter {
  readonly #client: Client;
  readonly #log: Logger;
  readonly #cached: (ns: string, name: string) => Pod | undefined;
  readonly #entries = new Map<string, Entry>();
  #idle: Array<() => void> = [];

  constructor(o: { client: Client; logger: Logger; cached: (ns: string, name: string) => Pod | undefined }) {
    this.#client = o.client;
    this.#log = o.logger;
    this.#cached = o.cached;
  }

  /** The status last written (or queued) for a pod. */
  get(uid: string): PodStatus | undefined { return this.#entries.get(uid)?.status; }

  set(pod: Pod, status: PodStatus): void {
    const m = pod.metadata!;
    const json = JSON.stringify(status);
    let e = this.#entries.get(m.uid!);
    if (!e) {
      e = { ns: m.namespace!, name: m.name!, uid: m.uid!, status, writing: false, dirty: false, made: new Map() };
      this.#entries.set(m.uid!, e);
      if (JSON.stringify(pod.status ?? {}) === json) e.written = json; // already what the API has
    }
    e.status = status;
    if (e.written === json) return;
    e.dirty = true;
    if (!e.writing) void this.#drain(e);
  }

  /**
   * True when `pod` is the watch echoing one of this writer's status writes made over
   * `previous` (the version the caller held): then only the status differs from `previous`.
   */
  isEcho(pod: Pod, previous: Pod | undefined): boolean {
    const e = this.#entries.get(pod.metadata!.uid!);
    const rv = pod.metadata?.resourceVersion;
    if (!e || !rv || !e.made.size) return false;
    const over = e.made.get(rv);
    for (const k of e.made.keys()) if (Number(k) <= Number(rv)) e.made.delete(k); // seen: older ones will not come
    return over !== undefined && over === previous?.metadata?.resourceVersion;
  }

  forget(uid: string): void { this.#entries.delete(uid); }

  /** Resolves when no write is pending (tests, shutdown). */
  idle(): Promise<void> {
    if (![...this.#entries.values()].some(e => e.writing)) return Promise.resolve();
    return new Promise(r => this.#idle.push(r));
  }

  async #drain(e: Entry): Promise<void> {
    e.writing = true;
    while (e.dirty && this.#entries.get(e.uid) === e) {
      e.dirty = false;
      const json = JSON.stringify(e.status);
      if (json === e.written) continue;
      try {
        await this.#write(e, e.status);
        e.written = json;
      } catch (err) {
        if (err instanceof NotFoundError) { this.#entries.delete(e.uid); break; }
        this.#log.warn('pod status update failed', { pod: `${e.ns}/${e.name}`, error: (err as Error).message });
        await new Promise(r => setTimeout(r, 500));
        e.dirty = true;
      }
    }
    e.writing = false;
    if (![...this.#entries.values()].some(x => x.writing)) for (const r of this.#idle.splice(0)) r();
  }

  async #write(e: Entry, status: PodStatus): Promise<void> {
    let fresh: Pod | undefined;
    for (let attempt = 0; ; attempt++) {
      // After a conflict, what the API just said (the cache may still hold a pod replaced under the same name).
      const base = fresh ?? newest(this.#cached(e.ns, e.name), e.latest) ?? (await this.#client.get(PODS, e.name, { namespace: e.ns }) as Pod);
      if (base.metadata?.uid !== e.uid) throw new NotFoundError(`pod ${e.ns}/${e.name} with uid ${e.uid} is gone`);
      try {
        const merged = withOthersConditions(status, base.status);
        const patch = { metadata: { uid: e.uid, resourceVersion: base.metadata.resourceVersion }, status: mergeDiff(base.status ?? {}, merged) };
        const latest = e.latest = await this.#client.patch<Pod & KubeObject>(PODS, e.name, patch, { namespace: e.ns, subresource: 'status', type: 'merge' });
        const rv = latest.metadata?.resourceVersion;
        if (rv && base.metadata?.resourceVersion) e.made.set(rv, base.metadata.resourceVersion);
        return;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 5) throw err;
        fresh = e.latest = await this.#client.get(PODS, e.name, { namespace: e.ns }) as Pod;
      }
    }
  }
}

/**
 * Conditions this agent does not own (readiness gates, DisruptionTarget, ...) are the ones
 * the version written over has, not the ones the status was computed from: a merge patch
 * replaces the list whole, and another writer may have set one since (upstream's
 * mergePodStatus keeps the API's non-kubelet conditions the same way).
 */
const AGENT_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
export function withOthersConditions(status: PodStatus, api: PodStatus | undefined): PodStatus {
  const others = (api?.conditions ?? []).filter(c => !AGENT_CONDITIONS.has(c.type));
  const mine = (status.conditions ?? []).filter(c => AGENT_CONDITIONS.has(c.type));
  if (!status.conditions && !others.length) return status;
  const conditions = [...mine, ...others];
  if (JSON.stringify(conditions) === JSON.stringify(status.conditions)) return status;
  return { ...status, conditions };
}

function newest(a: Pod | undefined, b: Pod | undefined): Pod | undefined {
  if (!a || !b) return a ?? b;
  if (a.metadata?.uid !== b.metadata?.uid) return a;
  return Number(a.metadata?.resourceVersion) >= Number(b.metadata?.resourceVersion) ? a : b;
}

type JsonObject = { [k: string]: unknown };
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON merge patch (RFC 7386) turning `from` into `to`: changed keys, `null` for removed ones, lists whole. */
export function mergeDiff(from: object, to: object): JsonObject {
  const a = from as JsonObject, b = to as JsonObject;
  const out: JsonObject = {};
  for (const k of Object.keys(a)) if (a[k] !== undefined && b[k] === undefined) out[k] = null;
  for (const k of Object.keys(b)) {
    const x = a[k], y = b[k];
    if (y === undefined) continue;
    if (isObject(x) && isObject(y)) {
      const d = mergeDiff(x, y);
      if (Object.keys(d).length) out[k] = d;
    } else if (x === undefined || JSON.stringify(x) !== JSON.stringify(y)) {
      out[k] = y;
    }
  }
  return out;
}
