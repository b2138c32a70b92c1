/**
 * The write path, with group commit. Writes queue up and are committed together on the
 * next turn of the event loop, one SQLite transaction per batch (a commit costs far
 * more than a row: batching multiplies throughput several times). Each write is checked
 * against the live state plus the batch's earlier writes, so a failed precondition
 * rejects only that write and never burns a revision. The in-memory state changes only
 * after the commit, then promises settle and watchers get the batch's events.
 */
import type Database from 'better-sqlite3';
import {
  AlreadyExistsError, ConflictError, InternalError, KubelingError, NotFoundError, ServiceUnavailableError,
} from '../api/errors.js';
import type { KeyIndex } from './keyindex.js';
import type { Statements } from './log.js';
import type { KeyValue, WatchEvent } from './types.js';

/** The store's in-memory state, shared by the writer, readers and compactor. */
export interface LiveState {
  index: KeyIndex;
  /** Tombstone revision of deleted keys whose tombstone row is still in the log (a re-create's prev_revision). */
  tombstones: Map<string, number>;
  rev: number;
  compactRev: number;
}

export type WriteOp =
  | { type: 'create'; key: string; value: Buffer }
  | { type: 'update'; key: string; value: Buffer; expected: number }
  | { type: 'delete'; key: string; expected: number };

interface Queued { op: WriteOp; resolve(kv: KeyValue): void; reject(err: Error): void }

/** A batch in flight: writes not yet in `state`. A number marks a delete at that revision. */
type Overlay = Map<string, KeyValue | number>;

export class Writer {
  #queue: Queued[] = [];
  #scheduled = false;
  #closed = false;
  #tx: (batch: Queued[], overlay: Overlay, events: WatchEvent[], results: (KeyValue | Error)[]) => void;

  constructor(
    db: Database.Database,
    private readonly stmts: Statements,
    private readonly state: LiveState,
    private readonly publish: (events: WatchEvent[]) => void,
    private readonly maxBatch = 1000,
  ) {
    this.#tx = db.transaction((batch, overlay, events, results) => {
      for (const q of batch) {
        try {
          const ev = this.#apply(q.op, overlay, this.state.rev + events.length + 1);
          events.push(ev);
          results.push(ev.kv);
        } catch (err) {
          if (!(err instanceof KubelingError)) throw err; // an SQLite fault: roll back the batch
          results.push(err);
        }
      }
    });
  }

  submit(op: WriteOp): Promise<KeyValue> {
    if (this.#closed) return Promise.reject(new ServiceUnavailableError('store is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flushOne());
      }
    });
  }

  /** Commits everything queued and refuses further writes. */
  close(): void {
    while (this.#queue.length > 0) this.#commit(this.#queue.splice(0, this.maxBatch));
    this.#closed = true;
  }

  #flushOne(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0) return;
    this.#commit(this.#queue.splice(0, this.maxBatch));
    if (this.#queue.length > 0) {
      this.#scheduled = true;
      setImmediate(() => this.#flushOne());
    }
  }

  #commit(batch: Queued[]): void {
    const overlay: Overlay = new Map();
    const events: WatchEvent[] = [];
    const results: (KeyValue | Error)[] = [];
    try {
      this.#tx(batch, overlay, events, results);
    } catch (err) {
      // The whole batch rolled back. Retry one by one so one bad write cannot fail the others.
      if (batch.length > 1) { for (const q of batch) this.#commit([q]); return; }
      batch[0].reject(translate(err));
      return;
    }
    const { index, tombstones } = this.state;
    for (const [key, v] of overlay) {
      if (typeof v === 'number') { index.delete(key); tombstones.set(key, v); }
      else { index.set(v); tombstones.delete(key); }
    }
    this.state.rev += events.length;
    results.forEach((r, i) => (r instanceof Error ? batch[i].reject(r) : batch[i].resolve(r)));
    this.publish(events);
  }

  /** Checks one write against the live state + overlay and appends its log row. */
  #apply(op: WriteOp, overlay: Overlay, rev: number): WatchEvent {
    const { key } = op;
    const o = overlay.get(key);
    const live = o === undefined ? this.state.index.get(key) : typeof o === 'number' ? undefined : o;
    if (op.type === 'create') {
      if (live) throw new AlreadyExistsError(`key "${key}" already exists`);
      const tomb = o === undefined ? this.state.tombstones.get(key) : (o as number);
      this.stmts.insert.run(rev, key, 1, 0, rev, tomb ?? 0, op.value);
      const kv: KeyValue = { key, value: op.value, createRevision: rev, modRevision: rev };
      overlay.set(key, kv);
      return { type: 'PUT', kv, created: true };
    }
    if (!live) throw new NotFoundError(`key "${key}" not found`);
    if (op.type === 'update' || op.expected) {
      if (live.modRevision !== op.expected) {
        throw new ConflictError(`key "${key}" was modified: expected revision ${op.expected}, current ${live.modRevision}`);
      }
    }
    if (op.type === 'update') {
      // The previous value stays in the previous row (see log.ts).
      this.stmts.insert.run(rev, key, 0, 0, live.createRevision, live.modRevision, op.value);
      const kv: KeyValue = { key, value: op.value, createRevision: live.createRevision, modRevision: rev };
      overlay.set(key, kv);
      return { type: 'PUT', kv, prevKv: live, created: false };
    }
    this.stmts.insert.run(rev, key, 0, 1, live.createRevision, live.modRevision, null);
    overlay.set(key, rev);
    const kv: KeyValue = { key, value: live.value, createRevision: live.createRevision, modRevision: rev };
    return { type: 'DELETE', kv, prevKv: live, created: false };
  }
}

/** Like kine's translateErr: a unique-index violation means someone else wrote first. */
function translate(err: unknown): Error {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new ConflictError('concurrent write to the same key', undefined, { cause: err });
  }
  return new InternalError(`store write failed: ${(err as Error).message}`, undefined, { cause: err });
}
