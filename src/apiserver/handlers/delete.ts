/**
 * DELETE: preconditions, graceful deletion (pods on a node are only marked; the
 * node agent finishes), finalizers (marked until they are gone), propagation policy
 * (orphan / foreground become finalizers the garbage collector honours).
 */
import { ConflictError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { RequestContext } from '../context.js';
import { sendJson } from '../http-util.js';
import { nowRfc3339 } from '../strategy/meta.js';
import { readDeleteOptions, type DeleteOptions } from './delete-options.js';
import { typed } from './output.js';

const RETURNS_OBJECT = new Set(['Pod', 'Namespace', 'Service', 'Node', 'PersistentVolume', 'PersistentVolumeClaim']);

function finalizersOf(o: KubeObject): string[] {
  const f = [...(o.metadata?.finalizers ?? [])];
  if (o.kind === 'Namespace') f.push(...((o.spec?.finalizers as string[] | undefined) ?? []));
  return f;
}

function defaultGrace(o: KubeObject): number {
  if (o.kind !== 'Pod') return 0;
  // Unscheduled and finished pods go at once, as upstream.
  if (!o.spec?.nodeName || o.status?.phase === 'Succeeded' || o.status?.phase === 'Failed') return 0;
  return Number(o.spec?.terminationGracePeriodSeconds ?? 30);
}

/** True when an object's deletion is complete: marked, no finalizers, no grace left. */
export function deletionDone(obj: KubeObject): boolean {
  const m = obj.metadata!;
  return !!m.deletionTimestamp && finalizersOf(obj).length === 0 && (m.deletionGracePeriodSeconds ?? 0) <= 0;
}

export async function deleteObject(ctx: RequestContext, name: string, opts: DeleteOptions): Promise<{ obj: KubeObject; gone: boolean }> {
  const ns = ctx.info.namespace;
  for (;;) {
    const cur = structuredClone(await ctx.rs.get(ns, name));
    const m = cur.metadata!;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== m.uid) {
      throw new ConflictError(`Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${m.uid}`, { name, kind: ctx.ri.plural });
    }
    if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
      throw new ConflictError(`Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion}`, { name, kind: ctx.ri.plural });
    }
    const grace = Math.min(opts.gracePeriodSeconds ?? defaultGrace(cur), m.deletionGracePeriodSeconds ?? Infinity);
    const fins = new Set(m.finalizers ?? []);
    if (opts.propagationPolicy === 'Orphan') { fins.add('orphan'); fins.delete('foregroundDeletion'); }
    if (opts.propagationPolicy === 'Foreground') { fins.add('foregroundDeletion'); fins.delete('orphan'); }
    if (opts.propagationPolicy === 'Background') { fins.delete('orphan'); fins.delete('foregroundDeletion'); }
    const mark = grace > 0 || fins.size > 0 || (cur.kind === 'Namespace' && finalizersOf(cur).length > 0);
    if (!mark) {
      if (opts.dryRun) return { obj: cur, gone: true };
      try {
        const gone = await ctx.rs.remove(ns, name, Number(m.resourceVersion));
        if (ctx.ri.kind === 'Service') ctx.registry.serviceIps.release(gone);
        return { obj: gone, gone: true };
      } catch (e) {
        if (e instanceof ConflictError) continue; // changed under us: look again
        throw e;
      }
    }
    const next = structuredClone(cur);
    const nm = next.metadata!;
    if (!nm.deletionTimestamp || grace < (m.deletionGracePeriodSeconds ?? Infinity)) {
      nm.deletionTimestamp = nowRfc3339(new Date(Date.now() + grace * 1000));
      nm.deletionGracePeriodSeconds = grace;
    }
    if (fins.size || nm.finalizers) nm.finalizers = [...fins];
    if (cur.kind === 'Namespace') next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    if (opts.dryRun) return { obj: next, gone: false };
    if (JSON.stringify(next) === JSON.stringify(cur)) return { obj: cur, gone: false };
    try {
      const { obj, deleted } = await ctx.rs.update(ns, name, () => next, { pinned: () => m.resourceVersion, deleteInstead: deletionDone, readOnly: true });
      return { obj, gone: !!deleted };
    } catch (e) {
      if (e instanceof ConflictError) continue;
      throw e;
    }
  }
}

export async function handleDelete(ctx: RequestContext): Promise<void> {
  const opts = await readDeleteOptions(ctx.req, ctx.query);
  const { obj, gone } = await deleteObject(ctx, ctx.info.name!, opts);
  if (!gone || RETURNS_OBJECT.has(ctx.ri.kind)) {
    sendJson(ctx.res, 200, typed(ctx.ri, obj));
    return;
  }
  sendJson(ctx.res, 200, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: { name: obj.metadata?.name, group: ctx.ri.group || undefined, kind: ctx.ri.plural, uid: obj.metadata?.uid },
  });
}
