/** GET one object. */
import type { RequestContext } from '../context.js';
import { sendJson } from '../http-util.js';
import { renderObject } from './output.js';

export async function handleGet(ctx: RequestContext): Promise<void> {
  const rv = ctx.query.get('resourceVersion');
  const rev = rv && rv !== '0' ? Number(rv) : undefined;
  const obj = await ctx.rs.get(ctx.info.namespace, ctx.info.name!, Number.isFinite(rev) ? rev : undefined);
  sendJson(ctx.res, 200, renderObject(ctx.req, ctx.query, ctx.ri, obj));
}
