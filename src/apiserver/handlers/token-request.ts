/**
 * serviceaccounts/token (TokenRequest): issues a signed token for a service account,
 * optionally bound to a pod, secret or node, as kube-apiserver does. A pod-bound token
 * asked for with the admission default of 3607 s is extended to a year (upstream's
 * --service-account-extend-token-expiration) and carries `warnafter`.
 */
import type { BoundObjectReference, TokenRequest } from 'kubernetes-types/authentication/v1.js';
import { BadRequestError, ConflictError, invalid, invalidValue, NotFoundError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { findResource } from '../../api/resources.js';
import { readObject } from '../body.js';
import { dryRun, type RequestContext } from '../context.js';
import { sendJson } from '../http-util.js';
import type { ObjectRef, PrivateClaims } from '../auth/sa-token.js';

const GROUP = 'authentication.k8s.io';
/** The expiration the ServiceAccount admission puts in the pod's projected token. */
export const WARN_ONLY_EXPIRATION_SECONDS = 3607;
const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 60 * 60;

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

async function boundObject(ctx: RequestContext, ns: string, sa: string, ref: BoundObjectReference): Promise<Partial<PrivateClaims>> {
  const plural = ({ Pod: 'pods', Secret: 'secrets', Node: 'nodes' } as Record<string, string>)[ref.kind ?? ''];
  if (!plural || (ref.apiVersion && ref.apiVersion !== 'v1')) throw new BadRequestError(`cannot bind token to object of type ${ref.apiVersion ?? ''}, Kind=${ref.kind ?? ''}`);
  const rs = ctx.registry.for(findResource('', 'v1', plural)!);
  const obj = await rs.get(plural === 'nodes' ? undefined : ns, ref.name ?? '');
  const uid = obj.metadata!.uid!;
  if (ref.uid && ref.uid !== uid) {
    throw new ConflictError(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  const me: ObjectRef = { name: obj.metadata!.name!, uid };
  if (plural === 'secrets') return { secret: me };
  if (plural === 'nodes') return { node: me };
  if ((obj.spec?.serviceAccountName || 'default') !== sa) {
    throw new BadRequestError(`cannot bind token for serviceaccount "${sa}" to pod running with different serviceaccount name.`);
  }
  // The pod's node goes into the token too (upstream's ServiceAccountTokenPodNodeInfo).
  const nodeName = obj.spec?.nodeName as string | undefined;
  const nodeKv = nodeName ? await ctx.registry.for(findResource('', 'v1', 'nodes')!).getKv(undefined, nodeName) : undefined;
  const node = nodeKv ? (JSON.parse(nodeKv.value.toString('utf8')) as KubeObject) : undefined;
  return { pod: me, ...(node ? { node: { name: nodeName!, uid: node.metadata!.uid! } } : {}) };
}

export async function handleTokenRequest(ctx: RequestContext): Promise<void> {
  const tokens = ctx.registry.serviceAccountTokens;
  if (!tokens) throw new NotFoundError('the server could not find the requested resource');
  const req = (await readObject(ctx.req)).value as TokenRequest & KubeObject;
  if (req.kind !== undefined && req.kind !== 'TokenRequest') throw new BadRequestError(`the kind in the data (${String(req.kind)}) does not match the expected kind (TokenRequest)`);
  if (req.apiVersion !== undefined && req.apiVersion !== `${GROUP}/v1`) throw new BadRequestError(`the API version in the data (${req.apiVersion}) does not match the expected API version (${GROUP}/v1)`);
  const ns = ctx.info.namespace!;
  const name = ctx.info.name!;
  const spec = { ...(req.spec ?? {}) };
  const exp = spec.expirationSeconds ?? 3600;
  if (!Number.isInteger(exp) || exp < 600) throw invalid('TokenRequest', '', [invalidValue('spec.expirationSeconds', exp, 'may not specify a duration less than 10 minutes')], GROUP);
  if (exp > 2 ** 32) throw invalid('TokenRequest', '', [invalidValue('spec.expirationSeconds', exp, 'may not specify a duration larger than 2^32 seconds')], GROUP);
  const sa = await ctx.rs.get(ns, name);
  const audiences: string[] = spec.audiences?.length ? spec.audiences : tokens.audiences;
  const bound = spec.boundObjectRef ? await boundObject(ctx, ns, name, spec.boundObjectRef) : {};
  const out = {
    kind: 'TokenRequest', apiVersion: `${GROUP}/v1`,
    metadata: { name, namespace: ns, creationTimestamp: null },
    spec: { audiences, expirationSeconds: exp, ...(spec.boundObjectRef ? { boundObjectRef: spec.boundObjectRef } : {}) },
    status: { token: '', expirationTimestamp: null as string | null },
  };
  if (dryRun(ctx.query)) return sendJson(ctx.res, 201, out);
  const now = Date.now();
  const extend = !!bound.pod && exp === WARN_ONLY_EXPIRATION_SECONDS && audiences.every(a => tokens.audiences.includes(a));
  const claims = tokens.claims({
    audiences, expirationSeconds: extend ? EXTENDED_EXPIRATION_SECONDS : exp, now,
    private: { namespace: ns, serviceaccount: { name, uid: sa.metadata!.uid! }, ...bound, ...(extend ? { warnafter: Math.floor(now / 1000) + exp } : {}) },
  });
  out.status = { token: tokens.sign(claims), expirationTimestamp: rfc3339(now + exp * 1000) };
  sendJson(ctx.res, 201, out);
}
