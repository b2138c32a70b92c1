/**
 * Runs a controller's workers around the one loop every controller shares
 * (sample-controller's processNextWorkItem): get a key → sync → forget on success or
 * addRateLimited on error → done. Sync functions must be idempotent and read the
 * informers' caches, treating "not found" as deleted; returning normally for bad
 * input (instead of throwing) means "do not retry".
 */
import { defaultLogger, errMessage, type Logger } from './logger.js';
import { RateLimitingQueue } from './workqueue/rate-limiting.js';

export interface ControllerOptions {
  name: string;
  /** Reconciles one key. Throw to be retried with back-off. */
  sync: (key: string) => Promise<void>;
  /** Concurrent workers (default 1); one key is never synced by two at once. */
  workers?: number;
  /** Default: a new RateLimitingQueue with the default controller rate limiter. */
  queue?: RateLimitingQueue<string>;
  /** Give up on a key after this many consecutive failures (default: never). */
  maxRetries?: number;
  /** Caches to wait for before the first sync. */
  waitFor?: ReadonlyArray<{ waitForSync(signal?: AbortSignal): Promise<boolean> }>;
  logger?: Logger;
}

export class Controller {
  readonly name: string;
  readonly queue: RateLimitingQueue<string>;
  readonly #o: ControllerOptions;
  readonly #log: Logger;
  #running?: Promise<void>;

  constructor(opts: ControllerOptions) {
    this.name = opts.name;
    this.#o = opts;
    this.queue = opts.queue ?? new RateLimitingQueue<string>({ name: opts.name });
    this.#log = opts.logger ?? defaultLogger;
  }

  /** Queues a key now (typically from an informer handler). */
  enqueue(key: string): void { this.queue.add(key); }

  /**
   * Waits for the caches, then runs the workers until `signal` aborts or `stop()` is
   * called; resolves when every worker has finished its current key.
   */
  run(signal?: AbortSignal): Promise<void> {
    this.#running ??= this.#run(signal);
    return this.#running;
  }

  /** Stops taking keys and waits for keys in progress. */
  async stop(): Promise<void> {
    await this.queue.shutDownWithDrain();
    await this.#running;
  }

  async #run(signal?: AbortSignal): Promise<void> {
    const onAbort = () => this.queue.shutDown();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (const c of this.#o.waitFor ?? []) {
        if (!(await c.waitForSync(signal))) return;
      }
      if (signal?.aborted || this.queue.shuttingDown()) return;
      const n = Math.max(1, this.#o.workers ?? 1);
      await Promise.all(Array.from({ length: n }, () => this.#worker()));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async #worker(): Promise<void> {
    while (await this.processNextWorkItem());
  }

  /** One turn of the loop; false once the queue has shut down. Exposed for tests. */
  async processNextWorkItem(): Promise<boolean> {
    const key = await this.queue.get();
    if (key === undefined) return false;
    try {
      await this.#o.sync(key);
      this.queue.forget(key);
    } catch (e) {
      const n = this.queue.numRequeues(key);
      if (this.#o.maxRetries !== undefined && n >= this.#o.maxRetries) {
        this.#log.warn('dropping key after repeated sync errors', { controller: this.name, key, retries: n, error: errMessage(e) });
        this.queue.forget(key);
      } else {
        this.#log.info('sync failed; requeued with back-off', { controller: this.name, key, retries: n, error: errMessage(e) });
        this.queue.addRateLimited(key);
      }
    } finally {
      this.queue.done(key);
    }
    return true;
  }
}
