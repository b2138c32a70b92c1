/**
 * Test environment for the index-b controllers: a real `kubeling server` child with its
 * own controllers and scheduler off, our controllers running in the test process
 * against it, and test-only stand-ins for what is not there yet — fake nodes (Node
 * objects with no machine behind them) and a fake kubelet that writes pod status.
 */
import type { KubeObject } from '../../src/api/object.js';
import { Client, SharedInformerFactory, defaultLogger, silentLogger } from '../../src/client/index.js';
import type { ClusterConfig, Component, ComponentContext } from '../../src/cli/components.js';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';

// KUBELING_TEST_VERBOSE=1 also shows the controllers' info lines (e.g. "sync failed; requeued").
if (process.env.KUBELING_TEST_VERBOSE) {
  (defaultLogger as { info: typeof defaultLogger.info }).info = (msg, f) => process.stderr.write(`${JSON.stringify({ level: 'info', msg, ...f })}\n`);
}

export interface Env {
  ts: TestServer;
  client: Client;
  ctx: ComponentContext;
  stop(): Promise<void>;
}

export async function startEnv(start: (ctx: ComponentContext) => Component[], config: Partial<ClusterConfig> = {}): Promise<Env> {
  const ts = await startTestServer(['--disable-agent', '--disable-controllers', '--disable-scheduler']);
  const client = Client.fromKubeconfig(ts.kubeconfig);
  const informers = new SharedInformerFactory(client, { logger: silentLogger });
  const ctx: ComponentContext = {
    client, informers, nodeName: 'test', dataDir: ts.dataDir,
    config: { clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', nodeMonitorGracePeriod: 40, podEvictionTimeout: 300, ...config },
  };
  const components = start(ctx);
  informers.start();
  return {
    ts, client, ctx,
    async stop() {
      for (const c of components) await c.stop();
      informers.stop();
      client.close();
      await ts.stop();
    },
  };
}

/** Polls `fn` until it returns something truthy; fails with `what` and the last value. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export async function kubectlJson<T = KubeObject>(ts: TestServer, args: string[]): Promise<T> {
  return JSON.parse(await k(ts, [...args, '-o', 'json'])) as T;
}

export const apply = (ts: TestServer, yaml: string) => k(ts, ['apply', '-f', '-'], yaml);

export const POD = { apiVersion: 'v1', kind: 'Pod' };
export const NODE = { apiVersion: 'v1', kind: 'Node' };
export const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };

export async function listPods(client: Client, ns: string, labelSelector?: string): Promise<KubeObject[]> {
  return (await client.list(POD, { namespace: ns, labelSelector })).items
    .sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}

export interface FakePodStatus {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  ready?: boolean;
  exitCode?: number;
  /** Extra conditions (e.g. DisruptionTarget). */
  conditions?: Array<{ type: string; status: string; reason?: string }>;
}

/** TEST ONLY — what a kubelet would report: phase, Ready, and a terminated container's exit code. */
export async function fakeKubeletSetPodStatus(client: Client, ns: string, name: string, s: FakePodStatus): Promise<KubeObject> {
  const pod = await client.get(POD, name, { namespace: ns });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const ready = s.ready ?? s.phase === 'Running';
  const cond = (type: string, ok: boolean) => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now });
  const terminated = s.phase === 'Succeeded' || s.phase === 'Failed';
  const containerStatuses = ((pod.spec?.containers ?? []) as Array<{ name: string; image: string }>).map(c => ({
    name: c.name, image: c.image, imageID: '', ready, restartCount: 0, started: s.phase === 'Running',
    state: terminated
      ? { terminated: { exitCode: s.exitCode ?? (s.phase === 'Succeeded' ? 0 : 1), reason: s.phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: now, finishedAt: now } }
      : s.phase === 'Running' ? { running: { startedAt: now } } : { waiting: { reason: 'ContainerCreating' } },
  }));
  const status = {
    phase: s.phase, startTime: now, podIP: '10.42.0.9', hostIP: '10.0.0.1',
    conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', ready), cond('Ready', ready),
      ...(s.conditions ?? []).map(c => ({ ...c, lastTransitionTime: now }))],
    containerStatuses,
  };
  return client.patch(POD, name, { status }, { namespace: ns, subresource: 'status', type: 'merge' });
}

