/**
 * The embedded default store: a revision log in one SQLite file (see ./log.ts), the live
 * key space in memory (./keyindex.ts), group-committed writes (./writer.ts), watches fed
 * from the write path (./watch.ts), the latest events in memory (./recent.ts) and
 * chunked compaction (./compact.ts).
 *
 * One process owns the file (exclusive locking: a second opener fails instead of
 * silently diverging from our in-memory state), so the current revision and the live
 * keys are kept in memory and every check happens there before the append.
 *
 * Durability: WAL with synchronous=NORMAL. A commit is written to the WAL (the OS page
 * cache) before its promise resolves, so an acknowledged write survives kill -9 of this
 * process; it is fsynced only at checkpoints, so a power loss or kernel crash may lose
 * the last moments of writes (never corrupt the file). That is the trade k3s makes too.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { BadRequestError, ServiceUnavailableError } from '../api/errors.js';
import { AutoCompactor, COMPACT_KEY, Compactor, type RetentionOptions } from './compact.js';
import { getAt, listAt } from './history.js';
import { KeyIndex } from './keyindex.js';
import { RecentEvents } from './recent.js';
import { SCHEMA, normPrefix, prefixEnd, prepare, rowEvent, rowKv, upper, type Statements } from './log.js';
import type { KeyValue, ListOptions, ListResult, Store, Watch, WatchEvent, WatchOptions, WriteOptions } from './types.js';
import { WatchHub, goneError } from './watch.js';
import { Writer, type LiveState } from './writer.js';

export interface SqliteStoreOptions extends RetentionOptions {
  /** Most writes committed in one transaction. Default 1000. */
  maxBatch?: number;
  /** Recent events kept in memory for past-revision lists and watch catch-up (0 = none). Default 5000. */
  recentEvents?: number;
}

/** Opens (creating if needed) the store at `path`; its directory is created too. */
export async function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Promise<SqliteStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // A short busy timeout: another process holding the file is a configuration error, not contention.
  const db = new Database(path, { timeout: 500 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Checkpoint every ~16 MB of WAL instead of SQLite's ~4 MB: the index pages that writes keep
    // dirtying are copied into the file once per checkpoint, so fewer checkpoints copy
    // fewer pages (an insert costs ~10% less CPU).
    db.pragma('wal_autocheckpoint = 4000');
    db.exec(SCHEMA); // also takes the exclusive lock now, so a second opener fails here
    return new SqliteStore(db, opts);
  } catch (err) {
    db.close();
    throw err;
  }
}

