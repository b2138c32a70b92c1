/** pods/binding: the scheduler's way to assign a pod to a node (once). */
import { BadRequestError, ConflictError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { RequestContext } from '../context.js';
import { readObject } from '../body.js';
import { sendJson } from '../http-util.js';
import { nowRfc3339 } from '../strategy/meta.js';
import { storedParts, type KnownParts } from '../storage/codec.js';

/** upstream's answer to a binding, the same bytes every time. */
const BOUND = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });

/**
 * The bound pod's metadata and spec JSON from the stored pod's: its metadata is the same,
 * its spec the same with nodeName added last (when the stored spec has no nodeName key at
 * all, so that the spread below appends it). A binding then serialises only the status.
 */
function boundParts(cur: KubeObject, nodeName: string): KnownParts | undefined {
  const parts = storedParts(cur);
  if (!parts) return undefined;
  const spec = parts.spec;
  if (spec === undefined || !cur.spec || 'nodeName' in cur.spec || spec.length < 2) return { metadata: parts.metadata };
  const field = `"nodeName":${JSON.stringify(nodeName)}}`;
  return { metadata: parts.metadata, spec: spec === '{}' ? `{${field}` : `${spec.slice(0, -1)},${field}` };
}

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
  }, { readOnly: true, known: cur => boundParts(cur, target.name!) });
  sendJson(ctx.res, 201, BOUND);
}
