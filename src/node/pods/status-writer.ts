/**
 * Writes pod statuses through the status subresource, only when they changed (the
 * kubelet's status manager). One write per pod in flight; a newer status replaces a
 * queued one. Conflicts re-read the pod; a pod gone or with another uid is dropped.
 */
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { ConflictError, NotFoundError } from '../../api/errors.js';
import type { Client, Logger } from '../../client/index.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };

interface Entry { ns: string; name: string; uid: string; status: PodStatus; written?: string; writing: boolean; dirty: boolean; latest?: Pod }

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
      e = { ns: m.namespace!, name: m.name!, uid: m.uid!, status, writing: false, dirty: false };
      this.#entries.set(m.uid!, e);
      if (JSON.stringify(pod.status ?? {}) === json) e.written = json; // already what the API has
    }
    e.status = status;
    if (e.written === json) return;
    e.dirty = true;
    if (!e.writing) void this.#drain(e);
  }

  /** True when `pod` carries exactly the status this writer last wrote for it (the watch echoing our own write). */
  isEcho(pod: Pod): boolean {
    const e = this.#entries.get(pod.metadata!.uid!);
    return e?.written !== undefined && JSON.stringify(pod.status ?? {}) === e.written;
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
    for (let attempt = 0; ; attempt++) {
      const cached = this.#cached(e.ns, e.name);
      const base = newest(cached, e.latest) ?? (await this.#client.get(PODS, e.name, { namespace: e.ns }) as Pod);
      if (base.metadata?.uid !== e.uid) throw new NotFoundError(`pod ${e.ns}/${e.name} with uid ${e.uid} is gone`);
      try {
        e.latest = await this.#client.updateStatus(PODS, { ...base, status } as never, { namespace: e.ns }) as Pod;
        return;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 5) throw err;
        e.latest = await this.#client.get(PODS, e.name, { namespace: e.ns }) as Pod;
      }
    }
  }
}

function newest(a: Pod | undefined, b: Pod | undefined): Pod | undefined {
  if (!a || !b) return a ?? b;
  if (a.metadata?.uid !== b.metadata?.uid) return a;
  return Number(a.metadata?.resourceVersion) >= Number(b.metadata?.resourceVersion) ? a : b;
}
