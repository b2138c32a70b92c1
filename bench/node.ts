/**
 * Node agent benchmark (real server, agent, runc and CNI on a private node): pod start
 * latency (create → Running seen through a watch; one busybox container, warm image)
 * p50/p99 over 50 pods one after another, a burst of 100 pods until all Running, pod
 * delete latency (DELETE → the watch's DELETED, i.e. graceful stop, teardown and removal),
 * and RSS with 100 pods; then podman (bench/podman.ts) starting the same pod, for comparison.
 *
 * The main rows measure what `kubeling server` does by default: every component runs (so
 * pods carry the service-account token volume), the node agent in a worker thread of the
 * server process, talking to the API server across threads (KUBELING_TEST_AGENT_THREAD=main
 * puts it on the API server's thread, =control-plane in the controllers' thread). One process
 * has one RSS: that row is the server's (API server, controllers, agent...), the burst CPU is
 * split by thread (/proc/<pid>/task/<tid>), and the agent's own memory shows as its thread's
 * V8 heap (the server's kubeling_thread_heap_bytes). The `remote agent` rows then run
 * the same again (50 pods one after another, then the burst) with the agent as its own
 * process over HTTPS (what `kubeling agent` on another machine is), which gives the agent's
 * own RSS (the issue's target). Needs root.
 *   node dist/bench/node.js [burst|seq] [in-process|remote]: only the burst (right after the
 *   warm-up pod: processes still compiling), or only the 50 pods one after another; only one
 *   mode (burst or seq alone: in-process).
 * KUBELING_BENCH_REQUESTS=1 adds the API requests per burst pod, by verb and resource.
 * KUBELING_BENCH_WARM_PODS=N: with `burst`, a burst of N pods (started, deleted) before it (compiled code).
 * KUBELING_TEST_NODE_STDOUT=FILE with KUBELING_TEST_NODE_ARGS='--trace-opt --trace-deopt': the
 * server's V8 trace in FILE.server, the burst between `=== burst start/end ===` lines (±1 stdio buffer).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.js';
import type { WatchEvent } from '../src/client/index.js';
import { NodeCluster, SHARED_IMAGES } from '../test/node/cluster.js';
import { benchPodman } from './podman.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10;
}

/** CPU seconds of a process, or of one of its threads (`tid`). */
const cpuSeconds = (pid: number, tid?: number) => {
  const f = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
/** CPU ms of every thread of a process, by thread id. */
const threadsCpuMs = (pid: number) => new Map(readdirSync(`/proc/${pid}/task`).map(t => {
  try { return [Number(t), cpuSeconds(pid, Number(t)) * 1000] as const; } catch { return [Number(t), 0] as const; }
}));
/** Where a process's RSS is: anonymous (heap, malloc) vs file pages (the node binary), MB; its open sockets. */
const memoryParts = (pid: number) => {
  const kb = (k: string, text: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const r = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) { try { if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++; } catch { /* closed */ } }
  return `${Math.round(kb('Anonymous', r) / 1024)} / ${Math.round((kb('Rss', r) - kb('Anonymous', r)) / 1024)} / ${sockets}`;
};
const rssMb = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

function podSpec(name: string, node: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { bench: 'node' } },
    spec: {
      nodeName: node, terminationGracePeriodSeconds: 10,
      // Exits at once on SIGTERM (a trapped signal interrupts `wait`), so delete measures the agent.
      containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 100000 & wait'] }],
    },
  };
}

/** Resolves per pod name when the watch sees it Running / deleted. */
class Waiters {
  readonly running = new Map<string, () => void>();
  readonly deleted = new Map<string, () => void>();
  on(ev: WatchEvent<KubeObject>): void {
    const name = ev.object.metadata?.name ?? '';
    if (ev.type === 'DELETED') { this.deleted.get(name)?.(); this.deleted.delete(name); return; }
    if ((ev.object as Pod).status?.phase === 'Running') { this.running.get(name)?.(); this.running.delete(name); }
  }
  until(map: Map<string, () => void>, name: string): Promise<void> {
    return new Promise(r => map.set(name, r));
  }
}

