/**
 * Reads at a past revision R (compact <= R < current). The live index answers for every
 * key not written since R; for keys written since, their first write after R records
 * the state at R (its prev_revision, whose row holds the value), and such rows are never compacted
 * because they lie above R. For a recent R the same facts come from the events held in
 * memory (prevKv), so a paginated list continuing at its first page's revision costs
 * about as much as a current one plus the writes since R, without SQL.
 */
import type { KeyIndex } from './keyindex.js';
import { rowKv, rowPrevKv, upper, type Statements } from './log.js';
import type { RecentEvents } from './recent.js';
import type { KeyValue } from './types.js';

export function getAt(index: KeyIndex, stmts: Statements, key: string, rev: number): KeyValue | undefined {
  const cur = index.get(key);
  if (cur && cur.modRevision <= rev) return cur;
  const row = stmts.at.get(key, rev);
  return row && !row.deleted ? rowKv(row) : undefined;
}

/** Keys in [lo, hi) as of `rev` (< `current`), in key order, at most `limit` (0 = all). */
export function listAt(
  index: KeyIndex, stmts: Statements, recent: RecentEvents,
  lo: string, hi: string | undefined, limit: number, rev: number, current: number,
): { items: KeyValue[]; remaining: number } {
  const [keys, a, b] = index.range(lo, hi);
  const changed = changedSince(stmts, recent, lo, hi, rev, current, b - a);
  let total = b - a;
  const older: KeyValue[] = [];
  for (const [key, kvAtRev] of changed) {
    if (index.get(key)) total--;
    if (kvAtRev) { total++; older.push(kvAtRev); }
  }
  older.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));

  // Merge the unchanged live keys with the old versions of the changed ones.
  const want = limit > 0 ? Math.min(limit, total) : total;
  const items: KeyValue[] = [];
  let i = a, j = 0;
  while (items.length < want) {
    while (i < b && changed.has(keys[i])) i++;
    if (j < older.length && (i >= b || older[j].key < keys[i])) items.push(older[j++]);
    else if (i < b) items.push(index.get(keys[i++])!);
    else break;
  }
  return { items, remaining: total - items.length };
}

/** Every key in [lo, hi) written after `rev`, mapped to its state at `rev` (undefined: absent). */
function changedSince(
  stmts: Statements, recent: RecentEvents, lo: string, hi: string | undefined, rev: number, current: number, live: number,
): Map<string, KeyValue | undefined> {
  const changed = new Map<string, KeyValue | undefined>();
  const inRange = (k: string) => k >= lo && (hi === undefined || k < hi);
  const events = recent.between(rev, current);
  if (events) {
    for (const e of events) {
      if (inRange(e.kv.key) && !changed.has(e.kv.key)) changed.set(e.kv.key, e.created ? undefined : e.prevKv);
    }
    return changed;
  }
  // Scanning revisions after R costs exactly (current - R) rows; scanning the names in
  // range costs every version of every key there, at least `live`. Pick the cheaper.
  const rows = current - rev <= 2 * live + 1000
    ? stmts.firstAfterById.iterate({ rev, lo, hi: upper(hi) })
    : stmts.firstAfterByName.iterate(rev, lo, upper(hi));
  for (const row of rows) if (inRange(row.name)) changed.set(row.name, rowPrevKv(row));
  return changed;
}
