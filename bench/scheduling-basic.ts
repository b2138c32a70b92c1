/**
 * The scheduler throughput row shaped as upstream's anchor measures it: scheduler_perf's
 * SchedulingBasic/5000Nodes_10000Pods (test/integration/scheduler_perf, misc/performance-config.yaml).
 *
 * What upstream's harness runs (facts from its mustSetupCluster, createNodes/createPods ops
 * and throughputCollector):
 * - one process with a kube-apiserver (etcd behind it, admission without ServiceAccount,
 *   TaintNodesByCondition and Priority), the kube-scheduler, and only the garbage collector,
 *   namespace and a fake PV controller of the controller manager. No kubelets, no node
 *   Leases, no node lifecycle controller, nobody writing pod status: a bound pod is done.
 * - createNodes: 5000 plain Node objects (capacity and allocatable 4 cpu, 32Gi, 110 pods;
 *   Ready=True), written once and never updated.
 * - createPods: 1000 pods first (scheduled before measuring, in their own namespace), then
 *   the 10,000 measured ones as fast as its pod creator sends them; template pod-default:
 *   one pause container, port 80, cpu 100m and memory 500Mi requests = limits.
 * - SchedulingThroughput: every second, pods newly bound in the measured namespace over the
 *   interval (seen through the scheduler's own pod informer); the first sample is dropped,
 *   intervals with none bound are merged into the next. The threshold (270 pods/s when set
 *   in kubernetes PR #126871, raised to 680 in #136276) is compared with their Average.
 *
 * Here: `kubeling server --disable-agent --disable-controllers --disable coredns --disable
 * servicelb` (API server, and the scheduler in its control-plane thread; --disable-controllers
 * also drops ServiceAccount admission, as upstream's harness does), with the garbage collector and namespace
 * controller running in this process against it (upstream runs them in its one process;
 * there are no volumes, so no PV controller). Binding is observed through those
 * controllers' pod informer (upstream's collector shares the scheduler's). Reported both as
 * upstream averages its samples and from first create to last bind. "bench" CPU is this
 * process: the pod creators, the watch and the two controllers.
 */
import type { KubeObject } from '../src/api/object.js';
import { Client, SharedInformerFactory, silentLogger } from '../src/client/index.js';
import { GarbageCollector, NamespaceController } from '../src/controllers/index-a.js';
import { summariseProfile, type CpuProfile } from './cpu-profile.js';
import { cpuSplit, mainThreadCpuMicros, ms, pct, spawnServer } from './util.js';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PODS = { apiVersion: 'v1', kind: 'Pod' };
const NODES = { apiVersion: 'v1', kind: 'Node' };
const NS = { apiVersion: 'v1', kind: 'Namespace' };
const INIT_NS = 'sched-init';
const MEASURE_NS = 'sched-measure';
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
/** The monotonic clock in µs, as CPU profiles (of any process) time their samples. */
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

/** The OS thread id of the server's control-plane (scheduler) thread, from its start log line. */
function schedulerThreadId(log: string): number | undefined {
  const m = /"msg":"control-plane thread started"[^\n]*?"tid":(\d+)/.exec(log);
  return m ? Number(m[1]) : undefined;
}

/**
 * With KUBELING_BENCH_CPU_PROF=DIR, prints where the measured window's CPU went in each of the
 * server's threads (V8 profiles per thread: CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile,
 * thread 0 the API server's, 1 the control-plane one), in µs per measured pod.
 */
function summariseServerProfiles(dir: string, pid: number, from: number, to: number, pods: number): void {
  const files = readdirSync(dir).filter(f => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile')).sort();
  for (const f of files) {
    const thread = f.split('.').at(-3);
    console.log(`\n=== server thread ${thread} (${thread === '0' ? 'API server' : 'control plane'}): ${f}`);
    summariseProfile(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile, from, to, pods, { unit: 'pod', self: 35, inclusive: 50, treeDepth: 16 });
  }
}

/**
 * KUBELING_BENCH_PERF=FILE: `perf record` (CPU-time samples, unlike V8's wall-clock profiler,
 * which on a busy machine charges a preempted thread's wait to where it was) of the server's
 * threads during the measured window; read it with
 * `perf report -i FILE --sort tid,sym --no-children` (the scheduler's thread id is in the
 * server's "control-plane thread started" log line, and the highest-numbered node thread).
 */
async function perfRecordThreads(file: string, pid: number): Promise<{ stop(): Promise<void> }> {
  const p = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '1999', '-g', '-p', String(pid), '-o', file], { stdio: 'ignore' });
  await new Promise(r => setTimeout(r, 500)); // perf has set up its buffers
  return { stop: () => new Promise(r => { p.once('exit', () => r()); p.kill('SIGINT'); }) };
}

