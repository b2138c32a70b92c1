/**
 * The worker thread of `kubeling server` that runs the controller manager, the scheduler,
 * cluster DNS and ServiceLB (components-thread.ts starts it): its own clients and shared informers, whose
 * connections reach the API server on the main thread multiplexed over one MessagePort (ThreadLink), so
 * watch decoding, scheduling cycles, controller syncs and request encoding run on a second
 * core. The components are the ones the main thread would run; only the connection differs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { UserInfo } from '../apiserver/index.js';
import { Client, SharedInformerFactory } from '../client/index.js';
import { ThreadLink } from '../client/thread-link.js';
import { MetricsRegistry } from '../metrics/index.js';
import type { Component, ComponentContext } from './components.js';
import type { FromWorker, ToWorker, WorkerData } from './components-thread.js';
import { log } from './log.js';
import { IDENTITIES } from './wire-clients.js';

const data = workerData as WorkerData;
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const link = new ThreadLink(data.link, true);

/** A client whose every new connection goes over the link; the main thread serves it as `user`. */
function clientFor(user: UserInfo): Client {
  if (data.https) return Client.fromKubeconfig(data.kubeconfig);
  return new Client({ url: data.url, ca: data.caCert, connect: () => link.connect(user) });
}

const metrics = new MetricsRegistry();
const informers = new SharedInformerFactory(clientFor(IDENTITIES.server));
const ctx: ComponentContext = {
  client: clientFor(IDENTITIES.server), informers, nodeName: data.nodeName, dataDir: data.dataDir, metrics, caCert: data.caCert, config: data.config,
};
const as = (name: string, user: UserInfo): ComponentContext => ({ ...ctx, client: clientFor(user).withComponent(name) });
const components: Component[] = [];
// The main thread's /metrics shows ours as of the last second (histograms and counters only grow).
let lastMetrics = '';
const pushMetrics = () => {
  const text = metrics.render();
  if (text !== lastMetrics) { lastMetrics = text; post({ type: 'metrics', text }); }
};
const metricsTimer = setInterval(pushMetrics, 1000);
metricsTimer.unref();

async function stop(): Promise<void> {
  clearInterval(metricsTimer);
  for (const c of components.reverse()) await c.stop().catch(e => log.warn('component stop failed', { component: c.name, err: String(e) }));
  informers.stop();
  ctx.client.close();
  pushMetrics();
  post({ type: 'stopped' });
  // Ends this thread even if a handle was left behind; our stderr is flushed first.
  process.exit(0);
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') void stop();
});

if (data.controllers) {
  const { CONTROLLER_MANAGER, startControllers } = await import('./wire-controllers.js');
  components.push(...await startControllers(as(CONTROLLER_MANAGER, IDENTITIES.controllerManager)));
}
if (data.scheduler) {
  const { SCHEDULER, startScheduler } = await import('./wire-scheduler.js');
  components.push(...await startScheduler(as(SCHEDULER, IDENTITIES.scheduler)));
}
// Cluster DNS must answer before the node agent (started after this thread) runs pods.
const { startServices } = await import('./wire-services.js');
components.push(...await startServices(ctx, data.services, { dns: clientFor(IDENTITIES.dns), serviceLB: clientFor(IDENTITIES.serviceLB) }));
informers.start();
post({ type: 'started', components: components.map(c => c.name) });