/**
 * KUBELING_BENCH_PERF=FILE: `perf record` of the whole machine during the burst, e.g. for
 * `perf report -i FILE --sort comm` (which processes the burst's CPU went to).
 */
async function perfRecord(file: string | undefined): Promise<{ stop(): Promise<void> } | undefined> {
  if (!file) return undefined;
  const p = spawn('perf', ['record', '-a', '-g', '-e', 'cpu-clock', '-F', '999', '-o', file], { stdio: 'ignore' });
  await new Promise(r => setTimeout(r, 500)); // perf is set up
  return { stop: () => new Promise(r => { p.once('exit', r); p.kill('SIGINT'); }) };
}

/**
 * CPU used by a burst, independent of what else the machine runs: the agent and its
 * process tree (spawner, shims) move into a cpuacct cgroup, so every runc and CNI plugin
 * they start counts there; containers count in the node's cgroup parent.
 */
class BurstCpu {
  readonly #dir = `/sys/fs/cgroup/cpuacct/kubeling-bench-${process.pid}`;
  readonly #pods: string;
  readonly #agent: number;
  readonly #thread?: number;
  readonly #server?: number;
  readonly #controlPlane?: number;
  #at0 = { all: 0, agent: 0, thread: 0, server: 0 };
  /** CPU ms of each thread of the server process at the start (the split of the rest of the server). */
  #threads0?: Map<number, number>;

  /**
   * `agentPid`: the process the agent runs in (its own, or the server's); `agentThread`: its
   * thread there (the server's agent thread); no `serverPid`: the agent runs in the server process.
   */
  constructor(o: { agentPid: number; agentThread?: number; serverPid?: number; controlPlaneThread?: number }, cgroupParent: string) {
    this.#agent = o.agentPid;
    this.#thread = o.agentThread;
    this.#server = o.serverPid;
    this.#controlPlane = o.controlPlaneThread;
    this.#pods = `/sys/fs/cgroup/cpuacct${cgroupParent}`;
  }

  #usageMs(dir: string): number {
    try { return Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8')) / 1e6; } catch { return 0; }
  }

