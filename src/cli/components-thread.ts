/**
 * Runs `kubeling server`'s controller manager and scheduler (and cluster DNS and ServiceLB,
 * which share their informers) in a worker thread
 * (components-worker.ts), so they use the second core instead of queueing behind the API
 * server's requests on the main thread. The worker connects like any in-process component,
 * its connections multiplexed over one MessagePort (ThreadLink); this side hands each to the
 * API server as the user the worker named for it. Its metrics are appended to the API
 * server's /metrics; an unexpected exit is logged and the worker started again (leader
 * election keeps a restarted one from overlapping the old one's work); stop asks it to stop
 * its components and waits for the thread to end, terminating it if it does not.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { ApiServer, UserInfo } from '../apiserver/index.js';
import { ThreadLink } from '../client/thread-link.js';
import type { MetricsRegistry } from '../metrics/index.js';
import type { ClusterConfig, Component } from './components.js';
import { humanLogs, log } from './log.js';
import type { ServicesOptions } from './wire-services.js';

export interface ComponentsWorkerData {
  url: string; caCert: string; kubeconfig: string;
  /** Connect over HTTPS with the admin kubeconfig (--in-process-https) instead of through ports. */
  https: boolean;
  nodeName: string; dataDir: string; config: ClusterConfig;
  controllers: boolean; scheduler: boolean;
  /** Cluster DNS and ServiceLB settings (the proxy never runs there). */
  services: Partial<ServicesOptions>;
}

/** What the worker gets: the settings and its end of the link. */
export type WorkerData = ComponentsWorkerData & { link: MessagePort };

export type FromWorker =
  | { type: 'started'; components: string[] }
  | { type: 'metrics'; text: string }
  | { type: 'stopped' };
export type ToWorker = { type: 'stop' };

/** How long a stopping worker gets to stop its components before it is terminated. */
const STOP_GRACE_MS = 20_000;
const RESTART_DELAY_MS = 1000;

export async function startComponentsThread(api: ApiServer, metrics: MetricsRegistry, data: ComponentsWorkerData): Promise<Component[]> {
  let workerMetrics = '';
  metrics.addCollector(() => workerMetrics);
  let stopping = false;
  let worker: Worker;
  let exited: Promise<void>;

  const spawn = (): Promise<void> => new Promise((resolve, reject) => {
    let started = false;
    const { port1, port2 } = new MessageChannel();
    const link = new ThreadLink(port1, false);
    link.onConnection = (socket, user) => api.acceptInProcess(socket, user as UserInfo);
    const w = new Worker(new URL('./components-worker.js', import.meta.url), {
      workerData: { ...data, link: port2 } satisfies WorkerData, transferList: [port2],
      env: { ...process.env, KUBELING_LOG_FORMAT: humanLogs ? 'human' : 'json' },
    });
    worker = w;
    w.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'metrics': workerMetrics = m.text; break;
        case 'started':
          started = true;
          log.info('control plane thread started', { components: m.components });
          resolve();
          break;
      }
    });
    w.on('error', e => log.error('control plane thread failed', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
    exited = new Promise(done => w.once('exit', code => {
      link.close();
      done();
      if (!started) { reject(new Error(`the control plane thread exited (${code}) before its components started`)); return; }
      if (stopping) return;
      log.error('control plane thread exited; starting it again', { code, delayMs: RESTART_DELAY_MS });
      setTimeout(() => { if (!stopping) spawn().catch(e => log.error('restarting the control plane thread failed', { error: String(e) })); }, RESTART_DELAY_MS);
    }));
  });

  await spawn();
  return [{
    name: 'control-plane-thread',
    async stop() {
      stopping = true;
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => {
        log.warn('control plane thread did not stop in time; terminating it', { graceMs: STOP_GRACE_MS });
        void worker.terminate();
      }, STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  }];
}
