/** pods/binding: the scheduler's way to assign a pod to a node (once). */
import { BadRequestError, ConflictError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { RequestContext } from '../context.js';
import { readObject } from '../body.js';
import { sendJson } from '../http-util.js';
import { nowRfc3339 } from '../strategy/meta.js';

export async function handleBinding(ctx: RequestContext): Promise<void> {
  const b = (await readObject(ctx.req)).value as KubeObject;
  const target = (b.target ?? {}) as { kind?: string; name?: string };
  if (!target.name) throw new BadRequestError('Binding.target.name: Required value');
  if (target.kind && target.kind !== 'Node') throw new BadRequestError(`Binding.target.kind: Unsupported value: "${target.kind}"`);
  const name = ctx.info.name!;
  await ctx.rs.update(ctx.info.namespace, name, cur => {
    if (cur.metadata?.deletionTimestamp) throw new ConflictError(`Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is being deleted, cannot be assigned to a host`);
    if (cur.spec?.nodeName) throw new ConflictError(`Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${cur.spec.nodeName}"`);
    const uid = b.metadata?.uid;
    if (uid && uid !== cur.metadata?.uid) throw new ConflictError(`Operation cannot be fulfilled on pods/binding "${name}": precondition failed: UID in precondition: ${uid}`);
    // cur is the shared stored pod: the bound pod is a new object around its unchanged parts.
    const conds = [...(cur.status?.conditions ?? [])] as Array<{ type: string }>;
    const i = conds.findIndex(c => c.type === 'PodScheduled');
    const c = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRfc3339() };
    if (i >= 0) conds[i] = c; else conds.push(c);
    return { ...cur, metadata: { ...cur.metadata }, spec: { ...cur.spec, nodeName: target.name }, status: { ...cur.status, conditions: conds } };
  }, { readOnly: true });
  sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
