/** ObjectSource over shared informers, asking the API directly while a cache is not synced. */
import type { ConfigMap, Secret, Service } from 'kubernetes-types/core/v1.js';
import { NotFoundError } from '../../api/errors.js';
import type { Client, Informer } from '../../client/index.js';
import type { KubeObject } from '../../api/object.js';
import type { ObjectSource } from './objects.js';

async function lookup<T>(client: Client, inf: Informer<KubeObject>, ns: string, name: string): Promise<T | undefined> {
  const hit = inf.getByName(name, ns);
  if (hit || inf.hasSynced()) return hit as T | undefined;
  try {
    return await client.get({ apiVersion: 'v1', kind: inf.resource.kind }, name, { namespace: ns }) as T;
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

export function informerObjects(client: Client, informers: { configMaps: Informer<KubeObject>; secrets: Informer<KubeObject>; services: Informer<KubeObject> }): ObjectSource {
  let version = 0;
  const bump = () => { version++; };
  informers.services.addEventHandler({ onAdd: bump, onUpdate: bump, onDelete: bump });
  return {
    configMap: (ns, name) => lookup<ConfigMap>(client, informers.configMaps, ns, name),
    secret: (ns, name) => lookup<Secret>(client, informers.secrets, ns, name),
    services: ns => informers.services.listByNamespace(ns) as Service[],
    // Until synced, the cache is still filling: no version, so nothing is reused.
    servicesVersion: () => informers.services.hasSynced() ? version : undefined,
  };
}
