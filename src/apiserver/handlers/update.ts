/** PUT an object (or its status): optimistic concurrency on metadata.resourceVersion. */
import { BadRequestError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { dryRun, type RequestContext } from '../context.js';
import { checkFields, fieldValidationOf, readObject } from '../body.js';
import { sendJson } from '../http-util.js';
import { admitUpdate } from '../strategy/admission.js';
import { statusUpdate } from '../strategy/kinds.js';
import { checkBodyIdentity, managerOf } from './create.js';
import { recordManager } from './managed-fields.js';
import { renderObject } from './output.js';
import { deletionDone } from './delete.js';
import { ConflictError } from '../../api/errors.js';

/**
 * Writes `incoming` over the stored object through the admission pipeline. Used by
 * PUT and PATCH. `pinnedRv` (the client's resourceVersion) turns a lost race into 409.
 */
export async function writeUpdate(ctx: RequestContext, build: (cur: KubeObject) => KubeObject | Promise<KubeObject>,
  manager: string, operation: 'Update' | 'Apply' = 'Update'): Promise<KubeObject> {
  const isStatus = ctx.info.subresource === 'status';
  const path = isStatus ? 'status' : ctx.info.subresource === 'finalize' ? 'finalize' : 'main';
  let pinned: string | undefined;
  let undo: (() => void) | undefined;
  let before: KubeObject | undefined;
  // `cur` is the shared stored object: builders return new objects, and the one deep copy
  // is made by defaulting (admitUpdate); until then only `metadata` is changed, on a copy.
  const { obj, changed } = await ctx.rs.update(ctx.info.namespace, ctx.info.name!, async cur => {
    let incoming = await build(cur);
    if (incoming === cur) incoming = { ...cur };
    incoming.metadata = incoming.metadata && typeof incoming.metadata === 'object' ? { ...incoming.metadata } : {};
    // A uid in the body is a precondition, as upstream treats it.
    if (incoming.metadata.uid && incoming.metadata.uid !== cur.metadata!.uid) {
      throw new ConflictError(`Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${cur.metadata!.uid}`, { name: cur.metadata!.name, kind: ctx.ri.plural });
    }
    pinned = incoming.metadata?.resourceVersion || undefined;
    let next = isStatus ? statusUpdate(incoming, cur) : incoming;
    // Unpinned writes (PATCH, unconditional PUT) apply to what we just read.
    if (!next.metadata!.resourceVersion) next.metadata!.resourceVersion = cur.metadata!.resourceVersion;
    next = admitUpdate(ctx.ri, next, cur, path);
    if (ctx.ri.kind === 'Service' && !isStatus) {
      undo?.();
      undo = await ctx.registry.serviceIps.allocate(next, cur);
      before = cur;
    }
    recordManager(next, cur, manager, operation, isStatus ? 'status' : undefined);
    if (dryRun(ctx.query)) { undo?.(); next.metadata!.resourceVersion = cur.metadata!.resourceVersion; throw new DryRunResult(next); }
    if (sameContent(next, cur)) return null;
    return next;
  }, { pinned: () => pinned, deleteInstead: deletionDone, readOnly: true }).catch(e => {
    if (e instanceof DryRunResult) return { obj: e.obj, changed: false };
    undo?.();
    throw e;
  });
  if (before && changed) ctx.registry.serviceIps.release(before, obj);
  return obj;
}

class DryRunResult { constructor(readonly obj: KubeObject) {} }

/** Equal as JSON, apart from resourceVersion and managedFields (an update that changes nothing writes nothing). */
function sameContent(a: KubeObject, b: KubeObject): boolean {
  const meta = (o: KubeObject) => ({ ...o.metadata, resourceVersion: undefined, managedFields: undefined });
  return sameJson({ ...a, metadata: meta(a) }, { ...b, metadata: meta(b) });
}

/** Deep equality of JSON values; keys holding undefined count as absent, as in JSON. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>, bo = b as Record<string, unknown>;
  let n = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    n++;
    if (!sameJson(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) n--;
  return n === 0;
}

export async function handleUpdate(ctx: RequestContext): Promise<void> {
  const body = await readObject(ctx.req);
  const obj = body.value as KubeObject;
  checkBodyIdentity(ctx, obj);
  checkFields(ctx.res, fieldValidationOf(ctx.query), obj, body.duplicates);
  if (obj.metadata?.name && obj.metadata.name !== ctx.info.name) {
    throw new BadRequestError(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${ctx.info.name})`);
  }
  const out = await writeUpdate(ctx, () => obj, managerOf(ctx, ''));
  sendJson(ctx.res, 200, renderObject(ctx.req, ctx.query, ctx.ri, out));
}