export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #stmts: Statements;
  readonly #state: LiveState;
  readonly #writer: Writer;
  readonly #hub: WatchHub;
  readonly #recent: RecentEvents;
  readonly #compactor: Compactor;
  readonly #auto: AutoCompactor;
  #closed = false;

  /** Use openSqliteStore. Loads the latest row of every key into memory. */
  constructor(db: Database.Database, opts: SqliteStoreOptions = {}) {
    this.#db = db;
    const stmts = (this.#stmts = prepare(db));
    const state: LiveState = (this.#state = { index: new KeyIndex(), tombstones: new Map(), rev: 0, compactRev: 0 });
    for (const row of stmts.latest.iterate()) {
      if (row.deleted) state.tombstones.set(row.name, row.id);
      else state.index.set(rowKv(row));
    }
    state.compactRev = stmts.getMeta.get(COMPACT_KEY)?.value ?? 0;
    // Compaction may have removed the newest rows (tombstones), never revisions above it.
    state.rev = Math.max(stmts.maxId.get()?.id ?? 0, state.compactRev);
    const recent = (this.#recent = new RecentEvents(state.rev, opts.recentEvents));
    this.#hub = new WatchHub({
      currentRevision: () => state.rev,
      compactRevision: () => state.compactRev,
      readLog: (after, upTo, prefix, limit) => {
        const held = recent.between(after, upTo);
        if (held) return (prefix ? held.filter(e => e.kv.key.startsWith(prefix)) : held).slice(0, limit);
        return stmts.range.all(after, upTo, prefix, upper(prefixEnd(prefix)), limit).map(rowEvent);
      },
    });
    this.#writer = new Writer(db, stmts, state, events => {
      recent.push(events);
      this.#hub.publish(events);
    }, opts.maxBatch);
    this.#compactor = new Compactor(db, stmts, state);
    this.#auto = new AutoCompactor(state, this.#compactor, opts);
  }

  currentRevision(): number { return this.#state.rev; }
  compactRevision(): number { return this.#state.compactRev; }

  async get(key: string, revision?: number): Promise<KeyValue | undefined> {
    const rev = this.#readRevision(revision);
    if (rev === this.#state.rev) return this.#state.index.get(key);
    return getAt(this.#state.index, this.#stmts, key, rev);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const rev = this.#readRevision(opts.revision);
    const p = normPrefix(prefix);
    const hi = prefixEnd(p);
    // startAfter + '\0' is the smallest key greater than startAfter.
    const lo = opts.startAfter !== undefined && opts.startAfter >= p ? opts.startAfter + '\0' : p;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    if (rev !== this.#state.rev) {
      return { ...listAt(this.#state.index, this.#stmts, this.#recent, lo, hi, limit, rev, this.#state.rev), revision: rev };
    }
    const { index } = this.#state;
    const [keys, a, b] = index.range(lo, hi);
    const n = limit > 0 ? Math.min(limit, b - a) : b - a;
    const items: KeyValue[] = new Array(n);
    for (let i = 0; i < n; i++) items[i] = index.get(keys[a + i])!;
    return { items, revision: rev, remaining: b - a - n };
  }

  async count(prefix: string): Promise<number> {
    this.#open();
    const p = normPrefix(prefix);
    if (p === '') return this.#state.index.size;
    const [, a, b] = this.#state.index.range(p, prefixEnd(p));
    return b - a;
  }

  // async, so a bad key rejects rather than throws.
  async create(key: string, value: Buffer, opts?: WriteOptions): Promise<KeyValue> {
    return this.#writer.submit({ type: 'create', key: checkKey(key), value: opts?.handOver ? kept(value) : ownCopy(value) });
  }

  async update(key: string, value: Buffer, expectedRevision: number, opts?: WriteOptions): Promise<KeyValue> {
    return this.#writer.submit({ type: 'update', key: checkKey(key), value: opts?.handOver ? kept(value) : ownCopy(value), expected: expectedRevision });
  }

  async delete(key: string, expectedRevision = 0): Promise<KeyValue> {
    return this.#writer.submit({ type: 'delete', key: checkKey(key), expected: expectedRevision });
  }

  watch(prefix: string, opts: WatchOptions, onEvents: (events: WatchEvent[]) => void, onError: (err: Error) => void): Watch {
    this.#open();
    return this.#hub.add(normPrefix(prefix), opts.afterRevision, onEvents, onError);
  }

  async compact(revision: number): Promise<void> {
    this.#open();
    if (revision > this.#state.rev) {
      throw new BadRequestError(`cannot compact to future revision ${revision} (current ${this.#state.rev})`);
    }
    await this.#compactor.compact(revision);
  }

  /** Runs one round of automatic compaction now (the timer does this every compactInterval). */
  autoCompact(): Promise<number> { return this.#auto.tick(); }

  /** Number of active watches (for metrics and tests). */
  watchCount(): number { return this.#hub.size; }

  /** Commits queued writes, ends watches silently, stops compaction, closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#auto.stop();
    this.#writer.close();
    this.#hub.closeAll();
    await this.#compactor.stop();
    this.#db.close();
  }

  /** Validates a read revision (0/undefined = current) and returns the one to read at. */
  #readRevision(revision: number | undefined): number {
    this.#open();
    const { rev, compactRev } = this.#state;
    if (!revision || revision === rev) return rev;
    if (revision > rev) throw new BadRequestError(`revision ${revision} is in the future (current ${rev})`);
    if (revision < compactRev) throw goneError(revision, compactRev);
    return revision;
  }

  #open(): void {
    if (this.#closed) throw new ServiceUnavailableError('store is closed');
  }
}

/**
 * The store's copy of a value, in memory of its own: Buffer.from would copy into Node's
 * shared 8 KB pool, and each live value would then pin a pool slab full of the request
 * buffers that were cut from it beside it (about 2.3× the values' size in RSS).
 */
function ownCopy(value: Buffer): Buffer {
  const b = Buffer.allocUnsafeSlow(value.length);
  value.copy(b);
  return b;
}

/** A handed-over value, kept as it is when it has its memory to itself (else, see ownCopy). */
function kept(value: Buffer): Buffer {
  return value.byteOffset === 0 && value.buffer.byteLength === value.length ? value : ownCopy(value);
}

function checkKey(key: string): string {
  if (typeof key !== 'string' || key === '') throw new BadRequestError('store key must be a non-empty string');
  return key;
}
