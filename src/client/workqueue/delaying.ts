/**
 * A queue that can add a key later (client-go's DelayingQueue): one timer for the
 * earliest due key; adding a key that already waits keeps the earlier of the two times.
 */
import { realClock, type Clock, type TimerHandle } from '../clock.js';
import { Queue, type QueueOptions } from './queue.js';

export interface DelayingQueueOptions extends QueueOptions {
  clock?: Clock;
}

interface Entry<T> { item: T; at: number; seq: number }

export class DelayingQueue<T = string> extends Queue<T> {
  readonly clock: Clock;
  /** Min-heap by due time; entries whose `at` no longer matches #due are stale. */
  #heap: Entry<T>[] = [];
  readonly #due = new Map<T, number>();
  #seq = 0;
  #timer?: TimerHandle;
  #timerAt = Infinity;

  constructor(opts: DelayingQueueOptions = {}) {
    super(opts);
    this.clock = opts.clock ?? realClock;
  }

  /** Adds `item` after `ms` (now if ms ≤ 0). */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown()) return;
    if (ms <= 0) { this.add(item); return; }
    const at = this.clock.now() + ms;
    const cur = this.#due.get(item);
    if (cur !== undefined && cur <= at) return;
    this.#due.set(item, at);
    push(this.#heap, { item, at, seq: this.#seq++ });
    this.#arm();
  }

  /** Keys waiting for their time. */
  waitingCount(): number { return this.#due.size; }

  override shutDown(): void {
    super.shutDown();
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#heap = [];
    this.#due.clear();
  }

  #arm(): void {
    const top = this.#heap[0];
    if (!top || top.at >= this.#timerAt) return;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timerAt = top.at;
    this.#timer = this.clock.setTimeout(() => this.#fire(), top.at - this.clock.now());
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.clock.now();
    while (this.#heap.length && this.#heap[0].at <= now) {
      const e = pop(this.#heap);
      if (this.#due.get(e.item) !== e.at) continue; // superseded by an earlier addAfter
      this.#due.delete(e.item);
      this.add(e.item);
    }
    this.#arm();
  }
}

const less = <T>(a: Entry<T>, b: Entry<T>) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

function push<T>(h: Entry<T>[], e: Entry<T>): void {
  h.push(e);
  for (let i = h.length - 1; i > 0;) {
    const p = (i - 1) >> 1;
    if (!less(h[i], h[p])) break;
    [h[i], h[p]] = [h[p], h[i]];
    i = p;
  }
}

function pop<T>(h: Entry<T>[]): Entry<T> {
  const top = h[0];
  const last = h.pop()!;
  if (h.length) {
    h[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && less(h[l], h[m])) m = l;
      if (r < h.length && less(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
  return top;
}
