/**
 * The garbage collector's owner → dependents graph. Upstream keeps its own uid-keyed
 * graph fed by monitors; here the shared informers' indices are the graph: objects by uid
 * and by the uids of their owners, across every watched resource.
 */
import { NotFoundError } from '../api/errors.js';
import type { KubeObject, OwnerReference } from '../api/object.js';
import { RESOURCES, apiVersionOf, findByKind, type ResourceInfo } from '../api/resources.js';
import { indexByOwnerUid, type Client, type IndexFunc, type Informer, type SharedInformerFactory } from '../client/index.js';
import { OWNER_UID_INDEX, UID_INDEX } from './controller-utils.js';

export interface Node { ri: ResourceInfo; obj: KubeObject }

/** Kinds the collector watches: everything that can own or be owned (events never are). */
export function collectedResources(): ResourceInfo[] {
  return RESOURCES.filter(ri => ri.kind !== 'Event' && ['list', 'watch', 'delete'].every(v => ri.verbs.includes(v)));
}

const indexByUid: IndexFunc = o => (o.metadata?.uid ? [o.metadata.uid] : []);

export type OwnerState = { kind: 'absent' } | { kind: 'present'; obj: KubeObject } | { kind: 'unknown' };

export class OwnerGraph {
  readonly informers: Array<Informer<KubeObject>>;
  readonly #byResource = new Map<ResourceInfo, Informer<KubeObject>>();
  /** `apiVersion|kind` → informer, for owner references. */
  readonly #byKind = new Map<string, Informer<KubeObject>>();
  readonly #client: Client;
  /** Owners a live read proved absent (upstream's absentOwnerCache), bounded. */
  readonly #absent = new Set<string>();

  constructor(client: Client, factory: SharedInformerFactory) {
    this.#client = client;
    this.informers = collectedResources().map(ri => {
      const inf = factory.informerFor(ri);
      inf.addIndexer(UID_INDEX, indexByUid);
      inf.addIndexer(OWNER_UID_INDEX, indexByOwnerUid);
      this.#byResource.set(ri, inf);
      this.#byKind.set(`${apiVersionOf(ri)}|${ri.kind}`, inf);
      return inf;
    });
  }

  /** The cached object with this uid, in whichever resource it lives. */
  find(uid: string): Node | undefined {
    for (const inf of this.informers) {
      const obj = inf.byIndex(UID_INDEX, uid)[0];
      if (obj) return { ri: inf.resource, obj };
    }
    return undefined;
  }

  /** Cached objects listing `uid` among their owners. */
  dependents(uid: string): Node[] {
    const out: Node[] = [];
    for (const inf of this.informers) for (const obj of inf.byIndex(OWNER_UID_INDEX, uid)) out.push({ ri: inf.resource, obj });
    return out;
  }

  /**
   * Known to the cache as the object the reference names. Looked up in the informer of the
   * reference's kind first (one index read, on every event of every dependent), else by uid
   * across every watched resource.
   */
  cachedOwner(ref: OwnerReference): KubeObject | undefined {
    const inf = this.#byKind.get(`${ref.apiVersion}|${ref.kind}`);
    const obj = (inf && inf.byIndex(UID_INDEX, ref.uid)[0]) ?? this.find(ref.uid)?.obj;
    return obj && obj.kind === ref.kind && obj.metadata?.name === ref.name ? obj : undefined;
  }

  /**
   * Whether the owner a dependent names exists: the cache first, then a live read (the
   * cache may lag). A namespaced owner is looked up in the dependent's namespace.
   */
  async owner(ref: OwnerReference, dependent: Node): Promise<OwnerState> {
    const cached = this.cachedOwner(ref);
    if (cached) return { kind: 'present', obj: cached };
    if (this.#absent.has(ref.uid)) return { kind: 'absent' };
    const ri = findByKind(ref.apiVersion, ref.kind);
    if (!ri) return { kind: 'unknown' }; // a kind we do not serve: never assume it is gone
    // A cluster-scoped dependent cannot have a namespaced owner: the reference is invalid.
    if (ri.namespaced && !dependent.ri.namespaced) return this.#markAbsent(ref.uid);
    try {
      const obj = await this.#client.get(ri, ref.name, { namespace: ri.namespaced ? dependent.obj.metadata?.namespace : undefined });
      if (obj.metadata?.uid !== ref.uid) return this.#markAbsent(ref.uid);
      return { kind: 'present', obj };
    } catch (e) {
      if (e instanceof NotFoundError) return this.#markAbsent(ref.uid);
      throw e;
    }
  }

  #markAbsent(uid: string): OwnerState {
    if (this.#absent.size >= 2000) this.#absent.delete(this.#absent.values().next().value!);
    this.#absent.add(uid);
    return { kind: 'absent' };
  }
}

export function hasFinalizer(o: KubeObject, f: string): boolean {
  return !!o.metadata?.finalizers?.includes(f);
}

export const ORPHAN = 'orphan';
export const FOREGROUND = 'foregroundDeletion';

/** Being deleted in the foreground: waits for its blocking dependents. */
export function deletingDependents(o: KubeObject): boolean {
  return !!o.metadata?.deletionTimestamp && hasFinalizer(o, FOREGROUND);
}
