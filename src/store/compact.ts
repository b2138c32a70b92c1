/**
 * Compaction, kine-style: a row at or below the compact point is dropped when a later
 * row at or below it supersedes it (found through that row's prev_revision), and
 * tombstones at or below it go too. So the state at every revision >= the compact point
 * stays readable. Work is done in chunks of revisions, one short transaction each,
 * yielding to the event loop between chunks so writes are not stalled.
 */
import type Database from 'better-sqlite3';
import type { Statements } from './log.js';
import type { LiveState } from './writer.js';

const CHUNK = 2000;

export const COMPACT_KEY = 'compact_rev';

export class Compactor {
  #running: Promise<void> = Promise.resolve();
  #stopped = false;
  #chunk: (from: number, to: number) => void;

  constructor(db: Database.Database, stmts: Statements, private readonly state: LiveState) {
    this.#chunk = db.transaction((from: number, to: number) => {
      const ids = stmts.superseded.all(from, to);
      for (const { id } of ids) stmts.deleteId.run(id);
      stmts.deleteTombstones.run(from, to);
      stmts.setMeta.run(COMPACT_KEY, to);
    });
  }

  /** Compacts up to `target` (already-compacted targets are a no-op). Calls run one after another. */
  compact(target: number): Promise<void> {
    const run = this.#running.then(() => this.#run(target));
    this.#running = run.catch(() => undefined);
    return run;
  }

  /** Stops between chunks; the compact point stays wherever the last chunk left it. */
  stop(): Promise<void> {
    this.#stopped = true;
    return this.#running;
  }

  async #run(target: number): Promise<void> {
    const { state } = this;
    while (!this.#stopped && state.compactRev < target) {
      const from = state.compactRev;
      const to = Math.min(target, from + CHUNK);
      this.#chunk(from, to);
      state.compactRev = to;
      if (to < target) await new Promise(r => setImmediate(r));
    }
    // Tombstone rows at or below the compact point are gone; forget them.
    for (const [key, rev] of state.tombstones) if (rev <= state.compactRev) state.tombstones.delete(key);
  }
}

export interface RetentionOptions {
  /** How often to compact, in ms (0 disables automatic compaction). Default 60 s. */
  compactInterval?: number;
  /** Keep at least this many revisions of history. Default 10,000. */
  retainRevisions?: number;
  /** Keep at least this much time of history, in ms. Default 5 minutes. */
  retainMs?: number;
  /** Clock for tests. */
  now?: () => number;
}

/**
 * Automatic compaction keeping whichever is MORE history: the last `retainRevisions`
 * revisions or the last `retainMs` of writes. Time matters for clients (a watch that
 * reconnects after a few seconds under load must not get 410 and relist); the revision
 * floor matters when writes are rare. The revision of "retainMs ago" is known from
 * samples taken at each tick, so up to one interval more is kept.
 */
export class AutoCompactor {
  #timer: NodeJS.Timeout | undefined;
  #samples: { t: number; rev: number }[] = [];
  readonly #retainRevisions: number;
  readonly #retainMs: number;
  readonly #now: () => number;

  constructor(private readonly state: LiveState, private readonly compactor: Compactor, opts: RetentionOptions) {
    this.#retainRevisions = opts.retainRevisions ?? 10_000;
    this.#retainMs = opts.retainMs ?? 5 * 60_000;
    this.#now = opts.now ?? Date.now;
    const interval = opts.compactInterval ?? 60_000;
    if (interval > 0) {
      this.#timer = setInterval(() => { void this.tick().catch(() => undefined); }, interval);
      this.#timer.unref();
    }
  }

  /** One round of the policy (the timer calls this; tests may too). Returns the target compacted to, or 0. */
  async tick(): Promise<number> {
    const now = this.#now();
    this.#samples.push({ t: now, rev: this.state.rev });
    // The newest sample at least retainMs old bounds what time-based retention allows.
    let i = -1;
    while (i + 1 < this.#samples.length && this.#samples[i + 1].t <= now - this.#retainMs) i++;
    if (i < 0) return 0;
    this.#samples.splice(0, i); // keep sample i: it stays the bound until a newer one ages
    const target = Math.min(this.#samples[0].rev, this.state.rev - this.#retainRevisions);
    if (target <= this.state.compactRev) return 0;
    await this.compactor.compact(target);
    return target;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
