/** Objects every cluster starts with: the system namespaces. Safe to run on every start. */
import type { Registry } from '../apiserver/registry.js';
import { findResource } from '../api/resources.js';
import { AlreadyExistsError } from '../api/errors.js';
import { randomUUID } from 'node:crypto';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrapCluster(registry: Registry): Promise<void> {
  const ns = registry.for(findResource('', 'v1', 'namespaces')!);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const name of SYSTEM_NAMESPACES) {
    if (await ns.getKv(undefined, name)) continue;
    try {
      await ns.create({
        apiVersion: 'v1', kind: 'Namespace',
        metadata: { name, uid: randomUUID(), creationTimestamp: now, labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
      });
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
  }
}
