/**
 * Test environment for the services room: a real `kubeling server` child (its own
 * controllers, scheduler and agent off) with our components running in the test process
 * against it, and test-only stand-ins for the kubelet: pods whose status (IP, Ready) the
 * test writes through the API.
 */
import type { KubeObject } from '../../src/api/object.js';
import { Client, SharedInformerFactory, silentLogger } from '../../src/client/index.js';
import type { ClusterConfig, Component, ComponentContext } from '../../src/cli/components.js';
import { startTestServer, type TestServer } from '../e2e/harness.js';

export interface Env {
  ts: TestServer;
  client: Client;
  ctx: ComponentContext;
  stop(): Promise<void>;
}

export const POD = { apiVersion: 'v1', kind: 'Pod' };
export const SVC = { apiVersion: 'v1', kind: 'Service' };
export const EP = { apiVersion: 'v1', kind: 'Endpoints' };
export const SLICE = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' };
export const NODE = { apiVersion: 'v1', kind: 'Node' };

export async function startEnv(start: (ctx: ComponentContext) => Component[] | Promise<Component[]>,
  config: Partial<ClusterConfig> = {}, serverArgs: string[] = []): Promise<Env> {
  // The test runs its own services components: the server's DNS would register a second kube-dns endpoint.
  const ts = await startTestServer(['--disable-agent', '--disable-controllers', '--disable-scheduler', '--disable', 'coredns,servicelb', ...serverArgs]);
  const client = Client.fromKubeconfig(ts.kubeconfig);
  const informers = new SharedInformerFactory(client, { logger: silentLogger });
  const ctx: ComponentContext = {
    client, informers, nodeName: 'node-a', dataDir: ts.dataDir,
    config: { clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', nodeMonitorGracePeriod: 40, podEvictionTimeout: 300, ...config },
  };
  let components: Component[] = [];
  try {
    components = await start(ctx);
    informers.start();
  } catch (e) {
    informers.stop(); client.close(); await ts.stop();
    throw e;
  }
  return {
    ts, client, ctx,
    async stop() {
      for (const c of components.reverse()) await c.stop();
      informers.stop();
      client.close();
      await ts.stop();
    },
  };
}

/** Polls `fn` until it returns something truthy; fails with `what` and the last value. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 15_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise(r => setTimeout(r, everyMs));
  }
}

export interface PodSpecLite {
  labels?: Record<string, string>;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  hostname?: string;
  subdomain?: string;
  nodeName?: string;
}

export async function createPod(client: Client, ns: string, name: string, o: PodSpecLite = {}): Promise<KubeObject> {
  return client.create(POD, {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: ns, labels: o.labels ?? {} },
    spec: {
      nodeName: o.nodeName, hostname: o.hostname, subdomain: o.subdomain,
      containers: [{ name: 'c', image: 'busybox', ports: o.ports }],
    },
  });
}

/** TEST ONLY — what a kubelet would report: Running with an IP, Ready or not. */
export async function setPodStatus(client: Client, ns: string, name: string, podIP: string, ready: boolean, hostIP = '10.0.0.1'): Promise<KubeObject> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = (type: string, ok: boolean) => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now });
  return client.patch(POD, name, {
    status: {
      phase: 'Running', podIP, podIPs: [{ ip: podIP }], hostIP, startTime: now,
      conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', ready), cond('Ready', ready)],
    },
  }, { namespace: ns, subresource: 'status', type: 'merge' });
}

/** Creates a pod and reports it Running with `ip`. */
export async function runPod(client: Client, ns: string, name: string, ip: string, ready = true, o: PodSpecLite = {}): Promise<KubeObject> {
  await createPod(client, ns, name, o);
  return setPodStatus(client, ns, name, ip, ready);
}

export async function createNamespace(client: Client, name: string): Promise<void> {
  await client.create({ apiVersion: 'v1', kind: 'Namespace' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
