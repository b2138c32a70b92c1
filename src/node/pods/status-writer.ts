/**
 * Writes pod statuses through the status subresource, only when they changed (the
 * kubelet's status manager). One write per pod in flight; a newer status replaces a
 * queued one. A write is a merge PATCH of what changed since the version it was made
 * over, with that version's uid and resourceVersion as preconditions (as upstream's
 * status manager patches, carrying the uid): the pod is neither re-sent nor re-read.
 * A write starts one macrotask after its status was set: statuses set in the same turn
 * go out once, and requests the caller starts in that turn (a pod's service-account token,
 * which its sandbox waits for) go out before the status, which nothing waits for.
 * Conflicts re-read the pod; a pod gone or with another uid is dropped. Other failures
 * (a 422, the server away) are retried with a back-off doubling up to the agent's sync
 * period (upstream's status manager retries on its 10 s sync loop), reset by a success;
 * a newer status is still tried at once.
 * It remembers which resourceVersions its writes made, so the watch's echo of a write
 * is known without comparing objects.
 * A status can be set with a deferral (a pod's first status while its start is under way):
 * it is written when the deferral ends, or replaced by the next status set without one,
 * which is then the only write (upstream's status manager coalesces like this only when it
 * is behind, as in a burst of pods; otherwise it writes each status at once).
 */
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { ConflictError, NotFoundError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { Client, Logger } from '../../client/index.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };

interface Entry {
  ns: string; name: string; uid: string; status: PodStatus; written?: string; writing: boolean; dirty: boolean; latest?: Pod;
  /** Failed writes since the last success, the retry waiting for its back-off, and the error last logged. */
  failures: number; retry?: unknown; failed?: string;
  /** The timer ending a deferral (set({ deferMs })): the status waits for it or for a newer one. */
  deferred?: unknown;
  /** resourceVersion a write made → the one it was written over (the status subresource changes nothing else). */
  made: Map<string, string>;
}

export class PodStatusWriter {
  readonly #client: Client;
  readonly #log: Logger;
  readonly #cached: (ns: string, name: string) => Pod | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #timers: Timers;
  #idle: Array<() => void> = [];

  constructor(o: {
    client: Client; logger: Logger; cached: (ns: string, name: string) => Pod | undefined;
    /** First retry delay after a failed write, and the cap it doubles to (the agent's sync period). */
    retryBaseMs?: number; retryMaxMs?: number;
    /** Timer functions (tests drive retries without waiting). */
    timers?: Timers;
  }) {
    this.#client = o.client;
    this.#log = o.logger;
    this.#cached = o.cached;
    this.#retryBaseMs = o.retryBaseMs ?? 500;
    this.#retryMaxMs = Math.max(this.#retryBaseMs, o.retryMaxMs ?? 10_000);
    this.#timers = o.timers ?? { set: (fn, ms) => setTimeout(fn, ms).unref(), clear: t => clearTimeout(t as NodeJS.Timeout) };
  }

  /** The status last written (or queued) for a pod. */
  get(uid: string): PodStatus | undefined { return this.#entries.get(uid)?.status; }

  /** The delay of the retry waiting after failed writes of a pod's status (undefined: none waits). */
  retryDelay(uid: string): number | undefined {
    const e = this.#entries.get(uid);
    return e?.retry === undefined ? undefined : this.#backoff(e.failures);
  }

  /**
   * Sets the pod's status; it is written unless the API already has it. `deferMs`: written
   * after that long, unless a status set sooner without a deferral replaces it (one write).
   */
  set(pod: Pod, status: PodStatus, o: { deferMs?: number } = {}): void {
    const m = pod.metadata!;
    status = withOthersFields(status, pod.status); // as the caller's version has them: no write for them alone
    const json = JSON.stringify(status);
    let e = this.#entries.get(m.uid!);
    if (!e) {
      e = { ns: m.namespace!, name: m.name!, uid: m.uid!, status, writing: false, dirty: false, failures: 0, made: new Map() };
      this.#entries.set(m.uid!, e);
      if (JSON.stringify(pod.status ?? {}) === json) e.written = json; // already what the API has
    }
    e.status = status;
    if (e.written === json) return;
    e.dirty = true;
    if (e.writing) return; // the drain in progress writes it next
    if (o.deferMs !== undefined) {
      e.deferred ??= this.#timers.set(() => { e.deferred = undefined; this.flush(e.uid); }, o.deferMs);
      return;
    }
    this.#undefer(e);
    this.#schedule(e);
  }

  /** Writes a deferred status now (the pod's start found something slow to wait for, e.g. an image pull). */
  flush(uid: string): void {
    const e = this.#entries.get(uid);
    if (!e) return;
    this.#undefer(e);
    if (e.dirty && !e.writing) this.#schedule(e);
  }

  #undefer(e: Entry): void {
    if (e.deferred === undefined) return;
    this.#timers.clear(e.deferred);
    e.deferred = undefined;
  }

  /** The drain starts in the next macrotask; `writing` from now on, so the pod is not scheduled twice. */
  #schedule(e: Entry): void {
    e.writing = true;
    setImmediate(() => void this.#drain(e));
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

  forget(uid: string): void { this.#drop(uid); }

  #drop(uid: string): void {
    const e = this.#entries.get(uid);
    if (e?.retry !== undefined) this.#timers.clear(e.retry);
    if (e) this.#undefer(e);
    this.#entries.delete(uid);
  }

  #backoff(failures: number): number {
    return Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  }

  /** Resolves when no write is pending (tests, shutdown); deferred statuses are written now. */
  idle(): Promise<void> {
    for (const e of this.#entries.values()) if (e.deferred !== undefined) this.flush(e.uid);
    if (![...this.#entries.values()].some(e => e.writing)) return Promise.resolve();
    return new Promise(r => this.#idle.push(r));
  }

  async #drain(e: Entry): Promise<void> {
    e.writing = true;
    while (e.dirty && this.#entries.get(e.uid) === e) {
      e.dirty = false;
      const json = JSON.stringify(e.status);
      if (json === e.written) continue;
      if (e.retry !== undefined) { this.#timers.clear(e.retry); e.retry = undefined; } // this attempt is the retry
      try {
        await this.#write(e, e.status);
        e.written = json;
        e.failures = 0;
        e.failed = undefined;
      } catch (err) {
        if (err instanceof NotFoundError) { this.#drop(e.uid); break; } // the pod is gone: nothing to retry
        const message = (err as Error).message;
        e.failures++;
        // Once per run of failures (and when the error changes), not once per retry.
        if (message !== e.failed) this.#log.warn('pod status update failed', { pod: `${e.ns}/${e.name}`, error: message, retryInMs: this.#backoff(e.failures) });
        e.failed = message;
        if (this.#entries.get(e.uid) === e && !e.dirty) {
          e.retry = this.#timers.set(() => {
            e.retry = undefined;
            e.dirty = true;
            if (!e.writing) this.#schedule(e);
          }, this.#backoff(e.failures));
        }
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
        const merged = withOthersFields(status, base.status);
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

/**
 * Fields of a pod's status the kubelet builds (upstream's generateAPIPodStatus). Any other
 * field (nominatedNodeName from the scheduler, resourceClaimStatuses and
 * extendedResourceClaimStatus from the resource-claim controller, resize, fields newer than
 * this agent) is another writer's: it keeps the value the version written over has, as
 * upstream's mergePodStatus keeps resourceClaimStatuses, instead of going out as `null`.
 */
const AGENT_FIELDS = new Set([
  'phase', 'conditions', 'message', 'reason', 'hostIP', 'hostIPs', 'podIP', 'podIPs', 'startTime',
  'initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses', 'qosClass',
  'resources', 'allocatedResources', 'observedGeneration',
]);

/** `status` with the conditions and fields this agent does not own as `api` has them. */
export function withOthersFields(status: PodStatus, api: PodStatus | undefined): PodStatus {
  const out = withOthersConditions(status, api);
  const mine = status as Record<string, unknown>, theirs = (api ?? {}) as Record<string, unknown>;
  const foreign = (k: string) => !AGENT_FIELDS.has(k) && JSON.stringify(mine[k]) !== JSON.stringify(theirs[k]);
  if (!Object.keys(mine).some(foreign) && !Object.keys(theirs).some(foreign)) return out;
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(out)) if (AGENT_FIELDS.has(k)) copy[k] = v;
  for (const [k, v] of Object.entries(theirs)) if (!AGENT_FIELDS.has(k) && v !== undefined) copy[k] = v;
  return copy as PodStatus;
}

function newest(a: Pod | undefined, b: Pod | undefined): Pod | undefined {
  if (!a || !b) return a ?? b;
  if (a.metadata?.uid !== b.metadata?.uid) return a;
  return Number(a.metadata?.resourceVersion) >= Number(b.metadata?.resourceVersion) ? a : b;
}

/** Timers as the writer uses them (setTimeout/clearTimeout by default). */
export interface Timers { set(fn: () => void, ms: number): unknown; clear(t: unknown): void }

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
