/**
 * The node agent (our kubelet): registers the Node, heartbeats through its Lease, runs
 * this node's pods through per-pod workers over the Runtime, serves logs, and keeps the
 * pod network contained (unreachable route over the cluster CIDR).
 *
 * Stopping the agent leaves pods running: a new agent over the same directories adopts
 * them (as the kubelet does across restarts). `purgeNode` removes everything.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { Client, EventRecorder } from '../client/index.js';
import { ImageManager } from './containers/images.js';
import { informerObjects } from './containers/informer-objects.js';
import { NodeLease } from './node/lease.js';
import { NodeStatusReporter } from './node/node-status.js';
import { addUnreachableRoute, removeUnreachableRoute } from './node/routes.js';
import { EVICTION_MEMORY_BYTES } from './node/node-object.js';
import { resolveAgentOptions, type AgentOptions, type AgentOptionsInput } from './options.js';
import { Backoff } from './pods/backoff.js';
import type { PodContext } from './pods/context.js';
import { PodManager } from './pods/pod-manager.js';
import { runsByName } from './pods/pod-view.js';
import { PodStatusWriter } from './pods/status-writer.js';
import { ProbeManager } from './probes/probe-manager.js';
import { AgentServer } from './server/agent-server.js';
import { issueNodeToken, registerLocalSocket, revokeNodeToken } from './server/credentials.js';
import type { PortForwards } from './server/portforwards.js';
import { ensureServingCert } from './server/serving-cert.js';
import { registerStreamEndpoints } from './server/stream-endpoints.js';
import { NetnsDialer } from './streaming/netns-dial.js';
import { POD_UID } from './labels.js';
import { createRuntime, openImageStore } from './setup.js';
import type { Runtime } from './runtime/index.js';
import { helperMounter } from './volumes/mounts.js';
import { VolumeManager } from './volumes/volume-manager.js';
import { instrumentRuntime, KubeletMetrics, PROMETHEUS_CONTENT_TYPE, StatsCollector } from './metrics/index.js';

export class NodeAgent {
  readonly options: AgentOptions;
  readonly runtime: Runtime;
  readonly pods: PodManager;
  readonly #server: AgentServer;
  readonly #status: NodeStatusReporter;
  readonly #lease: NodeLease;
  readonly #probes: ProbeManager;
  readonly #recorder: EventRecorder;
  readonly #statuses: PodStatusWriter;
  readonly #token: string;
  readonly #forwards: PortForwards;
  readonly #stats: StatsCollector;
  #started?: Promise<void>;

  private constructor(o: AgentOptions, runtime: Runtime, parts: { server: AgentServer; status: NodeStatusReporter; lease: NodeLease; probes: ProbeManager; recorder: EventRecorder; statuses: PodStatusWriter; pods: PodManager; token: string; forwards: PortForwards; stats: StatsCollector }) {
    this.options = o;
    this.runtime = runtime;
    this.#server = parts.server;
    this.#status = parts.status;
    this.#lease = parts.lease;
    this.#probes = parts.probes;
    this.#recorder = parts.recorder;
    this.#statuses = parts.statuses;
    this.pods = parts.pods;
    this.#token = parts.token;
    this.#forwards = parts.forwards;
    this.#stats = parts.stats;
  }

  /** Starts the agent; resolves once the node is registered (pods start as their cache syncs). */
  static async start(input: AgentOptionsInput): Promise<NodeAgent> {
    const o = resolveAgentOptions(input);
    const log = o.logger;
    await Promise.all(['pods', 'logs', 'runtime'].map(d => mkdir(join(o.dir, d), { recursive: true })));
    // Runtime calls count into the agent's /metrics; running pods/containers come from the last stats reading.
    let stats!: StatsCollector;
    const metrics = new KubeletMetrics({ runningPods: () => stats.counts.pods, containersByState: () => ({ running: stats.counts.containers }) });
    const store = o.runtime ? undefined : await openImageStore(o.imagesDir, log);
    const runtime = instrumentRuntime(o.runtime ?? await createRuntime(o, store!), metrics);
    stats = new StatsCollector({ runtime, nodeName: o.nodeName, cgroupParent: o.cgroupParent });
    if (o.manageRoute) await addUnreachableRoute(o.clusterCidr);

    const clients = agentClients(o.client);
    const client = clients.api;
    const recorder = new EventRecorder({ client: clients.events, component: 'kubelet', host: o.nodeName, logger: log, concurrency: EVENT_CONNECTIONS });
    const pods = o.informers.informerFor<Pod & KubeObject>({ apiVersion: 'v1', kind: 'Pod' }, { fieldSelector: `spec.nodeName=${o.nodeName}` });
    const configMaps = o.informers.informerFor({ apiVersion: 'v1', kind: 'ConfigMap' });
    const secrets = o.informers.informerFor({ apiVersion: 'v1', kind: 'Secret' });
    const services = o.informers.informerFor({ apiVersion: 'v1', kind: 'Service' });
    const objects = informerObjects(client, { configMaps, secrets, services });
    const statuses = new PodStatusWriter({ client, logger: log, cached: (ns, name) => pods.getByName(name, ns), retryMaxMs: o.resyncIntervalMs });
    const probes = new ProbeManager({ runtime, recorder });
    const token = issueNodeToken(o.nodeName);
    const logsDir = join(o.dir, 'logs');
    let server!: AgentServer;
    const status = new NodeStatusReporter({
      client: clients.heartbeat, runtime, recorder, logger: log, nodeName: o.nodeName, podCidr: o.podCidr, stateDir: o.dir,
      nodeIP: o.nodeIP, intervalMs: o.statusIntervalMs, port: () => server.port,
    });
    const machine = await status.machine();
    const cx: PodContext = {
      runtime, client, recorder, logger: log, probes, statuses, objects, logsDir,
      images: new ImageManager({ images: runtime.images, recorder, logger: log, backoff: new Backoff() }),
      // tmpfs volumes are mounted by the runtime's spawner helper (no process per pod).
      volumes: new VolumeManager({ root: join(o.dir, 'pods'), objects, client, mounter: store && helperMounter(store.helper) }),
      hostIP: () => machine.nodeIP,
      nodeMemoryBytes: () => machine.memoryBytes,
      allocatable: () => ({ cpuMilli: machine.cpus * 1000, memoryBytes: machine.memoryBytes - EVICTION_MEMORY_BYTES, ephemeralBytes: Math.floor(machine.diskBytes * 0.9) }),
      dnsService: () => services.getByName('kube-dns', 'kube-system') as Service | undefined, clusterDomain: o.clusterDomain,
      resyncIntervalMs: o.resyncIntervalMs, metrics,
    };
    const manager = new PodManager(cx, pods);
    server = new AgentServer({
      token, logger: log,
      tls: { ...ensureServingCert(join(o.dir, 'tls'), o.nodeName, [machine.nodeIP]), ca: o.client.config.ca },
      logs: {
        pod: (ns, name) => pods.getByName(name, ns),
        podStatus: pod => statuses.get(pod.metadata!.uid!) ?? pod.status,
        runs: async (uid, container) => runsByName({ sandboxes: [], containers: await runtime.listContainers({ labels: { [POD_UID]: uid } }) }).get(container) ?? [],
        state: async id => (await runtime.containerStatus(id).catch(() => undefined))?.state,
      },
    });
    const forwards = registerStreamEndpoints(server, {
      pod: (ns, name) => pods.getByName(name, ns), runtime, logger: log,
      dialer: new NetnsDialer({ runDir: join(o.dir, 'portforward') }),
    });
    server.route('GET', /^\/metrics$/, async (_req, res) => {
      res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE }).end(metrics.render());
    });
    server.route('GET', /^\/stats\/summary$/, async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await stats.summary()));
    });
    await server.listen(o.serverAddress, o.serverPort);
    const localSocket = join(o.dir, 'agent.sock');
    // A data dir too deep for a unix socket path only costs the in-process shortcut.
    await server.listenLocal(localSocket).then(() => registerLocalSocket(o.nodeName, localSocket),
      e => log.warn('agent local socket unavailable; the API server uses HTTPS', { path: localSocket, error: (e as Error).message }));
    const lease = new NodeLease({ client: clients.heartbeat, nodeName: o.nodeName, logger: log, intervalMs: o.leaseIntervalMs, nodeUid: () => status.node?.metadata?.uid });
    const agent = new NodeAgent(o, runtime, { server, status, lease, probes, recorder, statuses, pods: manager, token, forwards, stats });
    await registerWithRetry(status, log);
    lease.start();
    status.start();
    stats.start();
    agent.#started = manager.start({ configMaps, secrets }).catch(e => log.error('pod manager failed to start', { error: (e as Error).message }));
    log.info('node agent started', { node: o.nodeName, podCidr: o.podCidr, port: server.port, nodeIP: machine.nodeIP });
    return agent;
  }

  get port(): number { return this.#server.port; }
  /** The agent's HTTP endpoint, for more node subresources (exec, attach, port-forward). */
  get server(): AgentServer { return this.#server; }
  get token(): string { return this.#token; }

  /** Resolves once the pod cache synced and orphans were cleaned (tests). */
  async ready(): Promise<void> { await this.#started; }

  /** Stops the agent; pods keep running. */
  async stop(): Promise<void> {
    this.pods.stop();
    this.#probes.stopAll();
    this.#lease.stop();
    this.#status.stop();
    this.#forwards.closeAll();
    this.#stats.stop();
    await this.#server.close();
    await this.#statuses.idle();
    await this.#recorder.close();
    revokeNodeToken(this.options.nodeName, this.#token);
    if (this.options.manageRoute) await removeUnreachableRoute(this.options.clusterCidr);
  }
}

/** Connections of the agent's clients (more requests wait for a free one). */
const API_CONNECTIONS = 64;
const EVENT_CONNECTIONS = 8;
const HEARTBEAT_CONNECTIONS = 2;

/**
 * The agent's API clients, each with a pool of its own, as upstream's kubelet keeps three
 * (KubeClient, EventClient, HeartbeatClient): a burst of events never holds up status
 * writes and a burst of pods never delays the node's Lease and status. The API pool stays
 * wide: with 8 connections a burst's requests (a token, two status writes per pod) queued
 * in the agent and "started → Running seen" grew from ~0.6 s to 1-3 s, while the TLS
 * handshakes saved (59 → 7 connects per 100-pod burst) were not visible in the CPU figures.
 */
function agentClients(base: Client): { api: Client; events: Client; heartbeat: Client } {
  const pool = (maxConnections: number) => new Client({ ...base.config, maxConnections }).withComponent('kubelet');
  return { api: pool(API_CONNECTIONS), events: pool(EVENT_CONNECTIONS), heartbeat: pool(HEARTBEAT_CONNECTIONS) };
}

async function registerWithRetry(status: NodeStatusReporter, log: AgentOptions['logger']): Promise<void> {
  for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
    try {
      await status.register();
      return;
    } catch (e) {
      log.warn('node registration failed; retrying', { error: (e as Error).message });
      await new Promise(r => setTimeout(r, delay));
    }
  }
}
