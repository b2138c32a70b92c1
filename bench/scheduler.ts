/**
 * Scheduler throughput (issue 4), two ways:
 * - shaped as upstream's anchor measures it (bench/scheduling-basic.ts: scheduler_perf's
 *   SchedulingBasic, where nothing but the API server, the scheduler and two idle controllers
 *   run, nodes are plain objects and a bound pod is done);
 * - the full system: a spawned `kubeling server` with every controller, 5000 fake nodes run
 *   by this process that renew their Lease every 10 s (500 renewals/s throughout) and mark
 *   each bound pod Running and Ready, 10,000 pods created as fast as the API takes them.
 * Both report pods/s from first create to last bound, upstream's SchedulingThroughput
 * (1 s samples, averaged), and create→bound latency (seen through a watch); the full run
 * also create→Running and where the server's CPU goes.
 */
import type { KubeObject } from '../src/api/object.js';
import { Client, Informer, silentLogger } from '../src/client/index.js';
import { FakeNodePool, fakeNodeObject } from '../src/node/fake/index.js';
import {
  Algorithm, CycleState, Framework, NO_NOMINATIONS, PodInfo, SchedulerCache, defaultProfile, inTreeRegistry, type Handle,
} from '../src/scheduler/index.js';
import { readFileSync } from 'node:fs';
import { cpuSplit, mainThreadCpuMicros, ms, pct, spawnServer } from './util.js';
import { throughputSampler, throughputSummary, benchSchedulingBasic } from './scheduling-basic.js';
import { measureWriteCosts, settle } from './write-costs.js';

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const PODS = { apiVersion: 'v1', kind: 'Pod' };
const NS = { apiVersion: 'v1', kind: 'Namespace' };
const NODES = { apiVersion: 'v1', kind: 'Node' };
const EVENTS = { apiVersion: 'v1', kind: 'Event' };

export interface SchedulerBenchOptions { nodes?: number; pods?: number; creators?: number }

export async function benchScheduler(o: SchedulerBenchOptions = {}): Promise<object[]> {
  return [
    await benchSchedulingBasic(o),
    ...await benchEndToEnd(o),
    cyclesOnly(100, 1000),
    cyclesOnly(5000, 10_000),
    cyclesOnly(1000, 1000, true),
  ];
}

/**
 * The scheduler's own cost, without the API: cycles against the cache (assume, no bind).
 * `spread` adds a topology spread constraint and pod anti-affinity to every pod.
 */
export function cyclesOnly(nodes: number, pods: number, heavy = false): object {
  const cache = new SchedulerCache();
  const handle: Handle = { nodes: cache, namespaceLabels: () => undefined, priorityOf: () => 0, bindPod: async () => {} };
  const fw = new Framework(inTreeRegistry(), defaultProfile(), handle);
  const algo = new Algorithm(fw, cache, NO_NOMINATIONS);
  for (let i = 0; i < nodes; i++) {
    cache.addNode(fakeNodeObject({ name: `n-${i}`, labels: { 'topology.kubernetes.io/zone': `z${i % 10}` } }, i));
  }
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < pods; i++) {
    const spec: Record<string, unknown> = { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] };
    if (heavy) {
      spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: `a${i % 50}` } } }];
      spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: `a${i % 50}` } } } }] } };
    }
    const t = performance.now();
    const pi = new PodInfo({ metadata: { name: `p-${i}`, namespace: 'bench', uid: `u${i}`, labels: { app: `a${i % 50}` } }, spec } as never);
    const out = algo.schedule(new CycleState(), pi);
    if (out.kind !== 'scheduled') throw new Error(`pod ${i} not scheduled: ${out.kind}`);
    cache.assumePod(pi, out.node);
    lat.push(performance.now() - t);
  }
  const el = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    benchmark: `cycles only (no API): ${pods} pods on ${nodes} nodes${heavy ? ', spread + anti-affinity' : ''}`,
    'pods/s': Math.round((pods / el) * 1000), 'p50 ms': ms(pct(lat, 50)), 'p99 ms': ms(pct(lat, 99)), 'create s': '', spread: '', target: '',
    // CPU, not wall time: what a pod's cycle costs whatever else runs on the machine.
    'CPU µs/pod server / bench': `${Math.round((cpu.user + cpu.system) / pods)} (cycle only)`,
  };
}

