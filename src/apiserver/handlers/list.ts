/** GET a collection: selectors, limit/continue, resourceVersion semantics. */
import { BadRequestError } from '../../api/errors.js';
import type { RequestContext } from '../context.js';
import { sendJson, wantsTable } from '../http-util.js';
import { renderList, renderStoredList } from './output.js';
import { filterOf } from './selectors.js';

export function parseLimit(q: URLSearchParams): number {
  const l = q.get('limit');
  if (!l) return 0;
  const n = Number(l);
  if (!Number.isInteger(n) || n < 0) throw new BadRequestError(`invalid limit: ${l}`);
  return n;
}

/** Exact revision to read at: only with resourceVersionMatch=Exact (otherwise "at least" = current). */
export function listRevision(q: URLSearchParams): number {
  const rv = q.get('resourceVersion');
  const match = q.get('resourceVersionMatch');
  if (rv && !/^\d+$/.test(rv)) throw new BadRequestError(`resourceVersion: Invalid value: "${rv}": must be a number`);
  if (match === 'Exact') {
    if (!rv || rv === '0') throw new BadRequestError('resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    return Number(rv);
  }
  if (match && match !== 'NotOlderThan') throw new BadRequestError(`resourceVersionMatch: Unsupported value: "${match}"`);
  return 0;
}

export async function handleList(ctx: RequestContext): Promise<void> {
  const { query: q } = ctx;
  const f = filterOf(ctx.ri, q);
  const namespace = ctx.info.namespace ?? f.namespace;
  // A plain JSON list without a selector needs no decoded objects (renderStoredList).
  const undecoded = !f.matches && !wantsTable(ctx.req);
  const page = await ctx.rs.list({
    namespace, limit: parseLimit(q), continueToken: q.get('continue') || undefined,
    revision: listRevision(q), filter: f.matches, name: f.name, undecoded,
  });
  const meta = { resourceVersion: String(page.revision), continue: page.continueToken, remainingItemCount: page.remaining };
  sendJson(ctx.res, 200, page.kvs ? renderStoredList(ctx.ri, page.kvs, meta) : renderList(ctx.req, q, ctx.ri, page.items, meta));
}
