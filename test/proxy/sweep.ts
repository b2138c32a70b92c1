/**
 * TEST ONLY — clean-up that survives interruption. Every test run that changes the
 * machine (iptables chains under its own prefix, a service range's routes, a TestNet's
 * bridge and netns, a NodeCluster's node and server) registers what it owns in RUNS_DIR
 * with its pid. On SIGINT/SIGTERM/SIGHUP, and at exit, a run removes what it still owns;
 * at start, every run first removes what dead runs (SIGKILLed, a killed session) left.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execRunner, ServiceRoutes, tableFor } from '../../src/proxy/index.js';

export const RUNS_DIR = '/run/kubeling-test-runs';
const SWEEP_MAIN = fileURLToPath(new URL('./sweep-main.js', import.meta.url));

export interface RunEntry {
  /** iptables chain prefix: every chain with it, and every jump to one, goes. */
  prefix?: string;
  /** Service range whose unreachable route (and the prefix's lookup table/rule) go. */
  serviceCidr?: string;
  /** A TestNet id: its netns (and processes inside), veths, bridge and /etc/netns entries. */
  netId?: string;
  /** Processes whose command line names this dir are stopped; the dir is removed. */
  dataDir?: string;
  /** A node agent's options (JSON-able part): purged with purgeNode. */
  node?: object;
}

interface RunRecord extends RunEntry { pid: number; startTime: string }

const mine = new Set<string>();
let handlersInstalled = false;
const isRoot = process.getuid?.() === 0;

