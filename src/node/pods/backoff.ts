/**
 * Per-key exponential back-off (client-go's flowcontrol.Backoff as the kubelet uses it):
 * the first failure waits `initial`, each further one twice as long up to `max`; an entry
 * untouched for 2×max (or reset after a long healthy run) starts over.
 */
export class Backoff {
  readonly #entries = new Map<string, { delay: number; since: number }>();

  constructor(readonly initialMs = 10_000, readonly maxMs = 300_000, readonly now: () => number = Date.now) {}

  /** Records a failure at `at`; returns the delay before the next try. */
  next(key: string, at = this.now()): number {
    const e = this.#entries.get(key);
    const delay = !e || at - e.since > 2 * this.maxMs ? this.initialMs : Math.min(e.delay * 2, this.maxMs);
    this.#entries.set(key, { delay, since: at });
    return delay;
  }

  /** Milliseconds left before `key` may be tried again (0 = may go now). */
  remaining(key: string, at = this.now()): number {
    const e = this.#entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.since + e.delay - at);
  }

  /** The current delay of `key` (0 when none). */
  delay(key: string): number { return this.#entries.get(key)?.delay ?? 0; }

  reset(key: string): void { this.#entries.delete(key); }

  /** Forgets every key starting with `prefix` (a pod's entries when it goes). */
  forgetPrefix(prefix: string): void {
    for (const k of this.#entries.keys()) if (k.startsWith(prefix)) this.#entries.delete(k);
  }
}

/**
 * CrashLoopBackOff for one pod's containers: the first crash restarts at once, then the
 * wait doubles from 10 s up to 5 min, counted from the run's end; a run of 10 min or
 * more forgives the past.
 */
export class CrashBackoff {
  readonly #delays = new Map<string, number>();

  constructor(readonly initialMs = 10_000, readonly maxMs = 300_000, readonly resetAfterMs = 600_000, readonly now: () => number = Date.now) {}

  /** ms before `name` may restart after the run `last` (0 = now). */
  left(name: string, last: { startedAt?: Date; finishedAt?: Date }): number {
    const delay = this.#delays.get(name);
    if (!delay || !last.finishedAt) return 0;
    if (last.startedAt && last.finishedAt.getTime() - last.startedAt.getTime() >= this.resetAfterMs) {
      this.#delays.delete(name);
      return 0;
    }
    return Math.max(0, last.finishedAt.getTime() + delay - this.now());
  }

  /** The wait in force for `name` (what CrashLoopBackOff messages show). */
  delay(name: string): number { return this.#delays.get(name) ?? this.initialMs; }

  /** A restart happened: the next one waits longer. */
  bump(name: string): void {
    const d = this.#delays.get(name);
    this.#delays.set(name, d ? Math.min(2 * d, this.maxMs) : this.initialMs);
  }
}
