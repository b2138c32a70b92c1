/**
 * Sets of field paths, as server-side apply tracks ownership (structured-merge-diff's
 * fieldpath.Set), stored as a trie of path elements in their FieldsV1 spelling:
 * `f:<field>`, `k:<json of key fields>` (list-map item), `v:<json>` (set item),
 * `i:<index>`. A node is a member when the path ending there is in the set; FieldsV1
 * writes that as `{}` for a leaf and `".": {}` beside the children otherwise.
 */
import { isObject, type JsonObject } from './json.js';

export type Path = readonly string[];

/** The children of every node that has none (most are leaves): never changed, see #add. */
const NO_CHILDREN: ReadonlyMap<string, FieldSet> = new Map();

export class FieldSet {
  #member = false;
  #children = NO_CHILDREN as Map<string, FieldSet>;
  /** toFieldsV1's output, kept: sets are not changed once built (insert forgets it). */
  #fieldsV1: JsonObject | undefined;

  static fromPaths(paths: Iterable<Path>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Decodes a FieldsV1 object (unknown shapes are ignored, as upstream does). */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (!isObject(v)) return s;
    for (const pe of Object.keys(v)) {
      if (pe === '.') continue;
      const sub = v[pe];
      const child = FieldSet.fromFieldsV1(sub);
      child.#member = !isObject(sub) || child.#children.size === 0 || Object.prototype.hasOwnProperty.call(sub, '.');
      s.#add(pe, child);
    }
    return s;
  }

  /** Adds a child (a leaf's first one gets the node a Map of its own). */
  #add(pe: string, child: FieldSet): void {
    if (this.#children === NO_CHILDREN) this.#children = new Map();
    this.#children.set(pe, child);
  }

  /**
   * A FieldsV1 object known to be written as toFieldsV1 writes its set (one the server
   * stored): the set, which hands out that very object as its encoding.
   */
  static fromCanonicalFieldsV1(v: JsonObject): FieldSet {
    const s = FieldSet.fromFieldsV1(v);
    s.#fieldsV1 = v;
    return s;
  }

  /** The set's FieldsV1, built once: shared, never to be changed by the caller. */
  toFieldsV1(): JsonObject {
    return this.#fieldsV1 ??= this.#encode(false);
  }

