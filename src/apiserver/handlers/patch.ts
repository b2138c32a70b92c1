/** PATCH: JSON patch, merge patch, strategic merge patch, server-side apply. */
import { BadRequestError, NotFoundError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { apiVersionOf } from '../../api/resources.js';
import { applyCreate, applyPatch, patchTypeFromContentType } from '../../api/patch/index.js';
import type { RequestContext } from '../context.js';
import { checkFields, decodeBytes, fieldValidationOf, mediaType } from '../body.js';
import { readBody, sendJson } from '../http-util.js';
import { createObject, managerOf } from './create.js';
import { renderObject } from './output.js';
import { writeUpdate } from './update.js';
import { nowRfc3339 } from '../strategy/meta.js';

export async function handlePatch(ctx: RequestContext): Promise<void> {
  const ct = mediaType(ctx.req);
  const type = patchTypeFromContentType(ct);
  const buf = await readBody(ctx.req);
  if (buf.length === 0) throw new BadRequestError('the body of the request is empty');
  const decoded = decodeBytes(type === 'apply' ? 'application/apply-patch+yaml' : 'application/json', buf);
  const patch = decoded.value;
  const mode = fieldValidationOf(ctx.query);
  const force = ctx.query.get('force') === 'true';
  if (type === 'apply') {
    if (!ctx.query.get('fieldManager')) throw new BadRequestError('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  } else if (ctx.query.has('force')) {
    throw new BadRequestError('force: Forbidden: may not be specified for non-apply patch');
  }
  const manager = managerOf(ctx, type === 'apply' ? '' : (String(ctx.req.headers['user-agent'] ?? 'unknown').split('/')[0]));
  // Non-apply patches get their managedFields entry from writeUpdate, so no manager here.
  const pctx = { kind: ctx.ri.kind, apiVersion: apiVersionOf(ctx.ri), manager: type === 'apply' ? manager : undefined, force, now: nowRfc3339() };
  let out: KubeObject;
  try {
    out = await writeUpdate(ctx, cur => {
      const next = applyPatch(type, cur, patch, pctx) as KubeObject;
      checkFields(ctx.res, mode, next, decoded.duplicates, cur);
      return next;
    }, manager, type === 'apply' ? 'Apply' : 'Update');
  } catch (e) {
    // Server-side apply creates what does not exist yet.
    if (!(e instanceof NotFoundError) || type !== 'apply' || ctx.info.subresource) throw e;
    if (!patch || typeof patch !== 'object') throw new BadRequestError('apply patch must be an object');
    const obj = applyCreate(patch as object, pctx) as KubeObject;
    checkFields(ctx.res, mode, obj, decoded.duplicates);
    obj.metadata = { ...obj.metadata, name: ctx.info.name };
    out = await createObject(ctx, obj, '');
    sendJson(ctx.res, 201, renderObject(ctx.req, ctx.query, ctx.ri, out));
    return;
  }
  sendJson(ctx.res, 200, renderObject(ctx.req, ctx.query, ctx.ri, out));
}
