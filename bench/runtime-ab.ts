/**
 * Interleaved A/B of two builds of the runtime in one process: this tree's and another
 * tree's dist/ (built with `npm run build`). On this VM the CPU a pod costs drifts up to 2×
 * within the hour, so figures from runs made apart do not compare. Each round starts a
 * burst of pods on each runtime in turn (the order alternating), then removes them, and
 * reads the CPU of each runtime's processes: its spawner helper and all it started (shims,
 * runc, runc init, CNI plugins) in a cpuacct cgroup of its own, plus its pods' cgroups.
 * The runtimes' TypeScript runs in this one process and is not split: it is left out.
 * An A/A run (this tree's dist/ as OTHER) shows the noise: ≤ 1 ms per pod with 6 rounds of 30.
 *   node dist/bench/runtime-ab.js OTHER_DIST [rounds=6] [pods=30]
 * Needs root; every runtime uses its own runc root, bridge, subnet and cgroup parent, and
 * removes them.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineSpeed } from './machine-speed.js';

type RuntimeModule = typeof import('../src/node/runtime/index.js');
type Rt = Awaited<ReturnType<RuntimeModule['RuncRuntime']['create']>>;

const CPUACCT = '/sys/fs/cgroup/cpuacct';
const usageMs = (dir: string) => { try { return Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8')) / 1e6; } catch { return 0; } };

/** Pids of this process's children. */
function children(): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc').filter(d => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

interface Side { name: string; dist: string; rt: Rt; acct: string; pods: string; dir: string; start: number[]; remove: number[] }

async function openSide(name: string, dist: string, n: number, hex: string, taken: Set<number>): Promise<Side> {
  const m = (await import(pathToFileURL(join(dist, 'src/node/runtime/index.js')).href)) as RuntimeModule;
  const dir = await mkdtemp(join(tmpdir(), `kubeling-ab-${name}-`));
  const pause = join(dir, 'bin', 'pause');
  const helper = join(dir, 'bin', 'kubeling-shim');
  await m.ensurePause(pause);
  await m.buildSetupImages({ store: join(dir, 'images'), pause, shim: helper });
  const images = await m.ImageStore.open({ root: join(dir, 'images'), helper });
  const pods = `/kubeling-ab-${name}-${hex}`;
  const rt = await m.RuncRuntime.create({
    stateDir: join(dir, 'state'), runcRoot: `/run/kubeling-ab-${name}-${hex}`, images, cgroupParent: pods,
    network: { name: `kab${name}${hex}`, bridge: `kab${name}${hex}`, subnet: `10.250.${n}.0/24`, ipMasq: false },
  });
  const side: Side = { name, dist, rt, acct: join(CPUACCT, `kubeling-ab-rt-${name}-${hex}`), pods: join(CPUACCT, pods), dir, start: [], remove: [] };
  await rt.removeSandbox(await startPod(side, 0)); // warm-up: starts its spawner, creates the bridge
  mkdirSync(side.acct, { recursive: true });
  for (const pid of children().filter(p => !taken.has(p))) {
    taken.add(pid);
    try { writeFileSync(join(side.acct, 'cgroup.procs'), String(pid)); } catch { /* gone */ }
  }
  return side;
}

async function startPod(s: Side, k: number): Promise<string> {
  const sb = await s.rt.runSandbox({ name: `${s.name}${k}`, namespace: 'bench', uid: `${s.name}${k}`, hostname: `${s.name}${k}` });
  const c = await s.rt.createContainer(sb.id, { name: 'c', image: 'busybox', command: ['sleep', '600'] });
  await s.rt.startContainer(c);
  return sb.id;
}

async function closeSide(s: Side): Promise<void> {
  try {
    for (const pid of readFileSync(join(s.acct, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try { writeFileSync(join(CPUACCT, 'cgroup.procs'), pid); } catch { /* gone */ }
    }
    rmdirSync(s.acct);
  } catch { /* never made */ }
  await s.rt.purge();
  await rm(s.dir, { recursive: true, force: true });
}

/** A free 10.250.N.0/24 for each side. */
function freeSubnets(count: number): number[] {
  const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  const out: number[] = [];
  for (let n = 1; out.length < count && n < 255; n++) if (!routes.includes(`10.250.${n}.`)) out.push(n);
  return out;
}

export async function benchRuntimeAb(other: string, rounds = 6, pods = 30): Promise<object[]> {
  if (process.getuid?.() !== 0) return [{ case: 'runtime A/B', skipped: 'needs root' }];
  const hex = randomBytes(3).toString('hex');
  const here = resolve(fileURLToPath(import.meta.url), '../..');
  const [na, nb] = freeSubnets(2);
  const taken = new Set(children());
  const sides: Side[] = [];
  try {
    sides.push(await openSide('a', here, na!, hex, taken));
    sides.push(await openSide('b', resolve(other), nb!, hex, taken));
    let k = 0;
    for (let r = 0; r < rounds; r++) {
      for (const s of r % 2 ? [...sides].reverse() : sides) {
        const now = () => usageMs(s.acct) + usageMs(s.pods);
        let c0 = now();
        const ids = await Promise.all(Array.from({ length: pods }, () => startPod(s, ++k)));
        s.start.push((now() - c0) / pods);
        c0 = now();
        await Promise.all(ids.map(id => s.rt.removeSandbox(id)));
        s.remove.push((now() - c0) / pods);
      }
    }
  } finally {
    for (const s of sides) await closeSide(s).catch(e => console.error(`cleanup of ${s.name}:`, e));
  }
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length * 10) / 10;
  const each = (xs: number[]) => xs.map(x => x.toFixed(1)).join(' ');
  return sides.map(s => ({ build: `${s.name}: ${s.dist}`, rounds, pods, start_cpu_ms_per_pod: mean(s.start), start_rounds: each(s.start), remove_cpu_ms_per_pod: mean(s.remove), remove_rounds: each(s.remove) }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const [other, rounds, pods] = process.argv.slice(2);
  if (!other) { console.error('usage: node dist/bench/runtime-ab.js OTHER_DIST [rounds=6] [pods=30]'); process.exit(2); }
  console.log(machineSpeed());
  benchRuntimeAb(other, Number(rounds ?? 6), Number(pods ?? 30)).then(rows => { console.table(rows); console.log(machineSpeed()); }, e => { console.error(e); process.exit(1); });
}