export interface SchedulingBasicOptions { nodes?: number; initPods?: number; pods?: number; creators?: number }

/** upstream's makeBaseNode: a Ready node nothing ever updates. */
function baseNode(name: string): KubeObject {
  const res = { pods: '110', cpu: '4', memory: '32Gi' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: { capacity: res, allocatable: res, phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  } as KubeObject;
}

/** upstream's pod-default.yaml. */
function defaultPod(name: string, namespace: string): KubeObject {
  const r = { cpu: '100m', memory: '500Mi' };
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10.1', ports: [{ containerPort: 80 }], resources: { limits: r, requests: r } }] },
  } as KubeObject;
}

async function inParallel(n: number, conc: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: conc }, async () => { for (let i = next++; i < n; i = next++) await fn(i); }));
}

/**
 * upstream's throughputCollector: every second, the pods bound since the last sample over
 * the time since it; the first sample is dropped (sampling and creating start apart), an
 * interval with none bound is merged into the next one (counted once per second it spans).
 */
export function throughputSampler(boundCount: () => number): { stop(): number[] } {
  const samples: number[] = [];
  let started = false, last = 0, lastAt = 0;
  const ticker = setInterval(() => {
    const now = performance.now(), n = boundCount();
    if (n === 0) return;
    if (!started) { started = true; last = n; lastAt = now; return; }
    if (n === last) return;
    const rate = (n - last) / ((now - lastAt) / 1000);
    for (let k = Math.max(1, Math.round((now - lastAt) / 1000)); k > 0; k--) samples.push(rate);
    last = n; lastAt = now;
  }, 1000);
  return { stop: () => { clearInterval(ticker); return samples; } };
}

/** SchedulingThroughput's Average (what upstream's threshold is compared with) and Perc50. */
export function throughputSummary(samples: number[]): string {
  if (!samples.length) return 'too short to sample';
  const avg = samples.reduce((a, b) => a + b, 0) / samples.length;
  return `${Math.round(avg)} / ${Math.round(pct(samples, 50))} (${samples.length} samples)`;
}

