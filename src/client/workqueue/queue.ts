/**
 * A work queue of keys, not events (client-go's workqueue.Typed): adding a key that
 * is already waiting does nothing, and a key being processed is never handed to a
 * second worker; if it is added meanwhile, it is queued again when `done` is called.
 *
 * Contract for workers: every key from `get()` must be passed to `done()` exactly once.
 */
export interface QueueOptions {
  /** For logs and metrics. */
  name?: string;
}

export class Queue<T = string> {
  readonly name: string;
  /** FIFO of keys ready to be handed out; `#head` avoids O(n) shifts on long queues. */
  #items: T[] = [];
  #head = 0;
  /** Keys that need processing (queued, or re-added while being processed). */
  readonly #dirty = new Set<T>();
  /** Keys some worker holds right now. */
  readonly #processing = new Set<T>();
  #waiters: Array<(item: T | undefined) => void> = [];
  #shuttingDown = false;
  #drained?: () => void;

  constructor(opts: QueueOptions = {}) {
    this.name = opts.name ?? '';
  }

  /** Marks `item` as needing processing. Ignored after shutDown. */
  add(item: T): void {
    if (this.#shuttingDown || this.#dirty.has(item)) return;
    this.#dirty.add(item);
    if (this.#processing.has(item)) return; // `done` will queue it again
    const waiter = this.#waiters.shift();
    if (waiter) this.#handOut(item, waiter);
    else this.#items.push(item);
  }

  /** Keys waiting to be handed out (not counting ones being processed). */
  len(): number { return this.#items.length - this.#head; }

  /** Keys held by workers now. */
  processingCount(): number { return this.#processing.size; }

  /**
   * The next key; waits while the queue is empty. After shutDown it resolves undefined:
   * the worker should exit. (Unlike client-go, keys still queued are not handed out:
   * a controller that lost its leadership must stop at once, not work off a backlog.)
   */
  get(): Promise<T | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    if (this.len() > 0) {
      let out!: T;
      this.#handOut(this.#pop(), item => { out = item!; });
      return Promise.resolve(out);
    }
    return new Promise(resolve => this.#waiters.push(resolve));
  }

  /** The worker finished with `item`; if it was re-added meanwhile, it is queued again. */
  done(item: T): void {
    this.#processing.delete(item);
    if (this.#dirty.has(item) && !this.#shuttingDown) {
      const waiter = this.#waiters.shift();
      if (waiter) this.#handOut(item, waiter);
      else this.#items.push(item);
    } else if (this.#processing.size === 0 && this.#drained) {
      this.#drained();
    }
  }

  /** Stops accepting and handing out keys (queued ones are dropped); idle workers' `get` resolves undefined. */
  shutDown(): void {
    this.#shuttingDown = true;
    this.#items = [];
    this.#head = 0;
    this.#dirty.clear();
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  /** shutDown, then resolves once every key being processed got its `done`. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise(resolve => { this.#drained = resolve; });
  }

  shuttingDown(): boolean { return this.#shuttingDown; }

  #pop(): T {
    const item = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  #handOut(item: T, to: (item: T) => void): void {
    this.#processing.add(item);
    this.#dirty.delete(item);
    to(item);
  }
}
