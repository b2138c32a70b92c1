/**
 * Controller expectations (upstream's UIDTrackingControllerExpectations): after a sync
 * creates or deletes pods, the controller waits until its informer has seen those
 * changes before acting again, so a lagging cache never causes double creates/deletes.
 * An expectation older than five minutes counts as satisfied (a lost event must not
 * wedge the controller forever).
 */
import { realClock, type Clock } from '../client/index.js';

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Record { add: number; del: number; at: number; deleting: Set<string> }

export class ControllerExpectations {
  readonly #m = new Map<string, Record>();
  readonly #clock: Clock;

  constructor(clock: Clock = realClock) { this.#clock = clock; }

  /** True when nothing is pending for `key` (or what is pending has expired). */
  satisfied(key: string): boolean {
    const r = this.#m.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.#clock.now() - r.at > EXPECTATIONS_TIMEOUT_MS;
  }

  /** Replaces the record: `n` creations are expected. */
  expectCreations(key: string, n: number): void {
    this.#m.set(key, { add: n, del: 0, at: this.#clock.now(), deleting: new Set() });
  }

  /** Replaces the record: the pods with these keys (namespace/name) are expected to go. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.#m.set(key, { add: 0, del: podKeys.length, at: this.#clock.now(), deleting: new Set(podKeys) });
  }

  creationObserved(key: string): void {
    const r = this.#m.get(key);
    if (r) r.add--;
  }

  /** A pod we may have been waiting for is gone (or going): counted once per pod key. */
  deletionObserved(key: string, podKey: string): void {
    const r = this.#m.get(key);
    if (r?.deleting.delete(podKey)) r.del--;
  }

  delete(key: string): void { this.#m.delete(key); }

  /** For tests and logs. */
  pending(key: string): { add: number; del: number } | undefined {
    const r = this.#m.get(key);
    return r && { add: r.add, del: r.del };
  }
}
