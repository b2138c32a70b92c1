/**
 * Reading objects as server-side apply does (structured-merge-diff's typed package):
 * the path element of a list item, the field set a configuration claims, and the
 * comparison of two versions of an object (added / modified / removed paths).
 *
 * Granularity comes from schema.ts: lists are atomic unless typed `map` (items keyed by
 * their key fields) or `set` (items keyed by value); maps are granular unless `atomic`.
 * Values a typed object always has (known structs, like Go's non-pointer struct fields,
 * and fields without omitempty) never become members by appearing; map keys and list
 * items do.
 */
import { BadRequestError } from '../errors.js';
import { deepEqual, isObject, type Json } from './json.js';
import { FieldSet, type Path } from './fieldset.js';
import { childField, elemField, alwaysPresent, type Field } from './schema.js';

export function granularList(f: Field | undefined): boolean {
  return f?.list === 'map' || f?.list === 'set';
}

/** A list-map's key fields in sorted order, sorted once per Field (they are static facts). */
const sortedKeys = new WeakMap<Field, string[]>();

/** The FieldsV1 path element of item `i` of a list described by `f`. */
export function itemElement(item: Json, f: Field | undefined, i: number): string {
  if (f?.list === 'map' && isObject(item)) {
    let keys = sortedKeys.get(f);
    if (!keys) sortedKeys.set(f, keys = [...(f.keys ?? [])].sort());
    if (keys.length === 1) {
      // One key field (name, type, uid: nearly every list map): the JSON written directly.
      const k = keys[0];
      const v = item[k] ?? f.keyDefaults?.[k];
      return v === undefined || v === null ? 'k:{}' : `k:{${JSON.stringify(k)}:${JSON.stringify(v)}}`;
    }
    const key: Record<string, Json> = {};
    for (const k of keys) {
      const v = item[k] ?? f.keyDefaults?.[k];
      if (v !== undefined && v !== null) key[k] = v;
    }
    return 'k:' + JSON.stringify(key);
  }
  if (f?.list === 'set') return 'v:' + JSON.stringify(item);
  return 'i:' + i;
}

/**
 * Path elements of every item. `strict` rejects duplicate keys, as for an applied
 * configuration; live objects may hold duplicates written by older patch flavours.
 */
export function itemElements(list: Json[], f: Field | undefined, where: Path, strict = false): string[] {
  const out = list.map((item, i) => itemElement(item, f, i));
  if (strict) {
    const seen = new Set<string>();
    for (const pe of out) {
      if (seen.has(pe)) throw new BadRequestError(`failed to create typed patch object: ${fmt(where)}: duplicate entries for key ${pe.slice(2)}`);
      seen.add(pe);
    }
  }
  return out;
}

function fmt(p: Path): string {
  return p.map(pe => (pe.startsWith('f:') ? '.' + pe.slice(2) : `[${pe.slice(2)}]`)).join('');
}

/** The fields a configuration sets: its leaves, list items and map keys. */
export function toFieldSet(value: Json, f: Field | undefined): FieldSet {
  const set = new FieldSet();
  collect(value, f, [], set);
  return set;
}

function collect(v: Json, f: Field | undefined, path: string[], set: FieldSet): void {
  if (isObject(v) && !f?.atomic) {
    for (const [k, c] of Object.entries(v)) {
      const p = [...path, 'f:' + k];
      if (c === null || (isObject(c) && Object.keys(c).length === 0) || f?.map) set.insert(p);
      collect(c, childField(f, k), p, set);
    }
  } else if (Array.isArray(v) && granularList(f)) {
    const ef = elemField(f);
    itemElements(v, f, path, true).forEach((pe, i) => {
      const p = [...path, pe];
      collect(v[i], ef, p, set);
      set.insert(p);
    });
  } else if (path.length > 0) {
    set.insert(path);
  }
}

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }

/** Where the walk reports each path that was added, modified or removed. */
interface Sink { added(path: Path): void; modified(path: Path): void; removed(path: Path): void }

