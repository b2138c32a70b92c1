/**
 * Starts the controller manager: one Lease (`kube-controller-manager` in kube-system)
 * elects the process that runs every controller, so two servers never run the same
 * controller at once. Losing the lease stops the controllers; winning it again starts
 * fresh ones (fresh expectations, fresh queues).
 */
import { randomUUID } from 'node:crypto';
import { LeaderElector } from '../client/index.js';
import { startControllersA, type RunningController } from '../controllers/index-a.js';
import { startControllersB } from '../controllers/index-b.js';
import { startControllersC } from '../controllers/index-c.js';
import { startControllersD } from '../controllers/index-d.js';
import type { Component, ComponentContext } from './components.js';
import { log } from './log.js';

export const CONTROLLER_MANAGER = 'kube-controller-manager';

export async function startControllers(ctx: ComponentContext): Promise<Component[]> {
  // Controllers write as "kube-controller-manager" (User-Agent, managedFields); the
  // elector gets its own connections so renewals never queue behind controller traffic.
  const cctx: ComponentContext & { logger: typeof log } = { ...ctx, client: ctx.client.withComponent(CONTROLLER_MANAGER), logger: log };
  const abort = new AbortController();
  const running: RunningController[] = [];
  const electionClient = ctx.client.withComponent(CONTROLLER_MANAGER).withComponent('leader-election');
  const elector = new LeaderElector({
    client: electionClient,
    name: CONTROLLER_MANAGER, namespace: 'kube-system',
    identity: `${ctx.nodeName}_${randomUUID()}`,
    logger: log,
    onStartedLeading: async () => {
      // Each part starts on its own: one failing must not leave the others' controllers untracked.
      const parts = [
        ['A', startControllersA],
        ['B', (c: typeof cctx) => startControllersB(c, { terminatedPodGCThreshold: ctx.config.terminatedPodGCThreshold })],
        ['C', async (c: typeof cctx) => startControllersC(c)], // endpoints, endpointslices
        ['D', startControllersD],
      ] as const;
      for (const [part, start] of parts) {
        try { running.push(...await start(cctx)); } catch (e) { log.error('starting controllers failed', { part, err: String(e) }); }
      }
      log.info('controllers started', { controllers: running.map(c => c.name) });
    },
    onStoppedLeading: async () => {
      for (const c of running.splice(0).reverse()) {
        await c.stop().catch(e => log.warn('controller stop failed', { controller: c.name, err: String(e) }));
      }
    },
  });
  const done = elector.run(abort.signal);
  return [{
    name: CONTROLLER_MANAGER,
    async stop() {
      abort.abort();
      await done;
      cctx.client.close();
      electionClient.close();
    },
  }];
}
