/**
 * Watch fan-out. Live events come straight from the write path (`publish`, called
 * synchronously after each commit); a watcher that starts behind the current revision
 * first replays the log in chunks, buffering live events meanwhile.
 *
 * No gaps, no duplicates: a watcher is registered and its catch-up bound `upTo` fixed
 * in one synchronous step, when every revision <= upTo is committed and every later one
 * will be published to it. Catch-up covers (after, upTo]; live events are all > upTo.
 * Everything runs on the one JS thread, so the two sources never interleave badly.
 */
import { GoneError } from '../api/errors.js';
import type { Watch, WatchEvent } from './types.js';

export interface LogSource {
  currentRevision(): number;
  compactRevision(): number;
  /** Log events in (after, upTo] under prefix, revision order, at most `limit`. */
  readLog(after: number, upTo: number, prefix: string, limit: number): WatchEvent[];
}

const CHUNK = 1000;

export const goneError = (rev: number, compacted: number): GoneError =>
  new GoneError(`too old resource version: ${rev} (${compacted})`);

class Watcher implements Watch {
  cancelled = false;
  /** Non-null while catching up: live events held back until the replay reaches upTo. */
  buffer: WatchEvent[] | null = null;
  constructor(
    readonly prefix: string,
    /** Highest revision delivered (or covered) so far. */
    public after: number,
    readonly onEvents: (events: WatchEvent[]) => void,
    readonly onError: (err: Error) => void,
    readonly hub: WatchHub,
  ) {}
  cancel(): void {
    this.cancelled = true;
    this.hub.remove(this);
  }
}

export class WatchHub {
  #watchers = new Set<Watcher>();
  #src: LogSource;
  constructor(src: LogSource) { this.#src = src; }

  get size(): number { return this.#watchers.size; }

  /** Throws GoneError synchronously if `after` is below the compaction point. Callbacks are always async. */
  add(prefix: string, after: number, onEvents: (e: WatchEvent[]) => void, onError: (e: Error) => void): Watch {
    const compacted = this.#src.compactRevision();
    if (after < compacted) throw goneError(after, compacted);
    const w = new Watcher(prefix, after, onEvents, onError, this);
    this.#watchers.add(w);
    const upTo = this.#src.currentRevision();
    if (after < upTo) {
      w.buffer = [];
      setImmediate(() => this.#catchUp(w, upTo));
    }
    return w;
  }

  remove(w: Watcher): void { this.#watchers.delete(w); }

  /** Called by the write path right after a commit, with that commit's events in order. */
  publish(events: WatchEvent[]): void {
    if (events.length === 0) return;
    // A snapshot: a watch added by a callback below already covers these events by catch-up.
    for (const w of [...this.#watchers]) {
      if (w.cancelled) continue;
      const mine = filter(events, w.prefix, w.after);
      if (mine.length === 0) continue;
      if (w.buffer) w.buffer.push(...mine);
      else this.#deliver(w, mine);
    }
  }

  /** Ends every watch without callbacks (store closing). */
  closeAll(): void {
    for (const w of this.#watchers) w.cancelled = true;
    this.#watchers.clear();
  }

  #catchUp(w: Watcher, upTo: number): void {
    if (w.cancelled) return;
    const compacted = this.#src.compactRevision();
    if (w.after < compacted) return this.#fail(w, goneError(w.after, compacted));
    let events: WatchEvent[];
    try {
      events = this.#src.readLog(w.after, upTo, w.prefix, CHUNK);
    } catch (err) {
      return this.#fail(w, err as Error);
    }
    const reached = events.length < CHUNK ? upTo : events[events.length - 1].kv.modRevision;
    if (events.length > 0) this.#deliver(w, events);
    if (w.cancelled) return;
    w.after = Math.max(w.after, reached);
    if (reached < upTo) {
      setImmediate(() => this.#catchUp(w, upTo));
      return;
    }
    const held = w.buffer ?? [];
    w.buffer = null;
    if (held.length > 0) this.#deliver(w, held);
  }

  #deliver(w: Watcher, events: WatchEvent[]): void {
    if (w.cancelled) return;
    w.after = events[events.length - 1].kv.modRevision;
    try {
      w.onEvents(events);
    } catch (err) {
      // A throwing consumer must not break the write path; it ends its own watch.
      this.#fail(w, err as Error);
    }
  }

  #fail(w: Watcher, err: Error): void {
    if (w.cancelled) return;
    w.cancel();
    try { w.onError(err); } catch { /* nowhere left to report it */ }
  }
}

function filter(events: WatchEvent[], prefix: string, after: number): WatchEvent[] {
  // Copies even on the fast path: each watcher owns the array it is handed.
  if (prefix === '' && events[0].kv.modRevision > after) return events.slice();
  return events.filter(e => e.kv.modRevision > after && e.kv.key.startsWith(prefix));
}
