/**
 * The most recent events in memory, so the common reads of the recent past, a paginated
 * list continuing at the revision of its first page and a watch resuming after a short
 * disconnect, need no SQL. Revisions are contiguous (every revision is one event), so
 * the events after R are a plain slice. Holds between `size` and 2×`size` events.
 */
import type { WatchEvent } from './types.js';

export class RecentEvents {
  #events: WatchEvent[] = [];
  /** The revision just before the first held event: events (floor, floor + length] are here. */
  #floor: number;

  constructor(current: number, private readonly size = 5000) {
    this.#floor = current;
  }

  push(events: WatchEvent[]): void {
    for (const e of events) this.#events.push(e);
    if (this.#events.length > 2 * this.size) {
      const drop = this.#events.length - this.size;
      this.#events.splice(0, drop);
      this.#floor += drop;
    }
  }

  /** Events with revision in (after, upTo], or undefined if some are no longer held. */
  between(after: number, upTo: number): WatchEvent[] | undefined {
    if (after < this.#floor) return undefined;
    return this.#events.slice(after - this.#floor, upTo - this.#floor);
  }
}
