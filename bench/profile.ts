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
import { summariseProfile, type CpuProfile } from './cpu-profile.js';

const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

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
  if (!profiling) { /* /proc figure only */ } else if (file) summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, from, to, creates, { unit: 'create' });
  else console.log('no profile written');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