  #now() {
    return {
      all: this.#usageMs(this.#dir) + this.#usageMs(this.#pods), agent: cpuSeconds(this.#agent) * 1000,
      thread: this.#thread ? cpuSeconds(this.#agent, this.#thread) * 1000 : 0, server: this.#server ? cpuSeconds(this.#server) * 1000 : 0,
    };
  }

  start(): void {
    mkdirSync(this.#dir, { recursive: true });
    const kids = new Map<number, number[]>();
    for (const p of readdirSync('/proc').filter(d => /^\d+$/.test(d))) {
      try {
        const ppid = Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
        kids.set(ppid, [...(kids.get(ppid) ?? []), Number(p)]);
      } catch { /* gone */ }
    }
    for (let todo = [this.#agent]; todo.length;) {
      const pid = todo.pop()!;
      try { writeFileSync(join(this.#dir, 'cgroup.procs'), String(pid)); } catch { /* gone */ }
      todo.push(...(kids.get(pid) ?? []));
    }
    this.#at0 = this.#now();
    if (this.#server === undefined && this.#thread) this.#threads0 = threadsCpuMs(this.#agent);
  }

  /** CPU ms per pod: agent, runtime processes (runc, CNI, shims, containers), API server. */
  stop(pods: number): object[] {
    const n = this.#now();
    const agent = n.agent - this.#at0.agent;
    const per = (ms: number) => Math.round(ms / pods);
    const runtime = per(n.all - this.#at0.all - agent);
    if (this.#server === undefined && this.#thread) {
      const thread = n.thread - this.#at0.thread;
      const rest = this.#threads0 && threadsCpuMs(this.#agent);
      const d = (tid: number | undefined) => tid === undefined ? 0 : (rest!.get(tid) ?? 0) - (this.#threads0!.get(tid) ?? 0);
      const main = d(this.#agent), cp = d(this.#controlPlane);
      const tenth = (ms: number) => Math.round(ms / pods * 10) / 10;
      return [
        { case: 'burst CPU ms per pod (agent thread / runtime / rest of server process)', total_ms: `${per(thread)} / ${runtime} / ${per(agent - thread)}` },
        ...(rest ? [{ case: 'burst CPU ms per pod, rest of server: main (API) / control plane / V8 + libuv helper threads', total_ms: `${tenth(main)} / ${tenth(cp)} / ${tenth(agent - thread - main - cp)}` }] : []),
      ];
    }
    if (this.#server === undefined) return [{ case: 'burst CPU ms per pod (server process: API + agent / runtime)', total_ms: `${per(agent)} / ${runtime}` }];
    return [{ case: 'burst CPU ms per pod (agent / runtime / server)', total_ms: `${per(agent)} / ${runtime} / ${per(n.server - this.#at0.server)}` }];
  }

  cleanup(): void {
    if (!existsSync(this.#dir)) return;
    for (const pid of readFileSync(join(this.#dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try { writeFileSync('/sys/fs/cgroup/cpuacct/cgroup.procs', pid); } catch { /* gone */ }
    }
    try { rmdirSync(this.#dir); } catch { /* a process still leaving */ }
  }
}

interface AgentStart { at: number; sandboxMs: number; totalMs: number; seenMs?: number; mountMs?: number; runSandboxMs?: number }

/** The agent's 'containers started' log lines (pod name → when, its wait for the worker, sandbox, volumes and total ms of its start). */
function collectStarts(agent: ChildProcess): Map<string, AgentStart> {
  const starts = new Map<string, AgentStart>();
  let buf = '';
  agent.stderr!.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let i; (i = buf.indexOf('\n')) >= 0;) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.includes('"containers started"')) continue;
      try {
        const ev = JSON.parse(line) as { ts: string; pod: string } & Omit<AgentStart, 'at'>;
        if (ev.sandboxMs !== undefined) starts.set(ev.pod.slice(0, ev.pod.indexOf('_')), { at: Date.parse(ev.ts), sandboxMs: ev.sandboxMs, totalMs: ev.totalMs, seenMs: ev.seenMs, mountMs: ev.mountMs, runSandboxMs: ev.runSandboxMs });
      } catch { /* not JSON */ }
    }
  });
  return starts;
}

/**
 * Where each burst pod's time went (wall clock, from the agent's log): create → the API
 * server answered, answered → the agent's informer handed the pod to a worker (watch),
 * → the worker starts acting (its first look, the Pending status, queueing), the sandbox
 * (pause + CNI) and the volumes set up alongside (with how long the pod waited for volumes
 * once its sandbox ran), the containers (create + start), and
 * containers started → Running seen (status write, watch).
 */
function burstStages(created: Map<string, BurstTimes>, starts: ReturnType<typeof collectStarts>): object[] {
  const cols: Record<string, number[]> = {
    'create → API answered': [], 'answered → worker has pod': [], 'worker has pod → acts': [], 'create → worker acts': [],
    'volumes (token, files)': [], 'sandbox alone (pause + CNI)': [], 'volumes beyond the sandbox (their wait)': [],
    'sandbox and volumes ready': [], 'containers (create + start)': [], 'started → Running seen': [],
  };
  for (const [name, t] of created) {
    const s = starts.get(name);
    if (!s) continue;
    const acts = s.at - s.totalMs;
    cols['create → API answered']!.push(t.answered - t.at);
    if (s.seenMs !== undefined) {
      cols['answered → worker has pod']!.push(acts - s.seenMs - t.answered);
      cols['worker has pod → acts']!.push(s.seenMs);
    }
    cols['create → worker acts']!.push(acts - t.at);
    if (s.mountMs !== undefined) cols['volumes (token, files)']!.push(s.mountMs);
    if (s.runSandboxMs !== undefined) {
      cols['sandbox alone (pause + CNI)']!.push(s.runSandboxMs);
      cols['volumes beyond the sandbox (their wait)']!.push(Math.max(0, s.sandboxMs - s.runSandboxMs));
    }
    cols['sandbox and volumes ready']!.push(s.sandboxMs);
    cols['containers (create + start)']!.push(s.totalMs - s.sandboxMs);
    cols['started → Running seen']!.push(t.running - s.at);
  }
  return Object.entries(cols).filter(([, xs]) => xs.length).map(([stage, xs]) => ({ case: `burst stage: ${stage}`, pods: xs.length, p50_ms: pct(xs, 50), p99_ms: pct(xs, 99) }));
}

/** Wall-clock times (ms) of one burst pod: create sent, its answer, Running seen. */
interface BurstTimes { at: number; answered: number; running: number }

/** apiserver_request_total by verb and resource[/subresource] (from the API server's /metrics). */
async function requestCounts(client: NodeCluster['client']): Promise<Map<string, number>> {
  const r = await client.request({ method: 'GET', path: '/metrics', accept: 'text/plain' });
  const out = new Map<string, number>();
  for (const line of r.body.toString().split('\n')) {
    const metric = ['apiserver_request_total{', 'apiserver_request_duration_seconds_sum{'].find(m => line.startsWith(m));
    if (!metric) continue;
    const l = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map(m => [m[1], m[2]]));
    if (l.verb === 'WATCH') continue;
    const k = `${metric.startsWith('apiserver_request_total') ? '' : 'ms '}${l.verb} ${l.resource}${l.subresource ? '/' + l.subresource : ''}`;
    out.set(k, (out.get(k) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)) * (k.startsWith('ms ') ? 1000 : 1));
  }
  return out;
}

/** kubeling_thread_heap_bytes of the server (each thread's V8 heap), MB by thread and kind. */
async function threadHeaps(client: NodeCluster['client']): Promise<Map<string, Record<string, number>>> {
  const r = await client.request({ method: 'GET', path: '/metrics', accept: 'text/plain' });
  const out = new Map<string, Record<string, number>>();
  for (const m of r.body.toString().matchAll(/^kubeling_thread_heap_bytes\{thread="([^"]+)",kind="(\w+)"\} (\S+)$/gm)) {
    (out.get(m[1]!) ?? out.set(m[1]!, {}).get(m[1]!)!)[m[2]!] = Math.round(Number(m[3]) / 1048576);
  }
  return out;
}

/**
 * API requests per burst pod, from the burst's start until all pods ran, and the API server's
 * mean time per request of each kind (its handling, not the wait for its turn) (KUBELING_BENCH_REQUESTS=1).
 */
function requestRows(before: Map<string, number>, after: Map<string, number>, pods: number): object[] {
  const d = (k: string) => (after.get(k) ?? 0) - (before.get(k) ?? 0);
  return [...after.keys()].filter(k => !k.startsWith('ms ')).map(k => [k, d(k) / pods] as const).filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1]).map(([k, n]) => ({ case: `API requests per pod: ${k}`, total_ms: Math.round(n * 100) / 100, server_mean_ms: Math.round(d(`ms ${k}`) / d(k) * 10) / 10 }));
}

type AgentMode = 'in-process' | 'remote';
/** `burst`: only the burst (and its delete); `seq`: only the 50 pods one after another. */
type Only = 'burst' | 'seq';


export async function benchNode(o: { only?: Only; agents?: AgentMode[] } = {}): Promise<object[]> {
  if (process.getuid?.() !== 0) return [{ case: 'node', skipped: 'needs root' }];
  const rows: object[] = [];
  const agents = o.agents ?? ['in-process', 'remote'];
  for (const mode of agents) {
    // Both modes start 50 pods one after another before the burst, so each burst meets
    // processes whose code V8 has compiled (a burst right after start spends a fifth of
    // the server's and the agent's CPU compiling); podman runs once, after the in-process mode.
    const r = await benchMode(mode, o.only, !o.only && mode === 'in-process');
    rows.push(...(mode === 'remote' ? r.map(x => ({ ...x, case: `remote agent: ${(x as { case: string }).case}` })) : r));
  }
  return rows;
}

async function benchMode(mode: AgentMode, only: Only | undefined, podman: boolean): Promise<object[]> {
  const c = new NodeCluster();
  const rows: object[] = [];
  let cpu: BurstCpu | undefined;
  const remote = mode === 'remote';
  try {
    // Every component `kubeling server` runs by default: controllers (pods get the
    // service-account token volume), scheduler, service proxy and cluster DNS.
    await c.start({
      agentProcess: remote, controllers: true, scheduler: true, services: { proxy: true, dns: true, dnsPort: 0, dnsUpstreams: [] },
    });
    // The process the agent runs in: its own, or the server's (then in its own thread, the control plane's, or the main one).
    const agentProc = remote ? c.agentProc! : c.proc!;
    const agentThread = remote ? undefined : c.threads.get('node-agent') ?? c.threads.get('components');
    const client = c.client;
    const list = await client.list(PODS, { namespace: 'default' });
    const w = new Waiters();
    const watch = client.watch(PODS, { namespace: 'default', resourceVersion: list.metadata.resourceVersion });
    void watch.forEach(ev => w.on(ev)).catch(() => {});
    const answered = new Map<string, number>();
    const create = async (name: string) => {
      const running = w.until(w.running, name);
      const t = performance.now();
      await client.create(PODS, podSpec(name, c.nodeName) as never, { namespace: 'default' });
      answered.set(name, Date.now());
      await running;
      return performance.now() - t;
    };
    const remove = async (name: string) => {
      const gone = w.until(w.deleted, name);
      const t = performance.now();
      await client.delete(PODS, name, { namespace: 'default' });
      await gone;
      return performance.now() - t;
    };
    const agentStarts = collectStarts(agentProc);
    await remove((await create('warm-up'), 'warm-up'));
    // KUBELING_BENCH_WARM_PODS=N (burst only): a burst of N pods started and deleted first, so
    // the measured burst meets code V8 has compiled (without it, the compiler threads' work
    // on the burst's hot paths counts in its "rest of server").
    const warm = only === 'burst' ? Number(process.env.KUBELING_BENCH_WARM_PODS ?? 0) : 0;
    const warmNames = Array.from({ length: warm }, (_, i) => `warm-${i}`);
    await Promise.all(warmNames.map(create));
    await Promise.all(warmNames.map(remove));
    const base = { agent: rssMb(agentProc.pid!), server: rssMb(c.proc!.pid!), parts: memoryParts(agentProc.pid!) };
    const heapBase = remote ? new Map() : await threadHeaps(client);
    const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    rows.push({ case: 'load average before', total_ms: load() });

    if (only !== 'burst') {
      const starts: number[] = [];
      for (let i = 0; i < 50; i++) starts.push(await create(`seq-${i}`));
      rows.push({ case: 'pod start, one after another (50)', p50_ms: pct(starts, 50), p99_ms: pct(starts, 99), target: 'p50 ≤ 200, p99 ≤ 400' });

      const deletes: number[] = [];
      for (let i = 0; i < 50; i++) deletes.push(await remove(`seq-${i}`));
      rows.push({ case: 'pod delete, one after another (50)', p50_ms: pct(deletes, 50), p99_ms: pct(deletes, 99) });
      if (only === 'seq') { rows.push({ case: 'load average after', total_ms: load() }); watch.stop(); return rows; }
    }

    const created = new Map<string, BurstTimes>();
    const counting = !!process.env.KUBELING_BENCH_REQUESTS;
    const requests0 = counting ? await requestCounts(client) : undefined;
    const perf = await perfRecord(process.env.KUBELING_BENCH_PERF);
    cpu = new BurstCpu({ agentPid: agentProc.pid!, agentThread, serverPid: remote ? c.proc!.pid! : undefined, controlPlaneThread: remote ? undefined : c.threads.get('control-plane') }, c.cgroupParent);
    cpu.start();
    // Marks the burst in the server's V8 trace (KUBELING_TEST_NODE_STDOUT, opened for appending).
    const mark = (what: string) => { if (process.env.KUBELING_TEST_NODE_STDOUT) appendFileSync(`${process.env.KUBELING_TEST_NODE_STDOUT}.server`, `=== ${what} ===\n`); };
    mark('burst start');
    const window0 = process.hrtime.bigint() / 1000n; // the clock of --cpu-prof (µs, monotonic)
    const t0 = performance.now();
    const each = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const at = Date.now();
      const ms = await create(`burst-${i}`);
      created.set(`burst-${i}`, { at, answered: answered.get(`burst-${i}`)!, running: at + ms });
      return ms;
    }));
    const burst = performance.now() - t0;
    mark('burst end');
    await perf?.stop();
    const burstCpu = cpu.stop(100);
    if (perf || process.env.KUBELING_TEST_NODE_ARGS) {
      rows.push({ case: 'profiling: pids, burst window µs', total_ms: `agent ${agentProc.pid} server ${c.proc!.pid} ${window0}-${process.hrtime.bigint() / 1000n}` });
    }
    rows.push({ case: 'burst of 100 pods until all Running', total_ms: Math.round(burst), p50_ms: pct(each, 50), p99_ms: pct(each, 99), target: 'total ≤ 5000' });
    rows.push(...burstCpu, ...burstStages(created, agentStarts));
    if (requests0) rows.push(...requestRows(requests0, await requestCounts(client), 100));
    await new Promise(r => setTimeout(r, 5000)); // settled: statuses written, events flushed
    const cpu0 = cpuSeconds(agentProc.pid!), thread0 = agentThread ? cpuSeconds(agentProc.pid!, agentThread) : 0;
    await new Promise(r => setTimeout(r, 10_000));
    const idle = { idle_mb: base.agent, with_100_pods_mb: rssMb(agentProc.pid!), cpu_pct: Math.round((cpuSeconds(agentProc.pid!) - cpu0) * 10) };
    if (remote) {
      rows.push({ case: 'agent RSS / idle CPU with 100 pods', ...idle, target: 'RSS ≤ 100 MB' });
      rows.push({ case: 'agent RSS parts: anonymous / file MB, sockets (idle → 100 pods)', total_ms: `${base.parts} → ${memoryParts(agentProc.pid!)}` });
      rows.push({ case: 'API server RSS with 100 pods', idle_mb: base.server, with_100_pods_mb: rssMb(c.proc!.pid!) });
    } else {
      // One process, one RSS: the agent's own share shows as its thread's V8 heap (the server
      // reports every thread's), and as RSS in the remote agent rows (the target).
      rows.push({ case: `server process (API + ${agentThread ? 'threads: control plane, agent' : 'agent'}) RSS / idle CPU with 100 pods`, ...idle });
      if (agentThread) rows.push({ case: 'agent thread: idle CPU with 100 pods', cpu_pct: Math.round((cpuSeconds(agentProc.pid!, agentThread) - thread0) * 10) });
      const heap = await threadHeaps(client);
      for (const [thread, h] of heap) rows.push({ case: `V8 heap of the server's ${thread} thread with 100 pods (committed / used / external MB)`, total_ms: `${h.total} / ${h.used} / ${h.external}`, ...(heapBase.has(thread) ? { idle_mb: heapBase.get(thread)!.total } : {}) });
    }

    const t1 = performance.now();
    const dels = await Promise.all(Array.from({ length: 100 }, (_, i) => remove(`burst-${i}`)));
    rows.push({ case: 'delete 100 pods at once until all gone', total_ms: Math.round(performance.now() - t1), p50_ms: pct(dels, 50), p99_ms: pct(dels, 99) });
    rows.push({ case: 'load average after', total_ms: load() });
    watch.stop();
    if (podman) rows.push(await benchPodman(SHARED_IMAGES));
  } finally {
    await c.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']);
    await c.destroy();
    cpu?.cleanup();
  }
  return rows;
}

// `node dist/bench/node.js [burst|seq] [in-process|remote]`: only the burst, its stages, RSS and
// the delete of 100, or only the pods one after another; only one mode (default: in the server process, then remote).
if (process.argv[1]?.endsWith('bench/node.js')) {
  const args = process.argv.slice(2);
  const only = args.includes('burst') ? 'burst' : args.includes('seq') ? 'seq' : undefined;
  const agents: AgentMode[] | undefined = args.includes('remote') ? ['remote'] : args.includes('in-process') || only ? ['in-process'] : undefined;
  console.table(await benchNode({ only, agents }));
}
