/**
 * An informer's local cache: objects by key plus secondary indices (client-go's
 * thread-safe store + indexer). Only the informer writes to it.
 */
import type { KubeObject } from '../api/object.js';
import { keyOf, type ObjectLike } from './paths.js';

/** Values an object is filed under in one index (e.g. its node name). */
export type IndexFunc<T extends ObjectLike = KubeObject> = (obj: T) => string[];

export const NAMESPACE_INDEX = 'namespace';

type WithOwners = { metadata?: { readonly ownerReferences?: ReadonlyArray<{ readonly uid: string; readonly controller?: boolean }> } };

export const indexByNamespace = (o: ObjectLike): string[] => (o.metadata?.namespace ? [o.metadata.namespace] : []);
/** Pods by `spec.nodeName` (unscheduled pods are filed under nothing). */
export const indexByNodeName = (o: { spec?: { nodeName?: string } }): string[] => (o.spec?.nodeName ? [o.spec.nodeName] : []);
/** Objects by the uid of every owner in `metadata.ownerReferences`. */
export const indexByOwnerUid = (o: WithOwners): string[] => (o.metadata?.ownerReferences ?? []).map(r => r.uid);
/** Objects by the uid of their controller owner (`controller: true`). */
export const indexByControllerUid = (o: WithOwners): string[] => (o.metadata?.ownerReferences ?? []).filter(r => r.controller).map(r => r.uid);

export class Cache<T extends ObjectLike = KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #funcs = new Map<string, IndexFunc<T>>();
  /** index name → value → keys */
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  constructor() {
    this.addIndexer(NAMESPACE_INDEX, indexByNamespace);
  }

  get size(): number { return this.#items.size; }

  /** Registers an index; objects already cached are filed at once. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.#funcs.has(name)) throw new Error(`indexer "${name}" already registered`);
    this.#funcs.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.#indices.set(name, idx);
    for (const [key, obj] of this.#items) file(idx, fn(obj), key);
  }

  hasIndexer(name: string): boolean { return this.#funcs.has(name); }

  get(key: string): T | undefined { return this.#items.get(key); }

  list(): T[] { return [...this.#items.values()]; }

  keys(): string[] { return [...this.#items.keys()]; }

  byIndex(name: string, value: string): T[] {
    const idx = this.#indices.get(name);
    if (!idx) throw new Error(`no indexer "${name}"`);
    const keys = idx.get(value);
    return keys ? [...keys].map(k => this.#items.get(k)!) : [];
  }

  /** Values currently present in an index (e.g. every node name that has pods). */
  indexValues(name: string): string[] {
    return [...(this.#indices.get(name)?.keys() ?? [])];
  }

  /** Adds or replaces; returns the previous object. */
  set(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#funcs) {
      const idx = this.#indices.get(name)!;
      const now = fn(obj);
      if (old) {
        // Most updates (a status write) leave every index value as it was: nothing to refile.
        const before = fn(old);
        if (sameValues(before, now)) continue;
        unfile(idx, before, key);
      }
      file(idx, now, key);
    }
    return old;
  }

  /** Removes by key; returns the removed object. */
  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unfile(key, old);
    this.#items.delete(key);
    return old;
  }

  #unfile(key: string, obj: T): void {
    for (const [name, fn] of this.#funcs) unfile(this.#indices.get(name)!, fn(obj), key);
  }
}

function unfile(idx: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) {
    const set = idx.get(v);
    set?.delete(key);
    if (set && set.size === 0) idx.delete(v);
  }
}

function sameValues(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function file(idx: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) {
    let set = idx.get(v);
    if (!set) idx.set(v, (set = new Set()));
    set.add(key);
  }
}
