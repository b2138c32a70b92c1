/**
 * pod-template-hash and template identity. Upstream hashes the Go struct's printed form
 * with FNV-32a; we hash the canonical JSON of the template (stable across restarts and
 * key order), plus the collision count, and encode the decimal sum like rand.SafeEncodeString.
 */
import type { KubeObject } from '../../api/object.js';
import { canonicalJson } from '../controller-utils.js';
import { HASH_LABEL } from './annotations.js';
import { byCreation, type RS } from './replicas.js';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

export function computeHash(template: unknown, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return [...String(h)].map(c => ALPHANUMS[c.charCodeAt(0) % ALPHANUMS.length]).join('');
}

/** Same template once the pod-template-hash label is ignored. */
export function equalIgnoreHash(a: KubeObject | undefined, b: KubeObject | undefined): boolean {
  const strip = (t: KubeObject | undefined) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels[HASH_LABEL];
    return canonicalJson(c);
  };
  return strip(a) === strip(b);
}

/** The oldest set whose template is the Deployment's (the "new" ReplicaSet). */
export function findNewReplicaSet(d: KubeObject, sets: RS[]): RS | undefined {
  return [...sets].sort(byCreation).find(rs => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}
