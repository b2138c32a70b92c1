/** GET one object. */
import type { RequestContext } from '../context.js';
import { sendJson, wantsTable } from '../http-util.js';
import { renderObject, storedJson } from './output.js';

export async function handleGet(ctx: RequestContext): Promise<void> {
  const rv = ctx.query.get('resourceVersion');
  const rev = rv && rv !== '0' ? Number(rv) : undefined;
  const at = Number.isFinite(rev) ? rev : undefined;
  if (!wantsTable(ctx.req)) {
    // Plain JSON needs no decoded object (storedJson).
    const kv = await ctx.rs.getKv(ctx.info.namespace, ctx.info.name!, at);
    if (!kv) throw ctx.rs.notFound(ctx.info.name!);
    sendJson(ctx.res, 200, storedJson(ctx.ri, kv));
    return;
  }
  const obj = await ctx.rs.get(ctx.info.namespace, ctx.info.name!, at);
  sendJson(ctx.res, 200, renderObject(ctx.req, ctx.query, ctx.ri, obj));
}
