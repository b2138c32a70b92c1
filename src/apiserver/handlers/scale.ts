/** The scale subresource (autoscaling/v1 Scale) over spec.replicas, for `kubectl scale`. */
import { BadRequestError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { applyPatch, patchTypeFromContentType } from '../../api/patch/index.js';
import type { RequestContext } from '../context.js';
import { mediaType, readObject } from '../body.js';
import { readBody, sendJson } from '../http-util.js';
import { writeUpdate } from './update.js';

type Sel = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };

/** A label selector as the string Scale.status.selector carries. */
export function selectorString(sel: Sel | Record<string, string> | undefined, isMap = false): string {
  if (!sel) return '';
  if (isMap) return Object.entries(sel as Record<string, string>).sort().map(([k, v]) => `${k}=${v}`).join(',');
  const s = sel as Sel;
  const parts = Object.entries(s.matchLabels ?? {}).sort().map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

function toScale(o: KubeObject): KubeObject {
  const m = o.metadata!;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: selectorString(o.spec?.selector, o.kind === 'ReplicationController') },
  };
}

function replicasOf(scale: KubeObject): number {
  const r = scale.spec?.replicas ?? 0;
  if (!Number.isInteger(r) || r < 0) throw new BadRequestError(`Scale.autoscaling "${scale.metadata?.name}" is invalid: spec.replicas: Invalid value: ${r}: must be greater than or equal to 0`);
  return r;
}

export async function handleScale(ctx: RequestContext): Promise<void> {
  const method = ctx.req.method;
  const sub = { ...ctx, info: { ...ctx.info, subresource: undefined } };
  if (method === 'GET') {
    sendJson(ctx.res, 200, toScale(await ctx.rs.get(ctx.info.namespace, ctx.info.name!)));
    return;
  }
  let build: (cur: KubeObject) => KubeObject;
  if (method === 'PUT') {
    const scale = (await readObject(ctx.req)).value as KubeObject;
    build = cur => ({
      ...cur, spec: { ...cur.spec, replicas: replicasOf(scale) },
      metadata: { ...cur.metadata, resourceVersion: scale.metadata?.resourceVersion || undefined },
    });
  } else if (method === 'PATCH') {
    const type = patchTypeFromContentType(mediaType(ctx.req));
    const patch = JSON.parse((await readBody(ctx.req)).toString('utf8') || '{}');
    build = cur => {
      const next = applyPatch(type, toScale(cur), patch, { kind: 'Scale', apiVersion: 'autoscaling/v1' }) as KubeObject;
      return { ...cur, spec: { ...cur.spec, replicas: replicasOf(next) }, metadata: { ...cur.metadata, resourceVersion: undefined } };
    };
  } else {
    throw new BadRequestError(`method ${method} not supported on scale`);
  }
  const out = await writeUpdate(sub, build, String(ctx.query.get('fieldManager') ?? 'kubectl-scale'));
  sendJson(ctx.res, 200, toScale(out));
}