export async function benchEndToEnd(o: SchedulerBenchOptions): Promise<object[]> {
  // Issue 4's workload by default; KUBELING_BENCH_NODES / _PODS shrink it for a quick look.
  const env = (k: string) => (process.env[k] ? Number(process.env[k]) : undefined);
  const nodes = o.nodes ?? env('KUBELING_BENCH_NODES') ?? 5000, pods = o.pods ?? env('KUBELING_BENCH_PODS') ?? 10_000;
  const creators = o.creators ?? env('KUBELING_BENCH_CREATORS') ?? 16;
  // KUBELING_BENCH_SERVER_ARGS adds server flags (e.g. --control-plane-in-main-thread for an A/B run).
  const srv = await spawnServer(['--disable-agent', ...(process.env.KUBELING_BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean)]);
  const client = Client.fromKubeconfig(srv.kubeconfig, { component: 'bench' });
  const fakeClient = Client.fromKubeconfig(srv.kubeconfig, { component: 'fake-nodes' });
  const heartbeatClient = fakeClient.withComponent('heartbeat');
  // One pod watch for this process: the fake nodes act on it, the bench observes its namespace.
  const inf = new Informer<KubeObject>(client, PODS, { logger: silentLogger });
  const pool = new FakeNodePool({
    client: fakeClient, heartbeatClient, logger: silentLogger, podInformer: inf,
    nodes: Array.from({ length: nodes }, (_, i) => ({ name: `fake-${i}`, cpu: '32', memory: '256Gi', pods: 110 })),
  });
  const created = new Map<string, number>();
  const bound = new Map<string, number>();
  const running = new Map<string, number>();
  /** When this process's watch first showed the pod: excludes the create request's own latency. */
  const seen = new Map<string, number>();
  let done!: () => void;
  const allBound = new Promise<void>(r => { done = r; });
  const see = (p: KubeObject) => {
    if (p.metadata?.namespace !== 'bench') return;
    const name = p.metadata!.name!;
    const now = performance.now();
    if (!seen.has(name)) seen.set(name, now);
    if (p.spec?.nodeName && !bound.has(name)) { bound.set(name, now); if (bound.size === pods) done(); }
    if (p.status?.phase === 'Running' && !running.has(name)) running.set(name, now);
  };
  inf.addEventHandler({ onAdd: see, onUpdate: (_o, n) => see(n) });
  try {
    await client.create(NS, { metadata: { name: 'bench' } });
    await pool.start();
    inf.start();
    await inf.waitForSync();
    // Let the scheduler's informers see every node before the first pod.
    await new Promise(r => setTimeout(r, 1000));
    const cpu0 = cpuSplit(srv.proc.pid!);
    const main0 = mainThreadCpuMicros(srv.proc.pid!);
    const own0 = process.cpuUsage();
    const w0 = pool.writes;
    const sampler = throughputSampler(() => bound.size);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: creators }, async () => {
      for (let i = next++; i < pods; i = next++) {
        const name = `p-${i}`;
        created.set(name, performance.now());
        await client.create(PODS, {
          metadata: { name, namespace: 'bench', labels: { app: 'bench' } },
          spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
        });
      }
    }));
    const createdAll = performance.now() - t0;
    const limitS = Math.max(120, pods / 20);
    let limit: NodeJS.Timeout | undefined;
    // Cleared after: a pending timer kept the process alive up to limitS after the run.
    await Promise.race([allBound, new Promise((_, rej) => { limit = setTimeout(() => rej(new Error(`only ${bound.size}/${pods} bound after ${limitS} s`)), limitS * 1000); })])
      .finally(() => clearTimeout(limit));
    const samples = sampler.stop();
    const cpu = cpuSplit(srv.proc.pid!);
    const mainCpu = mainThreadCpuMicros(srv.proc.pid!) - main0;
    const w1 = pool.writes;
    const serverCpu = cpu.user + cpu.system - cpu0.user - cpu0.system;
    const ownCpu = process.cpuUsage(own0);
    const tLast = Math.max(...bound.values());
    const lat = [...bound].map(([n, t]) => t - created.get(n)!);
    const seenLat = [...bound].map(([n, t]) => t - seen.get(n)!);
    // Give the fake nodes a moment to report the last pods.
    const deadline = performance.now() + 30_000;
    while (running.size < pods && performance.now() < deadline) await new Promise(r => setTimeout(r, 100));
    const runLat = [...running].map(([n, t]) => t - created.get(n)!);
    // What the run left to do after the last bind (event writes, status patches), so the
    // CPU per pod can be told with it: upstream's harness also writes its events after.
    const tail = await settle(srv.proc.pid!);
    const perNode = new Map<string, number>();
    for (const p of inf.list()) perNode.set(p.spec?.nodeName, (perNode.get(p.spec?.nodeName) ?? 0) + 1);
    const counts = [...perNode.values()];
    const events = (await client.list(EVENTS, { namespace: 'bench' })).items;
    const failed = events.filter(e => e.reason === 'FailedScheduling').length;
    const scheduledEvents = events.filter(e => e.reason === 'Scheduled').length;
    // Fake nodes whose renewals came late (a starved server or bench) go Unknown and get tainted:
    // the node lifecycle controller's work and the node writes then weigh on everything else.
    const notReady = (await client.list(EVENTS, { namespace: 'default' })).items.filter(e => e.reason === 'NodeNotReady').length;
    const tainted = (await client.list(NODES)).items.filter(n => (n.spec?.taints ?? []).length).length;
    // The scheduler's own split (upstream's metrics): the synchronous cycle and the Bind write.
    const metrics = (await client.request({ method: 'GET', path: '/metrics' })).body.toString();
    const meanMs = (name: string, labels = '') => {
      const v = (k: string) => Number(new RegExp(`^${name}_${k}${labels.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);
      return ms((v('sum') / v('count')) * 1000);
    };
    const cycleMs = meanMs('scheduler_scheduling_algorithm_duration_seconds');
    const bindMs = meanMs('scheduler_framework_extension_point_duration_seconds', '{extension_point="Bind",status="Success",profile="default-scheduler"}');
    const costs = await measureWriteCosts(client, srv.proc.pid!, pool);
    // Server CPU per pod by write kind: each kind's cost alone × how many of it the run made per pod.
    const perPod = (count: number) => count / pods;
    const leases = perPod(w1.leaseRenewals - w0.leaseRenewals);
    const statuses = perPod(w1.podStatus - w0.podStatus);
    const parts = {
      create: costs.create, binding: costs.binding, event: costs.event * perPod(scheduledEvents),
      status: costs.status * statuses, lease: costs.lease * leases,
    };
    const background = (costs.idlePerSecond * (tLast - t0)) / 1000 / pods;
    const explained = Object.values(parts).reduce((a, b) => a + b, 0) + background;
    // Its own table: these columns mean something else than the throughput rows'.
    console.log(`where the server's CPU per pod goes (µs per write, measured alone × writes per pod; load ${loadavg()})`);
    console.table([{
      create: `${costs.create} × 1`, binding: `${costs.binding} × 1`,
      event: `${costs.event} × ${perPod(scheduledEvents).toFixed(2)}`,
      'status patch': `${costs.status} × ${statuses.toFixed(2)}`,
      'lease renew': `${costs.lease} × ${leases.toFixed(2)}`,
      'idle server (node lifecycle passes…)': Math.round(background),
      'rest (scheduler, controllers, contention)': Math.round(serverCpu / pods - explained),
      total: Math.round(serverCpu / pods),
    }]);
    return [
      {
        benchmark: `full system: ${pods} pods on ${nodes} fake nodes (Leases renewed, pods marked Running, all controllers)`,
        'pods/s': Math.round((pods / (tLast - t0)) * 1000),
        'p50 ms': ms(pct(lat, 50)), 'p99 ms': ms(pct(lat, 99)),
        'SchedulingThroughput avg / p50': throughputSummary(samples),
        'seen→bound p50/p99 ms': `${ms(pct(seenLat, 50))} / ${ms(pct(seenLat, 99))}`, 'create s': ms(createdAll / 1000),
        'creates/s': `${Math.round(pods / (createdAll / 1000))} (${creators} creators)`,
        'mean cycle / bind ms': `${cycleMs} / ${bindMs}`,
        spread: `${Math.min(...counts)}..${Math.max(...counts)} per node, ${failed} failed attempts`, target: '>= 1000 pods/s',
        'nodes NotReady / tainted': `${notReady} / ${tainted}`,
        'CPU µs/pod server / bench': `${Math.round(serverCpu / pods)} / ${Math.round((ownCpu.user + ownCpu.system) / pods)}`,
        'server µs/pod after last bind': Math.round(tail / pods),
        // The API server's thread: what caps throughput once the control plane has its own.
        'server main thread µs/pod': Math.round(mainCpu / pods),
        load: loadavg(),
      },
      {
        benchmark: 'create → Running (fake nodes report status)', 'pods/s': Math.round((running.size / (Math.max(...running.values()) - t0)) * 1000),
        'p50 ms': ms(pct(runLat, 50)), 'p99 ms': ms(pct(runLat, 99)), 'create s': '', spread: `${running.size}/${pods} running`, target: '',
      },
    ];
  } finally {
    inf.stop();
    await pool.stop();
    client.close();
    fakeClient.close();
    heartbeatClient.close();
    await srv.stop();
  }
}

// `node dist/bench/scheduler.js` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchScheduler());
