/**
 * The collector's writes: delete an object (uid precondition, a propagation policy),
 * drop owner references from it, remove one of its finalizers. Metadata edits are merge
 * patches guarded by resourceVersion; on a conflict they re-read and try again, because
 * busy objects (a ReplicaSet mid-rollout) change status constantly.
 */
import { ConflictError, NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { Client } from '../client/index.js';
import type { Node } from './garbage-collector-graph.js';

const ATTEMPTS = 5;

export async function deleteNode(client: Client, n: Node, policy: 'Background' | 'Foreground' | 'Orphan'): Promise<void> {
  const m = n.obj.metadata!;
  try {
    await client.delete(n.ri, m.name!, { namespace: m.namespace, propagationPolicy: policy, preconditions: { uid: m.uid } });
  } catch (e) {
    // Gone already, or a new object with the same name: either way not ours to delete.
    if (e instanceof NotFoundError || e instanceof ConflictError) return;
    throw e;
  }
}

/** Applies `edit` to the live object's metadata until it sticks; false if the object is gone. */
async function editMetadata(client: Client, n: Node, edit: (o: KubeObject) => Record<string, unknown> | undefined): Promise<boolean> {
  let cur = n.obj;
  for (let attempt = 1; ; attempt++) {
    const m = cur.metadata!;
    const change = edit(cur);
    if (!change) return true;
    try {
      await client.patch(n.ri, m.name!, { metadata: { ...change, resourceVersion: m.resourceVersion } }, { namespace: m.namespace, type: 'merge' });
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      if (!(e instanceof ConflictError) || attempt >= ATTEMPTS) throw e;
    }
    try {
      cur = await client.get(n.ri, m.name!, { namespace: m.namespace });
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
    if (cur.metadata?.uid !== n.obj.metadata?.uid) return false;
  }
}

/** Removes the references to the owners in `ownerUids` from `n`. */
export function removeOwnerRefs(client: Client, n: Node, ownerUids: ReadonlySet<string>): Promise<boolean> {
  return editMetadata(client, n, o => {
    const refs = o.metadata?.ownerReferences ?? [];
    const kept = refs.filter(r => !ownerUids.has(r.uid));
    // null removes the field, as Go's omitempty would leave it out.
    return kept.length === refs.length ? undefined : { ownerReferences: kept.length ? kept : null };
  });
}

/** Removes one finalizer; once none are left the API server finishes the deletion. */
export function removeFinalizer(client: Client, n: Node, finalizer: string): Promise<boolean> {
  return editMetadata(client, n, o => {
    const f = o.metadata?.finalizers ?? [];
    if (!f.includes(finalizer)) return undefined;
    const rest = f.filter(x => x !== finalizer);
    return { finalizers: rest.length ? rest : null };
  });
}
