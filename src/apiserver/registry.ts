/**
 * The set of resource stores over one Store, plus the cross-resource checks
 * handlers need (does the namespace exist, is it terminating).
 */
import type { Store } from '../store/types.js';
import { RESOURCES, findResource, type ResourceInfo } from '../api/resources.js';
import { ForbiddenError, NotFoundError } from '../api/errors.js';
import { ResourceStore } from './storage/resource-store.js';
import { decode } from './storage/codec.js';
import { ServiceAllocator } from './strategy/service-alloc.js';
import type { ServiceAccountTokens } from './auth/sa-token.js';

export class Registry {
  #stores = new Map<ResourceInfo, ResourceStore>();
  /** By `group/version/plural`: admission looks stores up by name on every create. */
  #byName = new Map<string, ResourceStore>();
  readonly serviceIps: ServiceAllocator;
  /** Signs and checks service-account tokens (set when the server has a signing key). */
  serviceAccountTokens?: ServiceAccountTokens;
  /**
   * Reject pods whose `default` service account does not exist, as upstream's ServiceAccount
   * admission does (a missing account named explicitly is always refused). Only for servers
   * whose controller manager creates `default` accounts; otherwise such pods are admitted
   * without the token volume.
   */
  requireServiceAccount = false;
  constructor(readonly store: Store, serviceCidr = '10.43.0.0/16') {
    for (const ri of RESOURCES) {
      const rs = new ResourceStore(store, ri);
      this.#stores.set(ri, rs);
      this.#byName.set(`${ri.group}/${ri.version}/${ri.plural}`, rs);
    }
    this.serviceIps = new ServiceAllocator(this.byName('', 'v1', 'services'), serviceCidr);
  }

  for(ri: ResourceInfo): ResourceStore {
    return this.#stores.get(ri)!;
  }

  byName(group: string, version: string, plural: string): ResourceStore {
    return this.#byName.get(`${group}/${version}/${plural}`) ?? this.for(findResource(group, version, plural)!);
  }

  get namespaces(): ResourceStore { return this.byName('', 'v1', 'namespaces'); }

  /** Creating in a namespace needs it to exist and not be terminating (upstream's NamespaceLifecycle). */
  async checkNamespaceForCreate(ns: string): Promise<void> {
    const kv = await this.namespaces.getKv(undefined, ns);
    if (!kv) throw new NotFoundError(`namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    const obj = decode(kv);
    if (obj.metadata?.deletionTimestamp || obj.status?.phase === 'Terminating') {
      throw new ForbiddenError(`unable to create new content in namespace ${ns} because it is being terminated`,
        { name: ns, kind: 'namespaces', causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }] });
    }
  }
}
