/** Maps a resource request (method + address) to the handler for its verb. */
import { MethodNotAllowedError, NotFoundError } from '../api/errors.js';
import type { RequestContext } from './context.js';
import { handleBinding } from './handlers/binding.js';
import { handleCreate } from './handlers/create.js';
import { handleDelete } from './handlers/delete.js';
import { handleDeleteCollection } from './handlers/deletecollection.js';
import { handleGet } from './handlers/get.js';
import { handleList } from './handlers/list.js';
import { handlePatch } from './handlers/patch.js';
import { handleScale } from './handlers/scale.js';
import { handleTokenRequest } from './handlers/token-request.js';
import { handleSelfSubjectReview } from './handlers/self-subject-review.js';
import { handleUpdate } from './handlers/update.js';
import { handleWatch } from './handlers/watch.js';

/** Handlers for streaming subresources (log, exec, attach, portforward, proxy), plugged in by the node side. */
export type SubresourceHandler = (ctx: RequestContext) => Promise<void>;

const isWatch = (ctx: RequestContext) => {
  const w = ctx.query.get('watch');
  return ctx.info.legacyWatch || w === 'true' || w === '1';
};

function verbAllowed(ctx: RequestContext, verb: string): void {
  if (!ctx.ri.verbs.includes(verb)) {
    throw new MethodNotAllowedError(`the server does not allow this method on the requested resource`, { kind: ctx.ri.plural });
  }
}

export async function dispatch(ctx: RequestContext, streams: Map<string, SubresourceHandler>): Promise<void> {
  const { info } = ctx;
  const method = ctx.req.method ?? 'GET';
  if (info.subresource) {
    const sub = info.subresource;
    if (!ctx.ri.subresources?.includes(sub as never) && !(ctx.ri.kind === 'Namespace' && sub === 'finalize')) {
      throw new NotFoundError(`the server could not find the requested resource`);
    }
    const stream = streams.get(sub);
    if (stream) return stream(ctx);
    if (sub === 'scale') return handleScale(ctx);
    if (sub === 'binding' && method === 'POST') return handleBinding(ctx);
    if (sub === 'token' && method === 'POST') return handleTokenRequest(ctx);
    if (sub === 'status' || sub === 'finalize' || sub === 'ephemeralcontainers') {
      const c = sub === 'ephemeralcontainers' ? { ...ctx, info: { ...info, subresource: undefined } } : ctx;
      if (method === 'GET') return handleGet(c);
      if (method === 'PUT') return handleUpdate(c);
      if (method === 'PATCH') return handlePatch(c);
    }
    throw new MethodNotAllowedError(`the server does not allow this method on the requested resource`);
  }
  if (info.name === undefined) {
    if (method === 'GET') {
      if (isWatch(ctx)) { verbAllowed(ctx, 'watch'); return handleWatch(ctx); }
      verbAllowed(ctx, 'list');
      return handleList(ctx);
    }
    if (method === 'POST') {
      verbAllowed(ctx, 'create');
      return ctx.ri.kind === 'SelfSubjectReview' ? handleSelfSubjectReview(ctx) : handleCreate(ctx);
    }
    if (method === 'DELETE') { verbAllowed(ctx, 'deletecollection'); return handleDeleteCollection(ctx); }
    throw new MethodNotAllowedError(`the server does not allow this method on the requested resource`);
  }
  switch (method) {
    case 'GET':
      if (isWatch(ctx)) {
        // Watching one object: a name-pinned watch.
        ctx.query.set('fieldSelector', [ctx.query.get('fieldSelector'), `metadata.name=${info.name}`].filter(Boolean).join(','));
        return handleWatch({ ...ctx, info: { ...info, name: undefined } });
      }
      return handleGet(ctx);
    case 'PUT': verbAllowed(ctx, 'update'); return handleUpdate(ctx);
    case 'PATCH': verbAllowed(ctx, 'patch'); return handlePatch(ctx);
    case 'DELETE': verbAllowed(ctx, 'delete'); return handleDelete(ctx);
    case 'POST': throw new MethodNotAllowedError(`the server does not allow this method on the requested resource`);
    default: throw new MethodNotAllowedError(`the server does not allow this method on the requested resource`);
  }
}
