/**
 * A worker thread of `kubeling server` (components-thread.ts starts it) running the
 * components it is told to: the controller manager, the scheduler, cluster DNS and
 * ServiceLB in one, the node agent with its service proxy in another. Its own clients and
 * shared informers reach the API server on the main thread multiplexed over one
 * MessagePort (ThreadLink), so watch decoding, syncs, pod workers and request encoding run
 * on another core. The components are the ones the main thread would run; only the
 * connection differs. Signals reach only the main thread, which asks this one to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { UserInfo } from '../apiserver/index.js';
import { Client, SharedInformerFactory } from '../client/index.js';
import { ThreadLink } from '../client/thread-link.js';
import { MetricsRegistry } from '../metrics/index.js';
import type { Component, ComponentContext } from './components.js';
import { heapFigures, type FromWorker, type ToWorker, type WorkerData } from './components-thread.js';
import { log } from './log.js';
import { IDENTITIES } from './wire-clients.js';
import { setSpawnerHost } from '../node/runtime/spawner-host.js';

const data = workerData as WorkerData;
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const link = new ThreadLink(data.link, true);

// A stray rejection in one component must not end the thread (main.ts does the same for the main one).
process.on('unhandledRejection', err => log.error('unhandled rejection', { thread: data.name, err: String((err as Error)?.stack ?? err) }));

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
  post({ type: 'heap', heap: heapFigures() });
};
const metricsTimer = setInterval(pushMetrics, 1000);
metricsTimer.unref();

async function stop(): Promise<void> {
  clearInterval(metricsTimer);
  for (const c of components.reverse()) await c.stop().catch(e => log.warn('component stop failed', { component: c.name, err: String(e) }));
  informers.stop();
  ctx.client.close();
  pushMetrics();
  // Ends this thread even if a handle was left behind; our stderr is flushed first.
  process.exit(0);
}

// The agent's spawner helper is started by the main thread, which reaps it when it exits,
// even after this thread died (spawner-host.ts).
const helperStarts = new Map<number, { resolve(): void; reject(e: Error): void }>();
let helperStartId = 0;
setSpawnerHost(req => new Promise((resolve, reject) => {
  const id = ++helperStartId;
  helperStarts.set(id, { resolve, reject });
  post({ type: 'spawn-helper', id, req });
}));

port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') void stop();
  if (m.type === 'helper-spawned') {
    const p = helperStarts.get(m.id);
    helperStarts.delete(m.id);
    if (m.error) p?.reject(new Error(m.error)); else p?.resolve();
  }
  // Test-only (thread-fault.ts): an error nothing catches ends this thread, as a bug would.
  if (m.type === 'test-fault-throw') setImmediate(() => { throw new Error('test thread fault: thrown on request'); });
});

if (data.controllers) {
  const { CONTROLLER_MANAGER, startControllers } = await import('./wire-controllers.js');
  components.push(...await startControllers(as(CONTROLLER_MANAGER, IDENTITIES.controllerManager)));
}
if (data.scheduler) {
  const { SCHEDULER, startScheduler } = await import('./wire-scheduler.js');
  components.push(...await startScheduler(as(SCHEDULER, IDENTITIES.scheduler)));
}
// Cluster DNS must answer before the node agent runs pods (its thread starts after this one).
if (data.services.dns !== false || data.services.serviceLB !== false || data.services.proxy !== false) {
  const { startServices } = await import('./wire-services.js');
  components.push(...await startServices(ctx, data.services, { dns: clientFor(IDENTITIES.dns), serviceLB: clientFor(IDENTITIES.serviceLB) }));
}
if (data.agent) {
  const [{ startAgent }, { registeredAgent }] = await Promise.all([import('./wire-agent.js'), import('../node/api-proxy/index.js')]);
  components.push(...await startAgent(as('kubelet', IDENTITIES.node(data.nodeName)), data.agent));
  // The API server's proxies (log, exec, port-forward) reach the agent with its token over its local socket.
  const registered = registeredAgent(data.nodeName);
  if (registered) post({ type: 'agent', nodeName: data.nodeName, ...registered });
}
informers.start();
post({ type: 'started', components: components.map(c => c.name) });
