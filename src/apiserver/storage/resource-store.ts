/**
 * Generic REST storage for one resource over the revisioned Store: keys, codec,
 * NotFound/AlreadyExists/Conflict with upstream's messages, continue tokens and
 * retried compare-and-swap updates (like the apiserver's GuaranteedUpdate).
 */
import type { Store, KeyValue, WatchEvent, Watch } from '../../store/types.js';
import type { KubeObject } from '../../api/object.js';
import { qualifiedResource, type ResourceInfo } from '../../api/resources.js';
import {
  AlreadyExistsError, BadRequestError, ConflictError, GoneError, KubelingError, NotFoundError,
} from '../../api/errors.js';
import { decode, encode, settled, withRevision, type KnownParts } from './codec.js';
import { listPrefix, objectKey } from './keys.js';

export interface ListPage {
  /** The objects (empty with `undecoded`). */
  items: KubeObject[];
  /** With `undecoded`: the objects' KeyValues, not decoded. */
  kvs?: KeyValue[];
  revision: number;
  continueToken?: string;
  remaining?: number;
}

export interface ListParams {
  namespace?: string;
  limit?: number;
  continueToken?: string;
  /** Exact revision to read at (0 = current). */
  revision?: number;
  /** Keep only objects this accepts; the limit counts kept objects. */
  filter?: (o: KubeObject) => boolean;
  /** Narrow the scan to one name (from a metadata.name field selector). */
  name?: string;
  /** Without a filter: return the KeyValues in `kvs` instead of decoding them into `items`. */
  undecoded?: boolean;
}

/** encode's buffers are the write's own and never changed: the store keeps them as they are. */
const HAND_OVER = { handOver: true };

interface ContinueToken { v: string; rv: number; start: string }

export class ResourceStore {
  constructor(readonly store: Store, readonly ri: ResourceInfo) {}

  key(ns: string | undefined, name: string): string { return objectKey(this.ri, ns, name); }

  notFound(name: string): NotFoundError {
    return new NotFoundError(`${qualifiedResource(this.ri)} "${name}" not found`,
      { name, group: this.ri.group || undefined, kind: this.ri.plural });
  }

