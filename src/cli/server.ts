/**
 * `kubeling server`: the whole cluster in one process (like k3s) — store, API
 * server, controllers and, unless disabled, the node agent for this machine with its
 * service proxy, plus cluster DNS and the load-balancer status writer.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiServer, ensurePki, issueClientCert, ServiceAccountTokens, writeKubeconfig, type UserInfo } from '../apiserver/index.js';
import { openSqliteStore } from '../store/index.js';
import { bootstrapCluster } from './bootstrap.js';
// The proxies' own module, not the node agent's index (which loads the whole agent).
import { registerNodeProxies } from '../node/api-proxy/index.js';
import { log } from './log.js';
import type { Component, ComponentContext } from './components.js';
import type { AgentFlags } from './wire-agent.js';
import type { ServicesOptions } from './wire-services.js';
import { hostname } from 'node:os';

export interface ServerFlags {
  dataDir: string;
  /** --event-ttl: events are deleted this long after their last write (default 1h). */
  eventTtlMs?: number;
  writeKubeconfig?: string;
  port: number;
  bindAddress: string;
  disableAgent: boolean;
  tlsSan: string[];
  nodeName?: string;
  clusterCidr?: string;
  serviceCidr?: string;
  disableControllers?: boolean;
  disableScheduler?: boolean;
  /** The node agent's settings (--node-ip, --kubelet-port, --pod-cidr, ...). */
  agent?: AgentFlags;
  /** Service proxy, cluster DNS and ServiceLB settings (flags-services.ts); the proxy never runs without the agent. */
  services?: Partial<ServicesOptions>;
  /** Terminated pods kept before pod GC deletes the oldest (default 12500). */
  terminatedPodGCThreshold?: number;
  /** --in-process-https: in-process components connect over HTTPS on loopback (default: in memory; wire-clients.ts). */
  inProcessHttps?: boolean;
  /**
   * --control-plane-in-main-thread: run the controller manager and scheduler on the API
   * server's thread (default: in a worker thread of their own, components-thread.ts).
   */
  controlPlaneInMainThread?: boolean;
  /**
   * Where the node agent and its service proxy run: a worker thread of their own (default,
   * components-thread.ts), the control plane's worker thread, or (--agent-in-main-thread)
   * the API server's thread.
   */
  agentThread?: AgentThread;
}

export type AgentThread = 'own' | 'control-plane' | 'main';

export interface RunningServer {
  api: ApiServer;
  url: string;
  kubeconfig: string;
  stop(): Promise<void>;
}

/**
 * The agent thread's young generation: 3 × a 4 MB semi-space, what AGENT_NODE_FLAGS
 * (--max-semi-space-size=4) gives the agent's own process (its garbage is small and short-lived).
 */
const AGENT_YOUNG_GENERATION_MB = 12;