  /**
   * Built in place, in the order JSON.stringify will write: `".": {}` first for a member
   * with children ('.' sorts before every path element), then the children sorted. Every
   * status write encodes its writer's set, so no intermediate copies.
   */
  #encode(dot: boolean): JsonObject {
    const out: JsonObject = {};
    if (dot) out['.'] = {};
    const kids = this.#children;
    if (kids.size === 0) return out;
    if (kids.size === 1) {
      for (const [pe, child] of kids) out[pe] = child.#encode(child.#member && child.#children.size > 0);
      return out;
    }
    const keys = [...kids.keys()];
    // In place for the usual handful of children: Array.prototype.sort allocates a copy to work in.
    if (keys.length > 16) keys.sort();
    else {
      for (let i = 1; i < keys.length; i++) {
        const k = keys[i];
        let j = i - 1;
        for (; j >= 0 && keys[j] > k; j--) keys[j + 1] = keys[j];
        keys[j + 1] = k;
      }
    }
    for (let i = 0; i < keys.length; i++) {
      const child = kids.get(keys[i])!;
      out[keys[i]] = child.#encode(child.#member && child.#children.size > 0);
    }
    return out;
  }

  insert(path: Path): this {
    this.#fieldsV1 = undefined;
    let node: FieldSet = this;
    for (const pe of path) {
      let next = node.#children.get(pe);
      if (!next) node.#add(pe, next = new FieldSet());
      node = next;
    }
    if (path.length > 0) node.#member = true;
    return this;
  }

  child(pe: string): FieldSet | undefined {
    return this.#children.get(pe);
  }

  /** True when `path` itself is a member. */
  has(path: Path): boolean {
    const n = this.#at(path);
    return !!n && n.#member;
  }

  /** True when `path` or anything below it is a member. */
  ownsAnyAt(path: Path): boolean {
    const n = this.#at(path);
    return !!n && (n.#member || !n.isEmpty());
  }

  #at(path: Path): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const pe of path) {
      if (!node) return undefined;
      node = node.#children.get(pe);
    }
    return node;
  }

  isEmpty(): boolean {
    for (const c of this.#children.values()) if (c.#member || !c.isEmpty()) return false;
    return true;
  }

  /** Every member path, depth first in path-element order. */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (n: FieldSet, prefix: string[]): void => {
      for (const pe of [...n.#children.keys()].sort()) {
        const c = n.#children.get(pe)!;
        const p = [...prefix, pe];
        if (c.#member) out.push(p);
        walk(c, p);
      }
    };
    walk(this, []);
    return out;
  }

  /** Path elements directly below the root that lead to members. */
  elements(): string[] {
    return [...this.#children].filter(([, c]) => c.#member || !c.isEmpty()).map(([pe]) => pe);
  }

  // The set operations below walk both tries at once and build a fresh, pruned trie
  // (only nodes on the way to a member), the same set fromPaths(paths()) would give.

  union(o: FieldSet): FieldSet {
    return FieldSet.#combine(this, o, (a, b) => a || b, true) ?? new FieldSet();
  }

  /** Members of this set that are not members of `o` (children are not implied). */
  difference(o: FieldSet): FieldSet {
    return FieldSet.#combine(this, o, (a, b) => a && !b, false) ?? new FieldSet();
  }

  intersection(o: FieldSet): FieldSet {
    return FieldSet.#combine(this, o, (a, b) => a && b, false) ?? new FieldSet();
  }

  /** This set without `o`'s members: `this` itself when they share none (sets are not changed after decoding). */
  minus(o: FieldSet): FieldSet {
    return FieldSet.#overlaps(this, o) ? this.difference(o) : this;
  }

  /** This set with `o`'s members: `this` itself when it has them all already. */
  plus(o: FieldSet): FieldSet {
    return FieldSet.#covers(this, o) ? this : this.union(o);
  }

  static #overlaps(a: FieldSet, b: FieldSet): boolean {
    for (const [pe, bc] of b.#children) {
      const ac = a.#children.get(pe);
      if (ac !== undefined && ((ac.#member && bc.#member) || FieldSet.#overlaps(ac, bc))) return true;
    }
    return false;
  }

  static #covers(a: FieldSet, b: FieldSet): boolean {
    for (const [pe, bc] of b.#children) {
      const ac = a.#children.get(pe);
      if (ac === undefined) { if (bc.#member || !bc.isEmpty()) return false; continue; }
      if ((bc.#member && !ac.#member) || !FieldSet.#covers(ac, bc)) return false;
    }
    return true;
  }

  /** Drops `path` and everything below it. */
  without(path: Path): FieldSet {
    return FieldSet.#without(this, path, 0) ?? new FieldSet();
  }

  /**
   * Node-by-node combination: `keep` decides membership from the two sides; `both`
   * says whether children only `b` has are visited (union) or not (difference, intersection).
   */
  static #combine(a: FieldSet | undefined, b: FieldSet | undefined, keep: (x: boolean, y: boolean) => boolean, both: boolean, root = true): FieldSet | undefined {
    const out = new FieldSet();
    out.#member = !root && keep(a !== undefined && a.#member, b !== undefined && b.#member);
    if (a) {
      for (const [pe, c] of a.#children) {
        const r = FieldSet.#combine(c, b === undefined ? undefined : b.#children.get(pe), keep, both, false);
        if (r) out.#add(pe, r);
      }
    }
    if (both && b) {
      for (const [pe, c] of b.#children) {
        if (a !== undefined && a.#children.has(pe)) continue;
        const r = FieldSet.#combine(undefined, c, keep, both, false);
        if (r) out.#add(pe, r);
      }
    }
    return out.#member || out.#children.size > 0 ? out : undefined;
  }

  static #without(a: FieldSet, path: Path, i: number): FieldSet | undefined {
    if (i === path.length) return undefined;
    const out = new FieldSet();
    out.#member = i > 0 && a.#member;
    for (const [pe, c] of a.#children) {
      const r = pe === path[i] ? FieldSet.#without(c, path, i + 1) : FieldSet.#combine(c, undefined, x => x, false, false);
      if (r) out.#add(pe, r);
    }
    return out.#member || out.#children.size > 0 ? out : undefined;
  }

  equals(o: FieldSet): boolean {
    const a = this.paths().map(p => p.join('\u0000')), b = o.paths().map(p => p.join('\u0000'));
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
}

export function startsWith(p: Path, prefix: Path): boolean {
  return prefix.length <= p.length && prefix.every((pe, i) => p[i] === pe);
}

/** A path the way kube-apiserver prints it in conflicts: `.spec.containers[name="c"].image`. */
export function formatPath(path: Path): string {
  return path.map(pe => {
    const kind = pe.slice(0, 2), body = pe.slice(2);
    if (kind === 'f:') return '.' + body;
    if (kind === 'i:') return `[${body}]`;
    if (kind === 'v:') return `[=${body}]`;
    if (kind === 'k:') {
      const keys = JSON.parse(body) as Record<string, unknown>;
      return '[' + Object.keys(keys).sort().map(k => `${k}=${JSON.stringify(keys[k])}`).join(',') + ']';
    }
    return pe;
  }).join('');
}
