/**
 * Where a pod create's CPU goes: spawns `kubeling server` under `node --cpu-prof`, sends
 * pod creates from 8 HTTPS clients (after WARM_CREATES, so the server's JIT is warm), and
 * prints the server's and the clients' CPU-µs per create (from /proc and cpuUsage; less
 * load-dependent than throughput) and the functions that used it (self and inclusive,
 * only samples inside the create window).
 *   node dist/bench/profile.js [creates=4000] [server flags...]
 *   KUBELING_PROFILE=0: the CPU figures only; KUBELING_WARM=N: N warm-up creates;
 *   KUBELING_SERVER_NODE_FLAGS="--max-semi-space-size=32 ...": V8/node flags for the server.
 * The API server alone: `node dist/bench/profile.js 4000 --disable-scheduler --disable-controllers`.
 * The profiler samples wall time: on a busy machine, time a preempted server waits shows
 * up where it was (often a socket write); the /proc figure is the one to compare.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSplit, ms, pct, spawnServer } from './util.js';
import { clientCpu, createPods, WARM_CREATES } from './api.js';
import { leanClientFromKubeconfig } from './lean-client.js';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; samples: number[]; timeDeltas: number[] }

const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

function summarise(p: Profile, from: number, to: number, creates: number): void {
  const byId = new Map(p.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: Node) => {
    const f = n.callFrame;
    const file = f.url.replace(/^.*\/(dist|node_modules)\//, '').replace(/^node:/, '');
    return `${f.functionName || '(anon)'} ${file}:${f.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i];
    t += dt;
    if (t < from || t > to) continue;
    const leaf = byId.get(p.samples[i])!;
    const name = leaf.callFrame.functionName;
    if (name === '(idle)') continue;
    total += dt;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const l = label(byId.get(id)!);
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + dt);
    }
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, v]) => ({ function: k.slice(0, 90), 'µs/create': Math.round(v / creates), '%': Math.round((v / total) * 1000) / 10 }));
  console.log(`profiled CPU in window: ${Math.round(total / creates)} µs/create`);
  console.log('\nself time');
  console.table(top(self, 30));
  console.log('\ninclusive time');
  console.table(top(incl, 45));
  // The call tree down to 2% of the window, merged by label under each parent.
  const nodeTime = new Map<number, number>();
  t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t < from || t > to || byId.get(p.samples[i])!.callFrame.functionName === '(idle)') continue;
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) nodeTime.set(id, (nodeTime.get(id) ?? 0) + p.timeDeltas[i]);
  }
  console.log('\ncall tree (µs/create, >= 2%)');
  const show = (ids: number[], depth: number) => {
    const merged = new Map<string, { t: number; kids: number[] }>();
    for (const id of ids) {
      const n = byId.get(id)!;
      const m = merged.get(label(n)) ?? { t: 0, kids: [] };
      m.t += nodeTime.get(id) ?? 0;
      m.kids.push(...(n.children ?? []));
      merged.set(label(n), m);
    }
    for (const [l, m] of [...merged].sort((a, b) => b[1].t - a[1].t)) {
      if (m.t < total * 0.02) continue;
      console.log(`${String(Math.round(m.t / creates)).padStart(6)} ${'  '.repeat(depth)}${l.slice(0, 100)}`);
      if (depth < 14) show(m.kids, depth + 1);
    }
  };
  show([p.nodes[0].id], 0);
}

const creates = Math.ceil(Number(process.argv[2] ?? 4000) / 8) * 8;
const flags = process.argv.slice(3);
const dir = mkdtempSync(join(tmpdir(), 'kubeling-prof-'));
const profiling = process.env.KUBELING_PROFILE !== '0';
const nodeFlags = (process.env.KUBELING_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const srv = await spawnServer(['--disable-agent', ...flags], [...nodeFlags, ...(profiling ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [])]);
const c = await leanClientFromKubeconfig(srv.kubeconfig, 8);
const warm = Number(process.env.KUBELING_WARM ?? WARM_CREATES);
try {
  await createPods(c, 8, Math.ceil(warm / 8), 'warm');
  await new Promise(r => setTimeout(r, 1000));
  const cpu0 = cpuSplit(srv.proc.pid!);
  const from = nowMicros();
  const lat: number[] = [];
  const { value: el, cpu: client } = await clientCpu(() => createPods(c, 8, creates / 8, 'p', lat));
  // Let the reactions to the creates (scheduler, controllers) finish inside the window.
  await new Promise(r => setTimeout(r, 1500));
  const to = nowMicros();
  const cpu1 = cpuSplit(srv.proc.pid!);
  const user = cpu1.user - cpu0.user, system = cpu1.system - cpu0.system;
  console.log(`${creates} creates in ${Math.round(el)} ms = ${Math.round(creates / el * 1000)}/s, p50 ${ms(pct(lat, 50))} ms, p99 ${ms(pct(lat, 99))} ms; server CPU ${Math.round((user + system) / creates)} µs/create (user ${Math.round(user / creates)}, system ${Math.round(system / creates)}; from /proc); client CPU ${Math.round(client / creates)} µs/create; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  c.close();
  await srv.stop();
  const file = readdirSync(dir).find(f => f.endsWith('.cpuprofile'));
  if (!profiling) { /* /proc figure only */ } else if (file) summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile, from, to, creates);
  else console.log('no profile written');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
