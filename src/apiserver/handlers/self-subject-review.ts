/** selfsubjectreviews (authentication.k8s.io/v1): the caller's own user, as authenticated. Nothing is stored. */
import type { RequestContext } from '../context.js';
import { readObject } from '../body.js';
import { checkBodyIdentity } from './create.js';
import { sendJson } from '../http-util.js';
import type { KubeObject } from '../../api/object.js';

export async function handleSelfSubjectReview(ctx: RequestContext): Promise<void> {
  const body = (await readObject(ctx.req)).value as KubeObject;
  checkBodyIdentity(ctx, body);
  const { username, uid, groups, extra } = ctx.user;
  sendJson(ctx.res, 201, {
    kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null },
    status: { userInfo: { username, ...(uid ? { uid } : {}), groups, ...(extra ? { extra } : {}) } },
  });
}
