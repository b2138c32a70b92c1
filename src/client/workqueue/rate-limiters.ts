/**
 * How long to wait before retrying a key (client-go's workqueue rate limiters): per-key
 * exponential back-off, an overall token bucket, and the max of several.
 */
import { realClock, type Clock } from '../clock.js';

export interface RateLimiter<T = string> {
  /** Delay (ms) before `item` may be retried; counts a failure. */
  when(item: T): number;
  /** Clears `item`'s failure history (it succeeded). */
  forget(item: T): void;
  /** Failures counted for `item` since its last forget. */
  numRequeues(item: T): number;
}

/** base·2^failures, capped (client-go default: 5 ms … 1000 s). */
export class ItemExponentialFailureRateLimiter<T = string> implements RateLimiter<T> {
  readonly #failures = new Map<T, number>();
  constructor(readonly baseMs = 5, readonly maxMs = 1_000_000) {}

  when(item: T): number {
    const exp = this.#failures.get(item) ?? 0;
    this.#failures.set(item, exp + 1);
    const d = this.baseMs * 2 ** exp;
    return Number.isFinite(d) && d < this.maxMs ? d : this.maxMs;
  }

  forget(item: T): void { this.#failures.delete(item); }
  numRequeues(item: T): number { return this.#failures.get(item) ?? 0; }
}

/** A token bucket shared by all keys (client-go default: 10 qps, burst 100): reserves a token, returns the wait for it. */
export class BucketRateLimiter<T = string> implements RateLimiter<T> {
  #tokens: number;
  #last: number;
  constructor(readonly qps = 10, readonly burst = 100, readonly clock: Clock = realClock) {
    this.#tokens = burst;
    this.#last = clock.now();
  }

  when(_item: T): number {
    const now = this.clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) * this.qps) / 1000);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.qps) * 1000;
  }

  forget(_item: T): void {}
  numRequeues(_item: T): number { return 0; }
}

/** The longest delay any of the limiters asks for. */
export class MaxOfRateLimiter<T = string> implements RateLimiter<T> {
  readonly #limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) { this.#limiters = limiters; }

  when(item: T): number { return Math.max(0, ...this.#limiters.map(l => l.when(item))); }
  forget(item: T): void { for (const l of this.#limiters) l.forget(item); }
  numRequeues(item: T): number { return Math.max(0, ...this.#limiters.map(l => l.numRequeues(item))); }
}

/** client-go's DefaultTypedControllerRateLimiter: max(per-key 5 ms…1000 s, bucket 10 qps / 100 burst). */
export function defaultControllerRateLimiter<T = string>(clock: Clock = realClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialFailureRateLimiter<T>(5, 1_000_000), new BucketRateLimiter<T>(10, 100, clock));
}