export async function benchSchedulingBasic(o: SchedulingBasicOptions = {}): Promise<object> {
  const env = (k: string) => (process.env[k] ? Number(process.env[k]) : undefined);
  const nodes = o.nodes ?? env('KUBELING_BENCH_NODES') ?? 5000;
  const pods = o.pods ?? env('KUBELING_BENCH_PODS') ?? 10_000;
  const initPods = o.initPods ?? Math.min(1000, pods);
  const creators = o.creators ?? env('KUBELING_BENCH_CREATORS') ?? 16;
  // Nor does upstream's harness run cluster DNS or a service load balancer.
  const words = (k: string) => (process.env[k] ?? '').split(' ').filter(Boolean);
  const perfFile = process.env.KUBELING_BENCH_PERF;
  // perf names JIT-compiled JavaScript only from the map file --perf-basic-prof writes.
  const srv = await spawnServer(['--disable-agent', '--disable-controllers', '--disable', 'coredns', '--disable', 'servicelb', ...words('KUBELING_BENCH_SERVER_ARGS')],
    [...words('KUBELING_BENCH_SERVER_NODE_ARGS'), ...(perfFile ? ['--perf-basic-prof'] : [])]);
  const pid = srv.proc.pid!;
  let schedTid: number | undefined; // logged once the thread's components started
  const threadCpu = () => { schedTid ??= schedulerThreadId(srv.log()); if (!schedTid) return NaN; const c = cpuSplit(pid, `/proc/${pid}/task/${schedTid}/stat`); return c.user + c.system; };
  let window: [number, number] | undefined;
  const client = Client.fromKubeconfig(srv.kubeconfig, { component: 'bench' });
  // The two controllers upstream's harness runs besides the scheduler.
  const cmClient = Client.fromKubeconfig(srv.kubeconfig, { component: 'kube-controller-manager' });
  const informers = new SharedInformerFactory(cmClient);
  const controllers = [new GarbageCollector({ client: cmClient, informers, logger: silentLogger }), new NamespaceController({ client: cmClient, informers, logger: silentLogger })];
  // The bench watches pods through the controllers' shared informer, as upstream's throughput
  // collector shares the scheduler's: one pod watch in this process, not two.
  const inf = informers.informerFor(PODS);
  const created = new Map<string, number>();
  const bound = new Map<string, number>();
  let initBound = 0;
  let wake: (() => void) | undefined;
  const see = (p: KubeObject) => {
    if (!p.spec?.nodeName) return;
    const ns = p.metadata?.namespace;
    if (ns === INIT_NS) { initBound++; if (initBound === initPods) wake?.(); return; }
    if (ns !== MEASURE_NS || bound.has(p.metadata!.name!)) return;
    bound.set(p.metadata!.name!, performance.now());
    if (bound.size === pods) wake?.();
  };
  inf.addEventHandler({ onAdd: see, onUpdate: (_o, n) => see(n) });
  const until = async (done: () => boolean, what: string) => {
    if (done()) return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>(r => { wake = r; }),
      new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what} not done within 300 s`)), 300_000); }),
    ]).finally(() => { clearTimeout(t); wake = undefined; });
  };
  try {
    for (const c of controllers) c.start();
    informers.start();
    await inf.waitForSync();
    for (const ns of [INIT_NS, MEASURE_NS]) await client.create(NS, { metadata: { name: ns } });
    await inParallel(nodes, 16, i => client.create(NODES, baseNode(`node-${i}`)));
    await inParallel(initPods, creators, i => client.create(PODS, defaultPod(`init-${i}`, INIT_NS)));
    await until(() => initBound >= initPods, `binding ${initPods} init pods`);
    const cpu0 = cpuSplit(pid), main0 = mainThreadCpuMicros(pid), sched0 = threadCpu(), own0 = process.cpuUsage();
    const perf = perfFile ? await perfRecordThreads(perfFile, pid) : undefined;
    const sampler = throughputSampler(() => bound.size);
    const t0 = performance.now(), from = nowMicros();
    await inParallel(pods, creators, async i => {
      const name = `pod-${i}`;
      created.set(name, performance.now());
      await client.create(PODS, defaultPod(name, MEASURE_NS));
    });
    await until(() => bound.size >= pods, `binding ${pods} pods`);
    const samples = sampler.stop();
    window = [from, nowMicros()];
    await perf?.stop();
    const tLast = Math.max(...bound.values());
    const cpu = cpuSplit(pid), mainCpu = mainThreadCpuMicros(pid) - main0, schedCpu = threadCpu() - sched0, own = process.cpuUsage(own0);
    const serverCpu = cpu.user + cpu.system - cpu0.user - cpu0.system;
    const lat = [...bound].map(([n, t]) => t - created.get(n)!);
    return {
      benchmark: `SchedulingBasic shape: ${initPods} + ${pods} pods on ${nodes} plain nodes (no kubelets, leases, status writes, DNS; GC + namespace controllers only)`,
      'pods/s': Math.round((pods / (tLast - t0)) * 1000),
      'p50 ms': ms(pct(lat, 50)), 'p99 ms': ms(pct(lat, 99)),
      'SchedulingThroughput avg / p50': throughputSummary(samples),
      target: '>= 1000 pods/s (upstream threshold 270, now 680)',
      'CPU µs/pod server / bench': `${Math.round(serverCpu / pods)} / ${Math.round((own.user + own.system) / pods)}`,
      'server µs/pod API / scheduler thread / other': `${Math.round(mainCpu / pods)} / ${Math.round(schedCpu / pods)} / ${Math.round((serverCpu - mainCpu - schedCpu) / pods)}`,
      'server peak RSS MB': Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024),
      load: loadavg(),
    };
  } finally {
    for (const c of controllers) await c.stop().catch(() => {});
    informers.stop();
    client.close();
    cmClient.close();
    await srv.stop();
    const prof = process.env.KUBELING_BENCH_CPU_PROF;
    if (prof && window) summariseServerProfiles(prof, pid, window[0], window[1], pods);
  }
}

// `node dist/bench/scheduling-basic.js` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) console.table([await benchSchedulingBasic()]);