export async function startServer(flags: ServerFlags): Promise<RunningServer> {
  const t0 = performance.now();
  mkdirSync(flags.dataDir, { recursive: true });
  const pki = await ensurePki(join(flags.dataDir, 'tls'), flags.tlsSan);
  const store = await openSqliteStore(join(flags.dataDir, 'db', 'state.db'));
  const api = new ApiServer({
    store, host: flags.bindAddress, port: flags.port, serviceCidr: flags.serviceCidr ?? '10.43.0.0/16',
    tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert }, eventTtlMs: flags.eventTtlMs,
    serviceAccountTokens: new ServiceAccountTokens(pki.serviceAccount),
    // Missing accounts reject pods only where the controller manager creates `default` ones.
    requireServiceAccount: !flags.disableControllers,
  });
  // pods/log, exec, attach and port-forward go to the node agent that runs the pod.
  // RequestContext is a superset of the proxy's context; agents accept the kubelet-client certificate.
  registerNodeProxies(api as never, await issueClientCert(pki.dir, 'apiserver-kubelet-client', 'kube-apiserver-kubelet-client', 'system:masters'));
  await api.listen();
  const url = api.url.replace('://0.0.0.0', '://127.0.0.1');
  const kubeconfig = flags.writeKubeconfig ?? join(flags.dataDir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfig, url, pki);
  await bootstrapCluster(api.registry, { port: Number(new URL(url).port), controllerObjects: flags.disableControllers ? undefined : { caCert: pki.caCert } });
  api.setReady(true);
  log.info('api server ready', { url, kubeconfig, startupMs: Math.round(performance.now() - t0) });
  // The components' modules (clients, controllers, scheduler, services: ~150 files, ~0.3 s)
  // load only now: the API server is ready without them, as kube-apiserver is ready
  // before the controller manager and scheduler connect.
  const [{ SharedInformerFactory }, { componentClients, IDENTITIES }] = await Promise.all([
    import('../client/index.js'), import('./wire-clients.js'),
  ]);
  const clientFor = componentClients(api, { url, kubeconfig, caCert: pki.caCert, https: !!flags.inProcessHttps });
  const client = clientFor(IDENTITIES.server);
  const informers = new SharedInformerFactory(client);
  const ctx: ComponentContext = {
    client, informers, nodeName: flags.nodeName ?? hostname(), dataDir: flags.dataDir, metrics: api.metrics.registry, caCert: pki.caCert,
    config: {
      clusterCidr: flags.clusterCidr ?? '10.42.0.0/16', serviceCidr: flags.serviceCidr ?? '10.43.0.0/16', clusterDomain: flags.services?.clusterDomain,
      nodeMonitorGracePeriod: 40, podEvictionTimeout: 300, terminatedPodGCThreshold: flags.terminatedPodGCThreshold ?? 12_500,
    },
  };
  const components: Component[] = [];
  // Each component gets its own User-Agent program (upstream's binary names), and so its own
  // default field manager; the parts each names in turn only extend the User-Agent. Its
  // client connects as its own user (wire-clients.ts); the informers stay shared.
  const as = (name: string, user: UserInfo): ComponentContext => ({ ...ctx, client: clientFor(user).withComponent(name) });
  const services: Partial<ServicesOptions> = {
    nodeIP: flags.agent?.nodeIP, ...flags.services, proxy: !flags.disableAgent && flags.services?.proxy !== false,
  };
  // The control plane's thread also runs cluster DNS and ServiceLB: their informers (all pods,
  // services, slices, nodes) are the controllers' there, not a second set of watches here.
  // The proxy runs with the agent: in the agent's thread, or on this one.
  const threaded = (!flags.disableControllers || !flags.disableScheduler) && !flags.controlPlaneInMainThread;
  const agentWhere: AgentThread | undefined = flags.disableAgent ? undefined
    : flags.agentThread === 'control-plane' && !threaded ? 'own' : flags.agentThread ?? 'own';
  const threadData = { url, caCert: pki.caCert, kubeconfig, https: !!flags.inProcessHttps, nodeName: ctx.nodeName, dataDir: flags.dataDir, config: ctx.config };
  const { startComponentsThread } = threaded || agentWhere === 'own' ? await import('./components-thread.js') : { startComponentsThread: undefined };
  if (threaded) {
    const withAgent = agentWhere === 'control-plane';
    components.push(...await startComponentsThread!(api, api.metrics.registry, {
      ...threadData, name: withAgent ? 'components' : 'control-plane',
      controllers: !flags.disableControllers, scheduler: !flags.disableScheduler,
      services: { ...services, proxy: withAgent && services.proxy },
      agent: withAgent ? flags.agent ?? {} : undefined,
    }));
  }
  if (!flags.disableControllers && flags.controlPlaneInMainThread) {
    const { CONTROLLER_MANAGER, startControllers } = await import('./wire-controllers.js');
    components.push(...await startControllers(as(CONTROLLER_MANAGER, IDENTITIES.controllerManager)));
  }
  if (!flags.disableScheduler && flags.controlPlaneInMainThread) {
    const { SCHEDULER, startScheduler } = await import('./wire-scheduler.js');
    components.push(...await startScheduler(as(SCHEDULER, IDENTITIES.scheduler)));
  }
  // Before the agent: pods started at once must find kube-dns; stopped after it (reverse order).
  const here: Partial<ServicesOptions> = {
    ...services, dns: !threaded && services.dns, serviceLB: !threaded && services.serviceLB, proxy: agentWhere === 'main' && services.proxy,
  };
  if (here.dns !== false || here.serviceLB !== false || here.proxy !== false) {
    const { startServices } = await import('./wire-services.js');
    components.push(...await startServices(ctx, here, { dns: clientFor(IDENTITIES.dns), serviceLB: clientFor(IDENTITIES.serviceLB) }));
  }
  if (agentWhere === 'main') components.push(...await (await import('./wire-agent.js')).startAgent(as('kubelet', IDENTITIES.node(ctx.nodeName)), flags.agent));
  if (agentWhere === 'own') {
    // The node agent and its proxy in a thread of their own: a burst of pods no longer
    // queues the API server's answers behind pod workers (and theirs behind the API server).
    // Measured on 2 cores (bench/node.ts, burst of 100, load 8-21): own thread 4.8-5.9 s,
    // in the control plane's thread 6.6-6.8 s (its controllers react to the same burst on
    // the same loop), on the main thread 8.4-9.9 s (creates answered at p99 7+ s); it costs
    // the server ~20-40 MB of RSS (a second copy of the agent's modules, its own heap).
    components.push(...await startComponentsThread!(api, api.metrics.registry, {
      ...threadData, name: 'node-agent', controllers: false, scheduler: false,
      services: { ...services, dns: false, serviceLB: false }, agent: flags.agent ?? {},
    }, { resourceLimits: { maxYoungGenerationSizeMb: AGENT_YOUNG_GENERATION_MB } }));
  }
  informers.start();
  const stop = async () => {
    for (const c of components.reverse()) await c.stop().catch(e => log.warn('component stop failed', { component: c.name, err: String(e) }));
    informers.stop();
    api.setReady(false);
    await api.close();
    await store.close();
  };
  return { api, url, kubeconfig, stop };
}
