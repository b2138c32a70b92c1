/**
 * The TTL-after-finished controller: a Job with ttlSecondsAfterFinished is deleted (with
 * foreground propagation, so its pods go first) that long after it completed or failed.
 */
import { NotFoundError } from '../api/errors.js';
import { Controller, RateLimitingQueue, keyOf, realClock, splitKey, type Clock, type Logger } from '../client/index.js';
import type { Component, ComponentContext } from '../cli/components.js';
import { JOB, conditionOf } from './job-utils.js';
import { runController, type Obj } from './workload-utils-b.js';

export interface TtlControllerOptions { clock?: Clock; logger?: Logger }

const needsCleanup = (j: Obj): boolean => j.spec?.ttlSecondsAfterFinished != null && !j.metadata?.deletionTimestamp && finishedAt(j) !== undefined;

/** When the Job finished: its Complete or Failed condition's transition time. */
function finishedAt(j: Obj): number | undefined {
  for (const type of ['Complete', 'Failed']) {
    const c = conditionOf(j, type);
    if (c?.status === 'True') {
      const t = Date.parse(c.lastTransitionTime ?? '');
      return Number.isNaN(t) ? undefined : t;
    }
  }
  return undefined;
}

export function startTtlAfterFinishedController(ctx: ComponentContext, opts: TtlControllerOptions = {}): Component {
  const clock = opts.clock ?? realClock;
  const client = ctx.client.withComponent('ttl-after-finished-controller');
  const jobs = ctx.informers.informerFor(JOB);
  const queue = new RateLimitingQueue<string>({ name: 'ttl-after-finished', clock });

  /** Milliseconds until the Job expires (≤ 0: expired), or undefined if it never does. */
  const timeLeft = (j: Obj): number | undefined =>
    needsCleanup(j) ? finishedAt(j)! + Number(j.spec.ttlSecondsAfterFinished) * 1000 - clock.now() : undefined;

  async function sync(key: string): Promise<void> {
    const cached = jobs.get(key);
    const left = cached && timeLeft(cached);
    if (left === undefined) return;
    if (left > 0) { queue.addAfter(key, left); return; }
    // The TTL might have been changed since the cache saw it: decide on a fresh read.
    const { namespace, name } = splitKey(key);
    let fresh: Obj;
    try { fresh = await client.get<Obj>(JOB, name, { namespace }); } catch (e) { if (e instanceof NotFoundError) return; throw e; }
    const freshLeft = timeLeft(fresh);
    if (freshLeft === undefined) return;
    if (freshLeft > 0) { queue.addAfter(key, freshLeft); return; }
    try {
      await client.delete(JOB, name, {
        namespace, propagationPolicy: 'Foreground', preconditions: { resourceVersion: fresh.metadata!.resourceVersion },
      });
    } catch (e) { if (!(e instanceof NotFoundError)) throw e; }
  }

  const controller = new Controller({ name: 'ttl-after-finished', sync, queue, workers: 2, waitFor: [jobs], logger: opts.logger });
  const enqueue = (j: Obj) => { if (needsCleanup(j)) controller.enqueue(keyOf(j)); };
  const off = jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
  return runController(controller, off);
}
