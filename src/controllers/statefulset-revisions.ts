/**
 * A StatefulSet's ControllerRevisions (getStatefulSetRevisions): the update revision is
 * the set's current template; an equal older revision is reused (a rollback renumbers
 * it); the current revision is the one status.currentRevision names.
 */
import type { Client, Informer } from '../client/index.js';
import { STS } from './statefulset-pods.js';
import {
  REVISION, canonicalJson, createRevision, newControllerRef, nextRevision, sortRevisions, templateOf, templatePatch,
  type Obj, BY_CONTROLLER,
} from './workload-utils-b.js';

export interface SetRevisions {
  current: Obj;
  update: Obj;
  collisionCount: number;
  /** Every revision the set owns, sorted oldest first. */
  all: Obj[];
}

/** Revisions the set controls, from the cache. */
export const ownedRevisions = (revs: Informer, set: Obj): Obj[] => sortRevisions(revs.byIndex(BY_CONTROLLER, set.metadata!.uid!));

export async function getSetRevisions(client: Client, revs: Informer, set: Obj): Promise<SetRevisions> {
  const all = ownedRevisions(revs, set);
  const collision = { count: Number(set.status?.collisionCount ?? 0) };
  const data = templatePatch(set);
  const want: Obj = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      namespace: set.metadata!.namespace, labels: { ...(set.spec?.template?.metadata?.labels ?? {}) },
      ownerReferences: [newControllerRef(set, STS.apiVersion, STS.kind)],
    },
    data, revision: nextRevision(all),
  };
  const key = canonicalJson(data);
  const equal = all.filter(r => canonicalJson(r.data) === key);
  let update: Obj;
  if (equal.length && equal[equal.length - 1] === all[all.length - 1]) {
    update = all[all.length - 1]; // unchanged template
  } else if (equal.length) {
    // Rolled back to an older template: that revision becomes the newest.
    const r = structuredClone(equal[equal.length - 1]);
    r.revision = want.revision;
    update = await client.update<Obj>(REVISION, r);
    all.splice(all.indexOf(equal[equal.length - 1]), 1, update);
  } else {
    update = await createRevision(client, set, want, collision);
    if (!all.some(r => r.metadata!.name === update.metadata!.name)) all.push(update);
  }
  const current = all.find(r => r.metadata!.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount: collision.count, all: sortRevisions(all) };
}

/** ApplyRevision: the set with the revision's template. */
export function setAtRevision(set: Obj, rev: Obj): Obj {
  const s = structuredClone(set);
  s.spec.template = templateOf(rev);
  return s;
}
