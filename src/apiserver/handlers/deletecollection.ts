/** DELETE on a collection: every object the selectors match, each with the same options. */
import type { RequestContext } from '../context.js';
import { NotFoundError } from '../../api/errors.js';
import { sendJson } from '../http-util.js';
import { deleteObject } from './delete.js';
import { readDeleteOptions } from './delete-options.js';
import { filterOf } from './selectors.js';
import { renderList } from './output.js';
import type { KubeObject } from '../../api/object.js';

export async function handleDeleteCollection(ctx: RequestContext): Promise<void> {
  const opts = await readDeleteOptions(ctx.req, ctx.query);
  const f = filterOf(ctx.ri, ctx.query);
  const page = await ctx.rs.list({ namespace: ctx.info.namespace ?? f.namespace, filter: f.matches, name: f.name });
  const out: KubeObject[] = [];
  for (const o of page.items) {
    try {
      const { obj } = await deleteObject({ ...ctx, info: { ...ctx.info, namespace: o.metadata?.namespace } }, o.metadata!.name!, opts);
      out.push(obj);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
  sendJson(ctx.res, 200, renderList(ctx.req, ctx.query, ctx.ri, out, { resourceVersion: String(ctx.registry.store.currentRevision()) }));
}
