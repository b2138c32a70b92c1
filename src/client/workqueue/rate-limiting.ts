/** The queue controllers use: dedupe + exclusivity + delays + rate-limited retries. */
import { DelayingQueue, type DelayingQueueOptions } from './delaying.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiters.js';

export interface RateLimitingQueueOptions<T> extends DelayingQueueOptions {
  /** Default: defaultControllerRateLimiter on the queue's clock. */
  rateLimiter?: RateLimiter<T>;
}

export class RateLimitingQueue<T = string> extends DelayingQueue<T> {
  readonly rateLimiter: RateLimiter<T>;

  constructor(opts: RateLimitingQueueOptions<T> = {}) {
    super(opts);
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
  }

  /** Adds `item` after the rate limiter's delay for it (a failure is counted). */
  addRateLimited(item: T): void { this.addAfter(item, this.rateLimiter.when(item)); }

  /** Resets `item`'s back-off (call after a successful sync). */
  forget(item: T): void { this.rateLimiter.forget(item); }

  numRequeues(item: T): number { return this.rateLimiter.numRequeues(item); }
}
