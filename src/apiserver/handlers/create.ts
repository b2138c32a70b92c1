/** POST a new object: decode, check, default, validate, store. */
import { BadRequestError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { apiVersionOf } from '../../api/resources.js';
import { dryRun, type RequestContext } from '../context.js';
import { checkFields, fieldValidationOf, readObject } from '../body.js';
import { sendJson } from '../http-util.js';
import { admitCreate } from '../strategy/admission.js';
import { randomSuffix } from '../strategy/meta.js';
import { admitPriority } from '../strategy/priority.js';
import { admitStorage } from '../strategy/storage-admission.js';
import { admitServiceAccount } from '../strategy/service-account.js';
import { recordManager } from './managed-fields.js';
import { renderObject } from './output.js';

/** Checks kind/apiVersion and namespace of a body against the URL it was sent to. */
export function checkBodyIdentity(ctx: RequestContext, obj: KubeObject): void {
  const want = apiVersionOf(ctx.ri);
  if (obj.kind !== undefined && obj.kind !== ctx.ri.kind) {
    throw new BadRequestError(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${ctx.ri.kind})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw new BadRequestError(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  obj.apiVersion = want;
  obj.kind = ctx.ri.kind;
  const m = (obj.metadata ??= {});
  if (typeof m !== 'object' || Array.isArray(m)) throw new BadRequestError('metadata must be an object');
  if (ctx.ri.namespaced) {
    const ns = ctx.info.namespace;
    if (m.namespace && ns && m.namespace !== ns) {
      throw new BadRequestError('the namespace of the provided object does not match the namespace sent on the request');
    }
    m.namespace = ns ?? m.namespace;
    if (!m.namespace) throw new BadRequestError('the namespace of the object is required');
  } else {
    delete m.namespace;
  }
}

export async function createObject(ctx: RequestContext, obj: KubeObject, manager: string): Promise<KubeObject> {
  checkBodyIdentity(ctx, obj);
  const m = obj.metadata!;
  // Upstream cuts the prefix to 58 characters so the name stays within 63.
  if (!m.name && m.generateName) m.name = String(m.generateName).slice(0, 58) + randomSuffix();
  if (ctx.ri.namespaced) await ctx.registry.checkNamespaceForCreate(m.namespace!);
  // Priority is resolved before defaulting, so a client-set priority can be told apart.
  if (ctx.ri.kind === 'Pod' && obj.spec && typeof obj.spec === 'object' && !Array.isArray(obj.spec)) {
    await admitPriority(ctx.registry, obj);
    await admitServiceAccount(ctx.registry, obj);
  }
  if (ctx.ri.kind === 'PersistentVolumeClaim' || ctx.ri.kind === 'PersistentVolume') await admitStorage(ctx.registry, obj);
  const admitted = admitCreate(ctx.ri, obj);
  const undo = ctx.ri.kind === 'Service' ? await ctx.registry.serviceIps.allocate(admitted) : undefined;
  recordManager(admitted, undefined, manager, 'Update');
  if (dryRun(ctx.query)) { undo?.(); return admitted; }
  try {
    return await ctx.rs.create(admitted);
  } catch (e) { undo?.(); throw e; }
}

export function managerOf(ctx: RequestContext, fallback: string): string {
  const fm = ctx.query.get('fieldManager');
  if (fm && fm.length > 128) throw new BadRequestError('fieldManager: Too long: may not be longer than 128 characters');
  return fm || fallback || (String(ctx.req.headers['user-agent'] ?? 'unknown').split('/')[0]);
}

export async function handleCreate(ctx: RequestContext): Promise<void> {
  const body = await readObject(ctx.req);
  const obj = body.value as KubeObject;
  checkBodyIdentity(ctx, obj);
  checkFields(ctx.res, fieldValidationOf(ctx.query), obj, body.duplicates);
  const out = await createObject(ctx, obj, managerOf(ctx, ''));
  sendJson(ctx.res, 201, renderObject(ctx.req, ctx.query, ctx.ri, out));
}
