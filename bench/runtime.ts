/**
 * Runtime benchmark (real runc, real CNI): pod = sandbox (pause + bridge ADD) + one busybox
 * container started. Sequential p50/p99 over 20 pods, then a burst of pods at once (50, or
 * the first argument); removal too. For the burst it prints the CPU per pod of the runtime's
 * processes (spawner, shims, runc, runc init, CNI plugins, the containers; from a cpuacct
 * cgroup, so other work on the machine does not count) and of this process (the runtime's
 * TypeScript). KUBELING_BENCH_PERF=1 adds where that CPU went, per kind of process, user and
 * kernel (bench/perf-tree.ts; needs perf); KUBELING_BENCH_PERF=DIR also keeps the perf files
 * there (start.perf, remove.perf) for `perf report`; KUBELING_BENCH_PERF_TOP=N lists N kernel items per kind (5);
 * KUBELING_BENCH_PERF_GO=N adds runc's user time by Go function (top N; bench/go-symbols.ts).
 * Needs root; uses its own runc root, bridge, subnet and cgroup parent, and removes them.
 *   node dist/bench/runtime.js [burst=50]
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSetupImages, ensurePause, ImageStore, RuncRuntime } from '../src/node/runtime/index.js';
import { readGoSymbols } from './go-symbols.js';
import { perfByKind, perfRecord, type GoUserTime, type KindRow } from './perf-tree.js';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10;
}

const CPUACCT = '/sys/fs/cgroup/cpuacct';
const usageMs = (dir: string) => { try { return Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8')) / 1e6; } catch { return 0; } };
const selfMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** Our child processes (the spawner and what it started), by pid, with their comm. */
function descendants(root: number): { pid: number; comm: string }[] {
  const kids = new Map<number, { pid: number; comm: string }[]>();
  for (const p of readdirSync('/proc').filter(d => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), { pid: Number(p), comm }]);
    } catch { /* gone */ }
  }
  const out: { pid: number; comm: string }[] = [];
  for (let todo = [...(kids.get(root) ?? [])]; todo.length;) {
    const k = todo.pop()!;
    out.push(k);
    todo.push(...(kids.get(k.pid) ?? []));
  }
  return out;
}

/**
 * CPU of the runtime's processes: the spawner (and so every shim, runc and plugin it starts)
 * moves into a cpuacct cgroup of its own; containers count in the cgroup parent.
 */
