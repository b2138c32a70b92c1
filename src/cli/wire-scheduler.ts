/**
 * Starts the scheduler. Owned by the scheduler room. Like kube-scheduler, it only
 * schedules while holding the `kube-scheduler` Lease in kube-system, so two servers never
 * place the same pods; the cache and queue follow the informers all the time.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaderElector } from '../client/index.js';
import { Scheduler } from '../scheduler/index.js';
import type { Component, ComponentContext } from './components.js';
import { log } from './log.js';

/** Its User-Agent program, and so the field manager of what it writes (bindings, PodScheduled). */
export const SCHEDULER = 'kube-scheduler';

export async function startScheduler(ctx: ComponentContext): Promise<Component[]> {
  const client = ctx.client.withComponent(SCHEDULER);
  const scheduler = new Scheduler({ client, informers: ctx.informers, logger: log, metrics: ctx.metrics });
  const abort = new AbortController();
  const elector = new LeaderElector({
    client, name: 'kube-scheduler', namespace: 'kube-system',
    identity: `${hostname()}_${randomUUID()}`, logger: log,
    onStartedLeading: signal => scheduler.run(signal),
  });
  const running = elector.run(abort.signal).catch(e => log.error('scheduler leader election failed', { error: String(e) }));
  return [{
    name: 'scheduler',
    async stop() {
      abort.abort();
      await running;
      await scheduler.stop();
      client.close();
    },
  }];
}
