/** Object metadata the server owns: uid, creation time, generation, generateName. */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';

/** Kinds whose metadata.generation tracks spec changes (as upstream's strategies). */
const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob',
  'ReplicationController', 'PodDisruptionBudget', 'ControllerRevision']);

export function tracksGeneration(ri: ResourceInfo): boolean { return GENERATION_KINDS.has(ri.kind); }

// Upstream's generateName alphabet: no vowels or confusable digits.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return s;
}

let stampSecond = -1;
let stamp = '';

export function nowRfc3339(d?: Date): string {
  if (d) return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  // Every create stamps the time; the text only changes once a second.
  const sec = Math.floor(Date.now() / 1000);
  if (sec !== stampSecond) { stampSecond = sec; stamp = new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'); }
  return stamp;
}

/** Fills server-owned metadata on create; drops client-sent values the server owns. */
export function fillCreateMeta(ri: ResourceInfo, obj: KubeObject): void {
  const m = (obj.metadata ??= {});
  m.uid = randomUUID();
  m.creationTimestamp = nowRfc3339();
  // Deleting only what is there: a delete of a present field makes the object a slow dictionary.
  if (m.resourceVersion !== undefined) delete m.resourceVersion;
  if (m.deletionTimestamp !== undefined) delete m.deletionTimestamp;
  if (m.deletionGracePeriodSeconds !== undefined) delete m.deletionGracePeriodSeconds;
  if (tracksGeneration(ri)) m.generation = 1; else if (m.generation !== undefined) delete m.generation;
  if (m.selfLink !== undefined) delete m.selfLink;
}

/** Keeps what clients may not change on update, and bumps generation on spec changes. */
export function carryUpdateMeta(ri: ResourceInfo, next: KubeObject, prev: KubeObject): void {
  const m = (next.metadata ??= {});
  const p = prev.metadata!;
  m.uid = p.uid;
  m.creationTimestamp = p.creationTimestamp;
  m.name = p.name;
  if (p.namespace !== undefined) m.namespace = p.namespace;
  if (p.deletionTimestamp) { m.deletionTimestamp = p.deletionTimestamp; m.deletionGracePeriodSeconds = p.deletionGracePeriodSeconds; }
  else {
    if (m.deletionTimestamp !== undefined) delete m.deletionTimestamp;
    if (m.deletionGracePeriodSeconds !== undefined) delete m.deletionGracePeriodSeconds;
  }
  if (tracksGeneration(ri)) {
    m.generation = p.generation ?? 1;
    if (specOf(next) !== specOf(prev)) m.generation = (p.generation ?? 1) + 1;
  } else if (m.generation !== undefined) delete m.generation;
}

/** Spec-like content as a comparable string (everything except metadata and status). */
function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}
