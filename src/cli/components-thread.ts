/**
 * Runs some of `kubeling server`'s components in a worker thread (components-worker.ts), so
 * they use the second core instead of queueing behind the API server's requests on the main
 * thread: by default one thread for the controller manager and scheduler (with cluster DNS
 * and ServiceLB, which share their informers) and one for the node agent with its service
 * proxy. A worker connects like any in-process component, its connections multiplexed over
 * one MessagePort (ThreadLink); this side hands each to the API server as the user the worker
 * named for it. Its metrics are appended to the API server's /metrics, with every thread's
 * V8 heap (kubeling_thread_heap_bytes); an agent's token and local socket are registered
 * here, where the API server's log/exec/port-forward proxies look for them, and its spawner
 * helper is started here (spawner-host.ts), so it is reaped even after the thread died.
 * An unexpected exit is logged and the worker started again (leader election keeps a
 * restarted control plane from overlapping the old one's work; a restarted agent adopts the
 * running pods; test/node/agent-thread-restart.test.ts); stop asks it to stop its components
 * and waits for the thread to end, terminating it if it does not.
 */
import { readdirSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import type { ApiServer, UserInfo } from '../apiserver/index.js';
import { ThreadLink } from '../client/thread-link.js';
import type { MetricsRegistry } from '../metrics/index.js';
import { endPortForwardsHere, registerInProcessAgent, revokeNodeToken } from '../node/api-proxy/index.js';
// The one file, not the runtime's index (which loads the whole runtime).
import { spawnHostedHelper, type HostedHelperRequest } from '../node/runtime/spawner-host.js';
import type { ClusterConfig, Component } from './components.js';
import { humanLogs, log } from './log.js';
import type { AgentFlags } from './wire-agent.js';
import type { ServicesOptions } from './wire-services.js';
import { registerThreadFaults } from './thread-fault.js';

export interface ComponentsWorkerData {
  /** Names the thread in logs and metrics ("control-plane", "node-agent"). */
  name: string;
  url: string; caCert: string; kubeconfig: string;
  /** Connect over HTTPS with the admin kubeconfig (--in-process-https) instead of through ports. */
  https: boolean;
  nodeName: string; dataDir: string; config: ClusterConfig;
  controllers: boolean; scheduler: boolean;
  /** Cluster DNS, ServiceLB and service proxy settings (each runs where its flag is on). */
  services: Partial<ServicesOptions>;
  /** Run this node's agent (after the services, as on the main thread). */
  agent?: AgentFlags;
}

/** What the worker gets: the settings and its end of the link. */
export type WorkerData = ComponentsWorkerData & { link: MessagePort };

export interface HeapFigures { total: number; used: number; external: number }

export type FromWorker =
  | { type: 'started'; components: string[] }
  | { type: 'metrics'; text: string }
  | { type: 'heap'; heap: HeapFigures }
  /** The worker's agent registered this token and local socket (in the worker's own module copy). */
  | { type: 'agent'; nodeName: string; token: string; socketPath?: string }
  /** Start a spawner helper for the worker (spawner-host.ts): this thread reaps it, whatever becomes of the worker. */
  | { type: 'spawn-helper'; id: number; req: HostedHelperRequest };
export type ToWorker =
  | { type: 'stop' }
  | { type: 'helper-spawned'; id: number; error?: string }
  /** Test-only (thread-fault.ts): throw an uncaught error. */
  | { type: 'test-fault-throw' };

/**
 * A thread's young generation unless its caller sets one: 3 × a 32 MB semi-space. The control
 * plane's garbage is mostly watch events and requests that live across a few turns; with
 * V8's default, scavenges copied them (and the scheduler's per-pod objects) over and over:
 * SchedulingBasic (5,000 nodes, 10,000 pods) spent ~25 µs/pod of the scheduler thread, and
 * more in V8's helper threads, on scavenges.
 */
const DEFAULT_YOUNG_GENERATION_MB = 96;
/** How long a stopping worker gets to stop its components before it is terminated. */
const STOP_GRACE_MS = 20_000;
const RESTART_DELAY_MS = 1000;

/** Each thread's last V8 heap figures, per metrics registry (rendered once, whatever the number of threads). */
const heaps = new WeakMap<MetricsRegistry, Map<string, HeapFigures>>();

function heapGauge(metrics: MetricsRegistry): Map<string, HeapFigures> {
  let threads = heaps.get(metrics);
  if (threads) return threads;
  const map = new Map<string, HeapFigures>();
  heaps.set(metrics, map);
  threads = map;
  metrics.gauge<'thread' | 'kind'>({
    name: 'kubeling_thread_heap_bytes',
    help: "V8 heap of each thread of this process: committed (total), used, and memory its objects hold outside the heap (external). Worker threads report once a second.",
    labelNames: ['thread', 'kind'],
    collect: () => [['main', heapFigures()] as const, ...map].flatMap(([thread, h]) =>
      (['total', 'used', 'external'] as const).map(kind => ({ labels: { thread, kind }, value: h[kind] }))),
  });
  return map;
}

/** This thread's V8 heap. */
export function heapFigures(): HeapFigures {
  const h = getHeapStatistics();
  return { total: h.total_heap_size, used: h.used_heap_size, external: h.external_memory };
}

/** The OS thread ids of this process (a new worker's thread is the one that was not there before). */
const threadIds = (): Set<string> => { try { return new Set(readdirSync('/proc/self/task')); } catch { return new Set(); } };

export async function startComponentsThread(
  api: ApiServer, metrics: MetricsRegistry, data: ComponentsWorkerData, o: { resourceLimits?: ResourceLimits } = {},
): Promise<Component[]> {
  const label = `${data.name} thread`;
  let workerMetrics = '';
  metrics.addCollector(() => workerMetrics);
  const threadHeaps = heapGauge(metrics);
  let stopping = false;
  let worker: Worker;
  let exited: Promise<void>;
  /** Node names whose agent this thread registered (revoked when it exits). */
  const agents = new Map<string, string>();

  const spawn = (): Promise<void> => new Promise((resolve, reject) => {
    let started = false;
    const { port1, port2 } = new MessageChannel();
    const link = new ThreadLink(port1, false);
    link.onConnection = (socket, user) => api.acceptInProcess(socket, user as UserInfo);
    const before = threadIds();
    let tid: string | undefined;
    const w = new Worker(new URL('./components-worker.js', import.meta.url), {
      workerData: { ...data, link: port2 } satisfies WorkerData, transferList: [port2],
      env: { ...process.env, KUBELING_LOG_FORMAT: humanLogs ? 'human' : 'json' },
      name: data.name, resourceLimits: o.resourceLimits ?? { maxYoungGenerationSizeMb: DEFAULT_YOUNG_GENERATION_MB },
    });
    worker = w;
    // The thread's OS id (for its CPU in /proc/<pid>/task/<tid>/stat, e.g. bench/node.ts).
    w.once('online', () => { tid = [...threadIds()].find(t => !before.has(t)); });
    w.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'metrics': workerMetrics = m.text; break;
        case 'heap': threadHeaps.set(data.name, m.heap); break;
        case 'agent':
          registerInProcessAgent(m.nodeName, m);
          agents.set(m.nodeName, m.token);
          break;
        case 'spawn-helper':
          spawnHostedHelper(m.req).then(child => {
            child.on('error', e => log.error(`${label}: cannot start its spawner helper`, { helper: m.req.helper, error: e.message }));
            child.on('exit', (code, signal) => { if (code || signal) log.warn(`${label}: its spawner helper exited`, { helper: m.req.helper, code, signal }); });
            w.postMessage({ type: 'helper-spawned', id: m.id } satisfies ToWorker);
          }, (e: Error) => w.postMessage({ type: 'helper-spawned', id: m.id, error: e.message } satisfies ToWorker));
          break;
        case 'started':
          started = true;
          log.info(`${label} started`, { components: m.components, tid: tid === undefined ? undefined : Number(tid) });
          resolve();
          break;
      }
    });
    w.on('error', e => log.error(`${label} failed`, { error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
    exited = new Promise(done => w.once('exit', code => {
      link.close();
      for (const [node, token] of agents) { revokeNodeToken(node, token); endPortForwardsHere(node); }
      agents.clear();
      threadHeaps.delete(data.name);
      done();
      if (!started) { reject(new Error(`the ${label} exited (${code}) before its components started`)); return; }
      if (stopping) return;
      log.error(`${label} exited; starting it again`, { code, delayMs: RESTART_DELAY_MS });
      setTimeout(() => { if (!stopping) spawn().catch(e => log.error(`restarting the ${label} failed`, { error: String(e) })); }, RESTART_DELAY_MS);
    }));
  });

  await spawn();
  registerThreadFaults(data.name, f => {
    if (f === 'terminate') void worker.terminate();
    else worker.postMessage({ type: 'test-fault-throw' } satisfies ToWorker);
  });
  return [{
    name: `${data.name}-thread`,
    async stop() {
      stopping = true;
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => {
        log.warn(`${label} did not stop in time; terminating it`, { graceMs: STOP_GRACE_MS });
        void worker.terminate();
      }, STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  }];
}