class RuntimeCpu {
  readonly #dir: string;
  readonly #pods: string;
  readonly spawner?: number;
  constructor(hex: string, cgroupParent: string) {
    this.#dir = join(CPUACCT, `kubeling-bench-rt-${hex}`);
    this.#pods = join(CPUACCT, cgroupParent);
    mkdirSync(this.#dir, { recursive: true });
    for (const k of descendants(process.pid)) {
      if (k.comm === 'kubeling-shim' && !this.spawner) this.spawner = k.pid;
      try { writeFileSync(join(this.#dir, 'cgroup.procs'), String(k.pid)); } catch { /* gone */ }
    }
  }
  now() { return { runtime: usageMs(this.#dir) + usageMs(this.#pods), self: selfMs() }; }
  cleanup(): void {
    try {
      for (const pid of readFileSync(join(this.#dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
        try { writeFileSync(join(CPUACCT, 'cgroup.procs'), pid); } catch { /* gone */ }
      }
      rmdirSync(this.#dir);
    } catch { /* already gone */ }
  }
}

/** KUBELING_BENCH_PERF_GO=N: runc's user time by its Go functions (top N), from its .gopclntab. */
function goUserTime(): GoUserTime | undefined {
  const n = Number(process.env.KUBELING_BENCH_PERF_GO ?? 0);
  const symbols = n > 0 ? readGoSymbols(existsSync('/usr/sbin/runc') ? '/usr/sbin/runc' : '/usr/bin/runc') : undefined;
  return symbols ? { symbols, dso: /runc/, topN: n } : undefined;
}

export async function benchRuntime(burstSize = 50): Promise<object[]> {
  if (process.getuid?.() !== 0) return [{ case: 'runtime', skipped: 'needs root' }];
  const hex = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'kubeling-bench-'));
  const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  let n = 1;
  while (routes.includes(`10.251.${n}.`)) n++;
  const pause = join(dir, 'bin', 'pause');
  const helper = join(dir, 'bin', 'kubeling-shim');
  await ensurePause(pause);
  await buildSetupImages({ store: join(dir, 'images'), pause, shim: helper });
  const images = await ImageStore.open({ root: join(dir, 'images'), helper });
  const cgroupParent = `/kubeling-bench-${hex}`;
  const rt = await RuncRuntime.create({
    stateDir: join(dir, 'state'), runcRoot: `/run/kubeling-bench-${hex}`, images, cgroupParent,
    network: { name: `klb${hex}`, bridge: `klb${hex}`, subnet: `10.251.${n}.0/24`, ipMasq: false },
  });
  let i = 0;
  const startPod = async () => {
    const k = ++i;
    const sb = await rt.runSandbox({ name: `b${k}`, namespace: 'bench', uid: `b${k}`, hostname: `b${k}` });
    const c = await rt.createContainer(sb.id, { name: 'c', image: 'busybox', command: ['sleep', '600'] });
    await rt.startContainer(c);
    return sb.id;
  };
  const timed = async <T>(fn: () => Promise<T>) => { const t = performance.now(); const v = await fn(); return [v, performance.now() - t] as const; };
  const rows: object[] = [];
  const perf = process.env.KUBELING_BENCH_PERF;
  const perfDir = perf && perf !== '1' ? perf : dir;
  const breakdowns: { what: string; rows: KindRow[] }[] = [];
  let cpu: RuntimeCpu | undefined;
  try {
    await rt.removeSandbox(await startPod()); // warm-up: creates the bridge, loads runc into the page cache
    cpu = new RuntimeCpu(hex, cgroupParent);
    const seq: number[] = [];
    const ids: string[] = [];
    // CPU ms per pod between two readings: runtime processes / this process.
    const perPod = (c0: { runtime: number; self: number }, c1: { runtime: number; self: number }, pods: number) =>
      `${Math.round((c1.runtime - c0.runtime) / pods * 10) / 10} / ${Math.round((c1.self - c0.self) / pods * 10) / 10}`;
    let c0 = cpu.now();
    for (let k = 0; k < 20; k++) { const [id, ms] = await timed(startPod); seq.push(ms); ids.push(id); }
    rows.push({ case: 'pod start, sequential', pods: 20, p50_ms: pct(seq, 50), p99_ms: pct(seq, 99), total_ms: Math.round(seq.reduce((a, b) => a + b, 0)), cpu_ms_per_pod: perPod(c0, cpu.now(), 20) });
    const del: number[] = [];
    c0 = cpu.now();
    for (const id of ids) { const [, ms] = await timed(() => rt.removeSandbox(id)); del.push(ms); }
    rows.push({ case: 'pod remove, sequential', pods: 20, p50_ms: pct(del, 50), p99_ms: pct(del, 99), total_ms: Math.round(del.reduce((a, b) => a + b, 0)), cpu_ms_per_pod: perPod(c0, cpu.now(), 20) });
    // CPU ms per pod of a phase: runtime processes / this process.
    const measure = async <T>(what: string, fn: () => Promise<T>): Promise<[T, string]> => {
      const rec = perf ? await perfRecord(join(perfDir, `${what.replace(/\W+/g, '-')}.perf`)) : undefined;
      const c0 = cpu!.now();
      const v = await fn();
      const c1 = cpu!.now();
      if (rec) breakdowns.push({ what, rows: perfByKind(await rec.stop(), process.pid, cpu!.spawner, burstSize, Number(process.env.KUBELING_BENCH_PERF_TOP ?? 5), goUserTime()) });
      return [v, perPod(c0, c1, burstSize)];
    };
    const each: number[] = [];
    const [[burst, total], startCpu] = await measure('start', () => timed(() => Promise.all(Array.from({ length: burstSize }, () => timed(startPod).then(([id, ms]) => { each.push(ms); return id; })))));
    rows.push({ case: `pod start, ${burstSize} at once`, pods: burstSize, p50_ms: pct(each, 50), p99_ms: pct(each, 99), total_ms: Math.round(total), cpu_ms_per_pod: startCpu });
    const [[, delTotal], delCpu] = await measure('remove', () => timed(() => Promise.all(burst.map(id => rt.removeSandbox(id)))));
    rows.push({ case: `pod remove, ${burstSize} at once`, pods: burstSize, total_ms: Math.round(delTotal), cpu_ms_per_pod: delCpu });
    rows.push({ case: 'cpu_ms_per_pod: runtime processes (spawner, shims, runc, runc init, CNI, containers) / this process (runtime TS)' });
  } finally {
    cpu?.cleanup();
    await rt.purge();
    await rm(dir, { recursive: true, force: true });
  }
  for (const b of breakdowns) {
    console.log(`\nburst ${b.what}: CPU ms per pod by process kind (perf samples of this process tree)`);
    console.table(b.rows.map(({ go: _go, ...r }) => r));
    for (const r of b.rows.filter(r => r.go)) console.log(`${r.kind}, user time by Go function (inclusive, ms per pod): ${r.go}`);
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  console.log(`load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  benchRuntime(Number(process.argv[2] ?? 50)).then(rows => { console.table(rows); console.log(`load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`); }, e => { console.error(e); process.exit(1); });
}
