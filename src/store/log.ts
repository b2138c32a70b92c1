/**
 * The revision log on SQLite, kine-style: every write appends one row whose id is the
 * revision, and carries the previous revision of its key. kine puts a unique index on
 * (name, prev_revision) so that two writers racing from the same state collide. Here one
 * process owns the file (exclusive locking) and checks every write in memory first, so that
 * index was only a backstop, and a costly one: names are scattered, so each insert dirtied
 * one more random index page (a third of an insert's CPU, and WAL bytes). Files that have
 * it lose it on open.
 *
 * Row meanings:  create: created=1, prev_revision = the key's tombstone id or 0.
 *                update: value = new, prev_revision = previous id.
 *                delete: deleted=1, value NULL, prev_revision = previous id.
 *
 * A row's previous value (a watch replay's prevKv and a DELETE's last value, a past
 * revision's state) is the value of its prev_revision row, joined in on read. Compaction
 * drops a row only once the row superseding it is at or below the compact point too, so
 * every row above that point still finds its predecessor. Rows written before this rule
 * carry the previous value in old_value themselves (kept: it is read first). Writing it on
 * every update doubled the bytes of each row (and of each WAL checkpoint).
 */
import type Database from 'better-sqlite3';
import type { KeyValue, WatchEvent } from './types.js';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value BLOB,
  old_value BLOB
);
DROP INDEX IF EXISTS log_name_prev;
CREATE INDEX IF NOT EXISTS log_name_id ON log (name, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

export interface LogRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: Buffer | null;
  old_value: Buffer | null;
}

/** The columns that describe a key's state before a row (no `value`: it can be large). */
export type PrevRow = Pick<LogRow, 'name' | 'created' | 'create_revision' | 'prev_revision' | 'old_value'>;

/** Row `l`'s previous value (none for a create): its own old_value (older rows) or its predecessor's value. */
const OLD_VALUE = 'CASE WHEN l.created = 0 THEN COALESCE(l.old_value, (SELECT p.value FROM log p WHERE p.id = l.prev_revision)) END AS old_value';
const PREV_COLS = `l.name, l.created, l.create_revision, l.prev_revision, ${OLD_VALUE}`;
const ROW_COLS = `l.id, l.name, l.created, l.deleted, l.create_revision, l.prev_revision, l.value, ${OLD_VALUE}`;

/** Binds as a BLOB, and SQLite orders every TEXT before every BLOB: "no upper bound". */
const NO_UPPER = Buffer.from([0xff]);
export const upper = (hi: string | undefined): string | Buffer => hi ?? NO_UPPER;

export function prepare(db: Database.Database) {
  return {
    insert: db.prepare<[number, string, number, number, number, number, Buffer | null]>(
      'INSERT INTO log (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    /** The latest row of every name: the state at open (old_value is not read). */
    latest: db.prepare<[], Omit<LogRow, 'old_value'>>(
      'SELECT l.id, l.name, l.created, l.deleted, l.create_revision, l.prev_revision, l.value FROM log l JOIN (SELECT MAX(id) AS id FROM log GROUP BY name) m ON l.id = m.id'),
    maxId: db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM log'),
    getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare<[string, number]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    /** The row of `name` current at revision ? (old_value is not read). */
    at: db.prepare<[string, number], Omit<LogRow, 'old_value'>>(
      'SELECT id, name, created, deleted, create_revision, prev_revision, value FROM log WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1'),
    /**
     * For each name in [lo, hi) written after revision R, its first write after R (which
     * records the state at R). Two plans: walk the names in range (index on name), or walk
     * the revisions after R (`+name` keeps SQLite off the name index); see history.ts.
     */
    firstAfterByName: db.prepare<[number, string, string | Buffer], PrevRow>(
      `SELECT ${PREV_COLS} FROM log l WHERE l.id IN (SELECT MIN(id) FROM log WHERE id > ? AND name >= ? AND name < ? GROUP BY name)`),
    firstAfterById: db.prepare<[{ rev: number; lo: string; hi: string | Buffer }], PrevRow>(
      `SELECT ${PREV_COLS} FROM log l WHERE l.id > @rev AND +l.name >= @lo AND +l.name < @hi AND NOT EXISTS
       (SELECT 1 FROM log p WHERE p.name = l.name AND p.id > @rev AND p.id < l.id)`),
    /** Log rows in (after, upTo] with names in [lo, hi), in revision order. */
    range: db.prepare<[number, number, string, string | Buffer, number], LogRow>(
      `SELECT ${ROW_COLS} FROM log l WHERE l.id > ? AND l.id <= ? AND l.name >= ? AND l.name < ? ORDER BY l.id LIMIT ?`),
    /** Rows superseded by a write in (a, b]. */
    superseded: db.prepare<[number, number], { id: number }>(
      'SELECT prev_revision AS id FROM log WHERE id > ? AND id <= ? AND prev_revision > 0'),
    deleteId: db.prepare<[number]>('DELETE FROM log WHERE id = ?'),
    deleteTombstones: db.prepare<[number, number]>('DELETE FROM log WHERE id > ? AND id <= ? AND deleted = 1'),
  };
}
export type Statements = ReturnType<typeof prepare>;

const EMPTY = Buffer.alloc(0);

/** The key's state this row created (for delete rows, which need old_value: the deleted value at the delete's revision). */
export function rowKv(r: Omit<LogRow, 'old_value'> & { old_value?: Buffer | null }): KeyValue {
  return { key: r.name, value: (r.deleted ? r.old_value : r.value) ?? EMPTY, createRevision: r.create_revision, modRevision: r.id };
}

/** The key's state just before this row, or undefined if the row created it. */
export function rowPrevKv(r: PrevRow): KeyValue | undefined {
  if (r.created) return undefined;
  return { key: r.name, value: r.old_value ?? EMPTY, createRevision: r.create_revision, modRevision: r.prev_revision };
}

export function rowEvent(r: LogRow): WatchEvent {
  const ev: WatchEvent = { type: r.deleted ? 'DELETE' : 'PUT', kv: rowKv(r), created: r.created === 1 };
  const prev = rowPrevKv(r);
  if (prev) ev.prevKv = prev;
  return ev;
}

/** '' and '/' both mean every key. */
export const normPrefix = (prefix: string): string => (prefix === '/' ? '' : prefix);

/** The smallest string above every string starting with `prefix` (undefined: unbounded). */
export function prefixEnd(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return undefined;
}
