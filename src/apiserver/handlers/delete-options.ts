/** DeleteOptions from the body (JSON) or the query, as kubectl and clients send them. */
import { BadRequestError } from '../../api/errors.js';
import type { IncomingMessage } from 'node:http';
import { readBody } from '../http-util.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export async function readDeleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const out: DeleteOptions = {};
  const buf = await readBody(req);
  if (buf.length) {
    let b: Record<string, unknown>;
    try { b = JSON.parse(buf.toString('utf8')); } catch { throw new BadRequestError('DeleteOptions: the body is not valid JSON'); }
    if (b && typeof b === 'object') {
      if (b.gracePeriodSeconds !== undefined && b.gracePeriodSeconds !== null) out.gracePeriodSeconds = Number(b.gracePeriodSeconds);
      if (b.propagationPolicy) out.propagationPolicy = b.propagationPolicy as DeleteOptions['propagationPolicy'];
      else if (b.orphanDependents === true) out.propagationPolicy = 'Orphan';
      if (b.preconditions) out.preconditions = b.preconditions as DeleteOptions['preconditions'];
      if (Array.isArray(b.dryRun) && b.dryRun.includes('All')) out.dryRun = true;
    }
  }
  const g = q.get('gracePeriodSeconds');
  if (g !== null) out.gracePeriodSeconds = Number(g);
  const p = q.get('propagationPolicy');
  if (p) out.propagationPolicy = p as DeleteOptions['propagationPolicy'];
  if (q.get('orphanDependents') === 'true' && !out.propagationPolicy) out.propagationPolicy = 'Orphan';
  if (q.getAll('dryRun').includes('All')) out.dryRun = true;
  if (out.gracePeriodSeconds !== undefined && (!Number.isInteger(out.gracePeriodSeconds) || out.gracePeriodSeconds < 0)) {
    if (Number.isInteger(out.gracePeriodSeconds) && out.gracePeriodSeconds < 0) out.gracePeriodSeconds = 1; // upstream: negative means 1
    else throw new BadRequestError(`invalid gracePeriodSeconds`);
  }
  if (out.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(out.propagationPolicy)) {
    throw new BadRequestError(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${out.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
  }
  return out;
}