/** Records what this process owns; returns the function to call once it is removed. */
export function registerRun(entry: RunEntry): () => void {
  if (!isRoot) return () => {};
  mkdirSync(RUNS_DIR, { recursive: true });
  const file = join(RUNS_DIR, `${process.pid}-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify({ ...entry, pid: process.pid, startTime: startTime(process.pid) } satisfies RunRecord));
  mine.add(file);
  installHandlers();
  return () => { mine.delete(file); rmSync(file, { force: true }); };
}

/** Removes whatever runs whose process is gone left behind. */
export async function sweepDeadRuns(): Promise<void> {
  if (!isRoot || !existsSync(RUNS_DIR)) return;
  for (const name of readdirSync(RUNS_DIR)) {
    const file = join(RUNS_DIR, name);
    let rec: RunRecord;
    try { rec = JSON.parse(readFileSync(file, 'utf8')) as RunRecord; } catch { continue; }
    if (startTime(rec.pid) === rec.startTime) continue; // still running
    // Claim it first (rename is atomic), so two runs starting together never sweep one record twice.
    const claimed = `${file}.sweeping-${process.pid}`;
    try { execFileSync('mv', ['-n', file, claimed]); } catch { continue; }
    if (!existsSync(claimed)) continue;
    await sweepRecord(rec).catch(e => console.error(`sweep of ${name} failed: ${(e as Error).message}`));
    rmSync(claimed, { force: true });
  }
  await othersSweeping();
}

/**
 * Waits (up to 30 s) while other live processes still sweep records they claimed, so that
 * when sweepDeadRuns returns every dead run is gone, whoever swept it.
 */
async function othersSweeping(): Promise<void> {
  const until = Date.now() + 30_000;
  const busy = () => {
    try {
      return readdirSync(RUNS_DIR).some(n => {
        const pid = Number(/\.sweeping-(\d+)$/.exec(n)?.[1]);
        return pid && pid !== process.pid && alive(pid);
      });
    } catch { return false; } // the directory went with the last run
  };
  while (busy() && Date.now() < until) await new Promise(r => setTimeout(r, 50));
}

/** Removes everything one record names (missing pieces are fine). */
export async function sweepRecord(rec: RunEntry): Promise<void> {
  if (rec.dataDir) await stopProcessesNaming(rec.dataDir);
  if (rec.netId) await purgeNet(rec.netId);
  if (rec.node) {
    const { purgeNode } = await import('../../src/node/index.js');
    const silent = { info() {}, warn() {}, error() {} };
    await purgeNode({ ...(rec.node as object), logger: silent } as never).catch(() => {});
  }
  if (rec.prefix) await purgeProxy(rec.prefix, rec.serviceCidr);
  if (rec.dataDir && !readFileSync('/proc/self/mountinfo', 'utf8').includes(rec.dataDir)) rmSync(rec.dataDir, { recursive: true, force: true });
}

/** Deletes every chain starting with `prefix` and every rule jumping to one, in both tables; and the routes. */
export async function purgeProxy(prefix: string, serviceCidr?: string): Promise<void> {
  for (const table of ['nat', 'filter']) {
    const save = (await execRunner('iptables-save', ['-t', table])).stdout.split('\n');
    const chains = save.filter(l => l.startsWith(`:${prefix}`)).map(l => l.slice(1).split(' ')[0]!);
    const jumps = save.filter(l => l.startsWith('-A ') && !l.startsWith(`-A ${prefix}`) && l.includes(` ${prefix}`));
    if (!chains.length && !jumps.length) continue;
    const text = [`*${table}`, ...jumps.map(l => `-D${l.slice(2)}`), ...chains.map(c => `:${c} - [0:0]`), ...chains.map(c => `-X ${c}`), 'COMMIT', ''].join('\n');
    const r = await execRunner('iptables-restore', ['-w', '--noflush'], text);
    if (r.code !== 0) throw new Error(`removing ${prefix} chains from ${table}: ${r.stderr.trim()}`);
  }
  if (serviceCidr) await new ServiceRoutes({ serviceCidr, table: tableFor(prefix) }).remove();
  else await execRunner('ip', ['route', 'flush', 'table', String(tableFor(prefix))]);
}

/** Our chains and jump rules as iptables-save prints them (counters dropped), sorted. */
export function ourRulesSync(prefix: string): string[] {
  return execFileSync('iptables-save', [], { encoding: 'utf8' }).split('\n').filter(l => l.includes(prefix))
    .map(l => l.replace(/\[\d+:\d+\]/, '')).sort();
}

export async function ourRules(prefix: string): Promise<string[]> {
  const r = await execRunner('iptables-save', []);
  return r.stdout.split('\n').filter(l => l.includes(prefix)).map(l => l.replace(/\[\d+:\d+\]/, '')).sort();
}

/** A /24 service range no route on this machine uses. */
export function freeServiceCidr(): string {
  const routes = execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
  for (;;) {
    const b = randomBytes(2);
    const cidr = `10.${100 + (b[0]! % 50)}.${b[1]}.0/24`;
    if (!routes.includes(cidr.slice(0, -4))) return cidr;
  }
}

async function purgeNet(id: string): Promise<void> {
  const netns = (await execRunner('ip', ['netns', 'list'])).stdout.split('\n').map(l => l.split(' ')[0]!).filter(n => n.startsWith(`kl-${id}-`));
  for (const ns of netns) {
    const pids = (await execRunner('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean).map(Number);
    for (const pid of pids) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise(r => setTimeout(r, 50));
    await execRunner('ip', ['netns', 'del', ns]);
    rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
  }
  const links = (await execRunner('ip', ['-o', 'link'])).stdout.split('\n').map(l => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((n): n is string => !!n && n.includes(id));
  for (const l of links) await execRunner('ip', ['link', 'del', l]);
}

/** SIGTERM (then SIGKILL) to processes whose command line contains `marker` (a run's own data dir). */
async function stopProcessesNaming(marker: string): Promise<void> {
  const find = () => readdirSync('/proc').filter(d => /^\d+$/.test(d) && Number(d) !== process.pid).filter(d => {
    try { return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(marker); } catch { return false; }
  }).map(Number);
  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    const pids = find().filter(alive);
    if (!pids.length) return;
    for (const pid of pids) try { process.kill(pid, sig); } catch { /* gone */ }
    for (let i = 0; i < 50 && find().some(alive); i++) await new Promise(r => setTimeout(r, 100));
  }
}

/** Whether a process exists and is not a zombie waiting to be reaped. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch { return false; }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks): tells a live run from a reused pid. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch { return ''; }
}

function sweepMineSync(): void {
  if (!mine.size) return;
  spawnSync(process.execPath, [SWEEP_MAIN, ...mine], { stdio: 'inherit' });
  for (const f of mine) rmSync(f, { force: true });
  mine.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', sweepMineSync);
  for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.on(sig, () => { sweepMineSync(); process.exit(128 + n); });
  }
}
