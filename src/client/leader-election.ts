/**
 * Leader election over a coordination.k8s.io/v1 Lease (client-go's leaderelection):
 * candidates race to write their identity into the Lease with optimistic concurrency
 * on its resourceVersion; the holder renews every retry period; others take over only
 * when the record has not changed for a whole lease duration *by their own clock*.
 *
 * Safety: a leader that cannot renew within renewDeadline (< leaseDuration) stops
 * leading (its term's signal aborts, onStoppedLeading runs) before anyone else may
 * acquire. On cancel, the Lease is released only after the term's callbacks settled,
 * so a successor never overlaps with our controllers.
 */
import { NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { Client } from './client.js';
import { jitter, realClock, sleep, type Clock } from './clock.js';
import { defaultLogger, errMessage, type Logger } from './logger.js';

const LEASES = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
type Lease = KubeObject & { spec?: LeaseSpec };

export interface LeaderElectionOptions {
  client: Client;
  /** Lease name, e.g. "kube-controller-manager". */
  name: string;
  /** Default "kube-system". */
  namespace?: string;
  /** Unique per candidate, e.g. `${hostname}_${randomUUID()}`. */
  identity: string;
  /** Defaults as upstream: 15 s, 10 s, 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Give the Lease up when run's signal aborts (default true). */
  releaseOnCancel?: boolean;
  /** Called when we become leader; `signal` aborts when this term ends. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called when a term ends (lost, or cancelled); awaited before releasing or campaigning again. */
  onStoppedLeading?: () => void | Promise<void>;
  /** Called when the observed holder changes (including to ourselves). */
  onNewLeader?: (identity: string) => void;
  clock?: Clock;
  logger?: Logger;
}

export const microTime = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z');

export class LeaderElector {
  readonly #o: Required<Pick<LeaderElectionOptions, 'namespace' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>> & LeaderElectionOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  #observed = '';
  #observedTime = 0;
  #observedSpec: LeaseSpec = {};
  #leader?: string;
  #leading = false;

  constructor(opts: LeaderElectionOptions) {
    this.#o = { namespace: 'kube-system', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
    if (this.#o.renewDeadlineMs >= this.#o.leaseDurationMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.#o.retryPeriodMs * 1.2 >= this.#o.renewDeadlineMs) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    this.#clock = opts.clock ?? realClock;
    this.#log = opts.logger ?? defaultLogger;
  }

  isLeader(): boolean { return this.#leading; }

  /** The holder last seen in the Lease. */
  get leader(): string | undefined { return this.#leader; }

  /** Campaigns, leads, renews, and campaigns again after a lost term, until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.#acquire(signal))) break;
      const term = new AbortController();
      this.#leading = true;
      this.#log.info('became leader', { lease: this.#o.name, identity: this.#o.identity });
      const started = Promise.resolve().then(() => this.#o.onStartedLeading(term.signal)).catch(e =>
        this.#log.error('onStartedLeading failed', { lease: this.#o.name, error: errMessage(e) }));
      await this.#renew(signal);
      this.#leading = false;
      term.abort();
      await started;
      try { await this.#o.onStoppedLeading?.(); } catch (e) {
        this.#log.error('onStoppedLeading failed', { lease: this.#o.name, error: errMessage(e) });
      }
      if (signal.aborted && this.#o.releaseOnCancel !== false) await this.#release();
      else this.#log.warn('leadership lost', { lease: this.#o.name, identity: this.#o.identity });
    }
  }

  /** Retries until we hold the Lease (true) or the signal aborts (false). */
  async #acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew()) return true;
      await sleep(this.#clock, jitter(this.#o.retryPeriodMs, 0.2), signal);
    }
    return false;
  }

  /** Renews every retry period; returns when the signal aborts or renewing failed past the deadline. */
  async #renew(signal: AbortSignal): Promise<void> {
    let last = this.#clock.now();
    while (!signal.aborted) {
      await sleep(this.#clock, this.#o.retryPeriodMs, signal);
      if (signal.aborted) return;
      const left = last + this.#o.renewDeadlineMs - this.#clock.now();
      // A late answer counts as a failure: the deadline, not the request, bounds a term.
      const timer = new AbortController();
      const ok = left > 0 && await Promise.race([
        this.#tryAcquireOrRenew(),
        sleep(this.#clock, left, timer.signal).then(() => false),
      ]);
      timer.abort();
      if (ok && this.#clock.now() - last < this.#o.renewDeadlineMs) last = this.#clock.now();
      else if (this.#clock.now() - last >= this.#o.renewDeadlineMs) return;
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { client, name, namespace, identity } = this.#o;
    const now = this.#clock.now();
    const durSec = Math.ceil(this.#o.leaseDurationMs / 1000);
    let lease: Lease;
    try {
      lease = await client.get<Lease>(LEASES, name, { namespace });
    } catch (e) {
      if (!(e instanceof NotFoundError)) { this.#log.warn('reading lease failed', { lease: name, error: errMessage(e) }); return false; }
      const spec: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds: durSec, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
      try {
        await client.create<Lease>(LEASES, { apiVersion: LEASES.apiVersion, kind: LEASES.kind, metadata: { name, namespace }, spec });
      } catch { return false; } // someone else created it first
      this.#observe(spec, this.#clock.now());
      return true;
    }
    const old = lease.spec ?? {};
    this.#observe(old, now);
    const holder = old.holderIdentity ?? '';
    const durMs = (old.leaseDurationSeconds ?? durSec) * 1000;
    if (holder && holder !== identity && this.#observedTime + durMs > now) return false;
    const mine = holder === identity;
    const spec: LeaseSpec = {
      holderIdentity: identity, leaseDurationSeconds: durSec, renewTime: microTime(now),
      acquireTime: mine && old.acquireTime ? old.acquireTime : microTime(now),
      leaseTransitions: (old.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    try {
      // Carries metadata.resourceVersion: a concurrent writer makes this a ConflictError.
      await client.update<Lease>(LEASES, { ...lease, spec });
    } catch (e) {
      this.#log.info('lease update failed', { lease: name, error: errMessage(e) });
      return false;
    }
    this.#observe(spec, this.#clock.now());
    return true;
  }

  async #release(): Promise<void> {
    const { client, name, namespace, identity } = this.#o;
    try {
      const lease = await client.get<Lease>(LEASES, name, { namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(this.#clock.now());
      await client.update<Lease>(LEASES, {
        ...lease,
        spec: { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: lease.spec.leaseTransitions ?? 0 },
      });
      this.#log.info('released lease', { lease: name, identity });
    } catch (e) {
      this.#log.warn('releasing lease failed', { lease: name, error: errMessage(e) });
    }
  }

  /** Our clock's time of the last change we saw decides expiry, never the remote renewTime. */
  #observe(spec: LeaseSpec, at: number): void {
    const raw = JSON.stringify([spec.holderIdentity ?? '', spec.renewTime, spec.acquireTime, spec.leaseTransitions, spec.leaseDurationSeconds]);
    if (raw === this.#observed) return;
    this.#observed = raw;
    this.#observedTime = at;
    const prev = this.#observedSpec.holderIdentity ?? '';
    this.#observedSpec = spec;
    const holder = spec.holderIdentity ?? '';
    this.#leader = holder || undefined;
    if (holder && holder !== prev) {
      try { this.#o.onNewLeader?.(holder); } catch { /* observers must not break the election */ }
    }
  }
}