export interface FakeNodeOptions {
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
  ready?: boolean;
  unschedulable?: boolean;
}

/** TEST ONLY — a Node object with no machine behind it, reported Ready, with a fresh Lease. */
export async function createFakeNode(client: Client, name: string, o: FakeNodeOptions = {}): Promise<KubeObject> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = (type: string, status: string, reason: string) => ({ type, status, reason, message: 'fake node', lastHeartbeatTime: now, lastTransitionTime: now });
  const node = await client.create(NODE, {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubeling.io/fake-node': 'true', ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [cond('Ready', o.ready === false ? 'False' : 'True', 'KubeletReady'), cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'), cond('PIDPressure', 'False', 'KubeletHasSufficientPID')],
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: name }],
      nodeInfo: { kubeletVersion: 'v1.32.0-fake', operatingSystem: 'linux', architecture: 'amd64' },
    },
  });
  await renewFakeNodeLease(client, name);
  return node;
}

/** TEST ONLY — the heartbeat a kubelet sends: creates or renews the node's Lease. */
export async function renewFakeNodeLease(client: Client, name: string): Promise<void> {
  const renewTime = new Date().toISOString().replace('Z', '000Z');
  try {
    await client.patch(LEASE, name, { spec: { renewTime } }, { namespace: 'kube-node-lease', type: 'merge' });
  } catch {
    await client.create(LEASE, {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
    });
  }
}

/** TEST ONLY — what the scheduler would do: bind a pod to a (fake) node. */
export async function bindPod(client: Client, ns: string, pod: string, node: string): Promise<void> {
  await client.subresource(POD, pod, 'binding', {
    namespace: ns, method: 'POST',
    body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod, namespace: ns }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
  });
}

/**
 * TEST ONLY — a fake kubelet for one namespace: every pending pod becomes Running and
 * Ready shortly after it appears. Returns the stopper.
 */
export function startFakeKubelet(client: Client, ns: string, filter: (pod: KubeObject) => boolean = () => true): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const p of await listPods(client, ns).catch(() => [])) {
        if (p.status?.phase !== 'Pending' || p.metadata?.deletionTimestamp || !filter(p)) continue;
        await fakeKubeletSetPodStatus(client, ns, p.metadata!.name!, { phase: 'Running' }).catch(() => {});
      }
      await sleep(100);
    }
  })();
  return async () => { stopped = true; await loop; };
}

export const isReady = (p: KubeObject): boolean =>
  ((p.status?.conditions ?? []) as Array<{ type: string; status: string }>).some(c => c.type === 'Ready' && c.status === 'True');

/** TEST ONLY — a kubelet posting a healthy node status (all conditions fresh). */
export async function fakeKubeletPostNodeReady(client: Client, name: string): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = (type: string, status: string, reason: string) => ({ type, status, reason, message: 'fake node', lastHeartbeatTime: now, lastTransitionTime: now });
  await client.patch(NODE, name, { status: { conditions: [cond('Ready', 'True', 'KubeletReady'), cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
    cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'), cond('PIDPressure', 'False', 'KubeletHasSufficientPID')] } }, { subresource: 'status' });
}

/** TEST ONLY — keeps the Leases of the named fake nodes fresh, as kubelets do; edit `alive` to stop one. */
export function startFakeHeartbeats(client: Client, alive: Set<string>, periodMs = 300): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const n of [...alive]) await renewFakeNodeLease(client, n).catch(() => {});
      await sleep(periodMs);
    }
  })();
  return async () => { stopped = true; await loop; };
}
