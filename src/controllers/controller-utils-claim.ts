/**
 * Claiming (upstream's ControllerRefManager): a controller owns the objects whose
 * controller reference names it. Orphans its selector matches are adopted (a controller
 * reference is added), owned objects it no longer matches are released (the reference is
 * removed); objects controlled by someone else are left alone.
 *
 * Writes are merge patches carrying the cached resourceVersion, so a stale cache turns
 * into a Conflict (and a retry) rather than an overwrite.
 */
import { NotFoundError } from '../api/errors.js';
import type { KubeObject, OwnerReference } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import type { LabelMatcher } from '../api/selectors/index.js';
import type { Client } from '../client/index.js';
import { controllerRefOf, newControllerRef } from './controller-utils.js';

export interface ClaimOptions {
  client: Client;
  owner: KubeObject;
  ownerResource: ResourceInfo;
  childResource: ResourceInfo;
  selector: LabelMatcher;
}

/** The objects `owner` controls after adopting and releasing; throws if any write failed (after trying all). */
export async function claimObjects<T extends KubeObject>(objs: T[], o: ClaimOptions): Promise<T[]> {
  const ownerUid = o.owner.metadata!.uid;
  const ownerDeleting = !!o.owner.metadata?.deletionTimestamp;
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptable: Promise<void> | undefined;
  for (const obj of objs) {
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (o.selector.matches(obj.metadata?.labels)) { claimed.push(obj); continue; }
      if (ownerDeleting) continue;
      try { await patchOwnerRefs(o, obj, refs => refs.filter(r => r.uid !== ownerUid)); } catch (e) {
        if (!(e instanceof NotFoundError)) errors.push(e);
      }
      continue;
    }
    if (ownerDeleting || obj.metadata?.deletionTimestamp || !o.selector.matches(obj.metadata?.labels)) continue;
    try {
      // Re-read the owner once before the first adoption: its cache entry may be stale.
      adoptable ??= canAdopt(o);
      await adoptable;
      claimed.push(await patchOwnerRefs(o, obj, refs => [...refs, newControllerRef(o.owner, o.ownerResource)]));
    } catch (e) {
      if (!(e instanceof NotFoundError)) errors.push(e);
    }
  }
  if (errors.length) throw errors[0];
  return claimed;
}

async function canAdopt(o: ClaimOptions): Promise<void> {
  const m = o.owner.metadata!;
  const fresh = await o.client.get(o.ownerResource, m.name!, { namespace: m.namespace });
  if (fresh.metadata?.uid !== m.uid) {
    throw new Error(`original ${o.ownerResource.kind} ${m.namespace}/${m.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${m.uid}`);
  }
  if (fresh.metadata?.deletionTimestamp) {
    throw new Error(`${o.ownerResource.kind} ${m.namespace}/${m.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }
}

async function patchOwnerRefs<T extends KubeObject>(o: ClaimOptions, obj: T, edit: (refs: OwnerReference[]) => OwnerReference[]): Promise<T> {
  const m = obj.metadata!;
  const refs = edit(m.ownerReferences ?? []);
  return o.client.patch<T>(o.childResource, m.name!, {
    // null removes the field, as Go's omitempty would leave it out.
    metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: m.resourceVersion, uid: m.uid },
  }, { namespace: m.namespace, type: 'merge' });
}