  conflict(name: string): ConflictError {
    return new ConflictError(`Operation cannot be fulfilled on ${qualifiedResource(this.ri)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: this.ri.group || undefined, kind: this.ri.plural });
  }

  async getKv(ns: string | undefined, name: string, revision?: number): Promise<KeyValue | undefined> {
    return this.store.get(this.key(ns, name), revision || undefined);
  }

  async get(ns: string | undefined, name: string, revision?: number): Promise<KubeObject> {
    const kv = await this.getKv(ns, name, revision);
    if (!kv) throw this.notFound(name);
    return decode(kv);
  }

  async list(p: ListParams): Promise<ListPage> {
    let start: string | undefined;
    let revision = p.revision ?? 0;
    if (p.continueToken) {
      const tok = decodeContinue(p.continueToken);
      start = tok.start;
      revision = tok.rv;
    }
    if (p.name !== undefined) {
      const kv = await this.store.get(this.key(p.namespace, p.name), revision || undefined);
      const rev = revision || this.store.currentRevision();
      if (p.undecoded && !p.filter) return { items: [], kvs: kv ? [kv] : [], revision: rev };
      const items = kv ? [decode(kv)].filter(o => !p.filter || p.filter(o)) : [];
      return { items, revision: rev };
    }
    const prefix = listPrefix(this.ri, p.namespace);
    const raw = p.undecoded && !p.filter;
    const items: KubeObject[] = [];
    const kvs: KeyValue[] | undefined = raw ? [] : undefined;
    const want = p.limit && p.limit > 0 ? p.limit : 0;
    let readAt = revision;
    // Scan in chunks until we have `limit` accepted objects or run out.
    for (;;) {
      const chunk = want ? Math.max(want - items.length, 100) : 0;
      let res;
      try {
        res = await this.store.list(prefix, { limit: chunk, startAfter: start, revision: readAt || undefined });
      } catch (e) {
        if (e instanceof GoneError && p.continueToken) {
          throw new GoneError('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
        }
        throw e;
      }
      readAt = res.revision;
      for (let i = 0; i < res.items.length; i++) {
        const kv = res.items[i];
        if (kvs) kvs.push(kv);
        else {
          const o = decode(kv);
          if (!p.filter || p.filter(o)) items.push(o);
        }
        start = kv.key;
        if (want && (kvs ?? items).length >= want) {
          const more = res.remaining > 0 || i < res.items.length - 1;
          return {
            items, kvs, revision: readAt,
            continueToken: more ? encodeContinue({ v: 'meta.k8s.io/v1', rv: readAt, start }) : undefined,
            remaining: more && !p.filter ? res.remaining + (res.items.length - 1 - i) : undefined,
          };
        }
      }
      if (!want || res.remaining === 0) return { items, kvs, revision: readAt };
    }
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    const m = obj.metadata!;
    const key = this.key(m.namespace, m.name!);
    const bytes = encode(obj, key);
    let kv: KeyValue | undefined;
    try {
      kv = await this.store.create(key, bytes, HAND_OVER);
      return withRevision(obj, kv.modRevision);
    } catch (e) {
      if (e instanceof AlreadyExistsError) {
        throw new AlreadyExistsError(`${qualifiedResource(this.ri)} "${m.name}" already exists`,
          { name: m.name, group: this.ri.group || undefined, kind: this.ri.plural });
      }
      throw e;
    } finally {
      settled(key, bytes, kv);
    }
  }

  /**
   * Read-modify-write with compare-and-swap. `mutate` gets a private copy of the current
   * object and returns the new one (or null for "no change"). With `readOnly` it gets the
   * shared decoded object instead and promises not to change it: it builds a new object
   * (which may share unchanged parts, but has a `metadata` of its own). When the caller
   * pinned a resourceVersion, a stale one is a Conflict; otherwise lost races are retried.
   */
  async update(ns: string | undefined, name: string,
    mutate: (cur: KubeObject) => KubeObject | null | Promise<KubeObject | null>,
    opts: {
      pinned?: () => string | undefined; deleteInstead?: (next: KubeObject) => boolean; readOnly?: boolean;
      /** Parts of `next` whose JSON the caller knows from `cur` (see codec's KnownParts). */
      known?: (cur: KubeObject, next: KubeObject) => KnownParts | undefined;
    } = {}): Promise<{ obj: KubeObject; changed: boolean; deleted?: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.getKv(ns, name);
      if (!kv) throw this.notFound(name);
      const cur = opts.readOnly ? decode(kv) : structuredClone(decode(kv));
      const next = await mutate(cur);
      if (next === null) return { obj: decode(kv), changed: false };
      const pinned = opts.pinned?.();
      if (pinned && pinned !== String(kv.modRevision)) throw this.conflict(name);
      try {
        // An update that completes a deletion (last finalizer gone) removes the object in the same step.
        if (opts.deleteInstead?.(next)) {
          const gone = await this.store.delete(kv.key, kv.modRevision);
          return { obj: withRevision(next, gone.modRevision), changed: true, deleted: true };
        }
        const bytes = encode(next, kv.key, opts.known?.(cur, next));
        let out: KeyValue | undefined;
        try {
          out = await this.store.update(kv.key, bytes, kv.modRevision, HAND_OVER);
          return { obj: withRevision(next, out.modRevision), changed: true };
        } finally {
          settled(kv.key, bytes, out);
        }
      } catch (e) {
        if (e instanceof ConflictError) {
          if (pinned || attempt > 20) throw this.conflict(name);
          continue;
        }
        if (e instanceof NotFoundError) throw this.notFound(name);
        throw e;
      }
    }
  }

  async remove(ns: string | undefined, name: string, expectedRevision?: number): Promise<KubeObject> {
    try {
      const kv = await this.store.delete(this.key(ns, name), expectedRevision);
      return decode(kv);
    } catch (e) {
      if (e instanceof NotFoundError) throw this.notFound(name);
      if (e instanceof ConflictError) throw this.conflict(name);
      throw e;
    }
  }

  watch(ns: string | undefined, afterRevision: number, onEvents: (evs: WatchEvent[]) => void, onError: (e: Error) => void): Watch {
    return this.store.watch(listPrefix(this.ri, ns), { afterRevision }, onEvents, onError);
  }
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
    return t;
  } catch {
    throw new BadRequestError('continue key is not valid: illegal base64 data or malformed token');
  }
}

export function isKubelingError(e: unknown): e is KubelingError { return e instanceof KubelingError; }