/** What changed from `before` to `after` (either may be undefined: absent). */
export function compare(before: Json | undefined, after: Json | undefined, f: Field | undefined): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walk(before, after, f, [], false, { added: p => c.added.insert(p), modified: p => c.modified.insert(p), removed: p => c.removed.insert(p) });
  return c;
}

/** Changed (added or modified) and removed paths, as an ordinary write's ownership needs them. */
export interface Changes { changed: FieldSet; removed: FieldSet }

/**
 * compare's result as one set of added-or-modified paths and one of removed paths,
 * leaving out the paths `untracked` names (their children still count): what
 * `changed = added ∪ modified` and set differences would give, built in one walk.
 */
export function changes(before: Json | undefined, after: Json | undefined, f: Field | undefined, untracked: (path: Path) => boolean): Changes {
  const c: Changes = { changed: new FieldSet(), removed: new FieldSet() };
  const change = (p: Path) => { if (!untracked(p)) c.changed.insert(p); };
  walk(before, after, f, [], false, { added: change, modified: change, removed: p => { if (!untracked(p)) c.removed.insert(p); } });
  return c;
}

const SMALL_LIST = 16;

/** `path` is one array pushed and popped along the walk; sets copy what they keep. */
function walk(a: Json | undefined, b: Json | undefined, f: Field | undefined, path: string[], item: boolean, c: Sink): void {
  // The same value on both sides (a part a write left alone, shared with the stored object) has no changes.
  if (a === b) return;
  const maps = !f?.atomic && (a === undefined || isObject(a)) && (b === undefined || isObject(b));
  const lists = granularList(f) && (a === undefined || Array.isArray(a)) && (b === undefined || Array.isArray(b));
  if (maps && (a !== undefined || b !== undefined)) {
    const am = a as Record<string, Json> | undefined, bm = b as Record<string, Json> | undefined;
    if (am) {
      for (const k in am) {
        path.push('f:' + k);
        walk(am[k], bm?.[k], childField(f, k), path, false, c);
        path.pop();
      }
    }
    if (bm) {
      for (const k in bm) {
        if (am && Object.prototype.hasOwnProperty.call(am, k)) continue;
        path.push('f:' + k);
        walk(undefined, bm[k], childField(f, k), path, false, c);
        path.pop();
      }
    }
    if (item || !alwaysPresent(f)) mark(a, b, path, c);
  } else if (lists && (a !== undefined || b !== undefined)) {
    const al = (a ?? []) as Json[], bl = (b ?? []) as Json[];
    const ef = elemField(f);
    const ape = itemElements(al, f, path), bpe = itemElements(bl, f, path);
    // Short lists (nearly all: conditions, containers, ports) are searched, longer ones indexed.
    const small = ape.length <= SMALL_LIST && bpe.length <= SMALL_LIST;
    const before = small ? undefined : new Map(ape.map((pe, i) => [pe, al[i]]));
    const after = small ? undefined : new Set(bpe);
    for (let i = 0; i < bl.length; i++) {
      const pe = bpe[i];
      // A key held twice: the last item with it is the one compared, as a Map built in order keeps.
      const was = before ? before.get(pe) : al[ape.lastIndexOf(pe)];
      path.push(pe); walk(was, bl[i], ef, path, true, c); path.pop();
    }
    for (let i = 0; i < al.length; i++) {
      const pe = ape[i];
      if (after ? after.has(pe) : bpe.includes(pe)) continue;
      path.push(pe); walk(al[i], undefined, ef, path, true, c); path.pop();
    }
    if (!alwaysPresent(f)) mark(a, b, path, c);
  } else if (a === undefined) {
    if (b !== undefined) c.added(path);
  } else if (b === undefined) {
    c.removed(path);
  } else if (!deepEqual(a, b)) {
    c.modified(path);
  }
}

function mark(a: Json | undefined, b: Json | undefined, path: string[], c: Sink): void {
  if (path.length === 0) return;
  if (a === undefined) c.added(path);
  else if (b === undefined) c.removed(path);
}
