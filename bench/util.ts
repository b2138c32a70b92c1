/** Shared bench helpers: percentiles, a spawned server, an HTTPS client from its kubeconfig. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../src/cli/node-flags.js';
import { clientFromKubeconfig } from '../test/e2e/raw-client.js';

export function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export const ms = (x: number) => Math.round(x * 100) / 100;

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

// Servers this bench started and has not stopped yet. A bench ended by Ctrl-C, `timeout` or an
// uncaught error stops them on its way out: an orphaned server would keep its port, data dir
// and CPU share and skew the next run's figures.
const live = new Map<ChildProcess, string>();
// Other things a bench set up outside its own process (podman pods, networks, rules), undone
// synchronously on the same way out; a `finally` does not run when a signal ends the bench.
const exitCleanups = new Set<() => void>();
function stopLiveServers(): void {
  for (const [proc, dataDir] of live) {
    proc.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
  live.clear();
  for (const f of exitCleanups) {
    try { f(); } catch { /* best effort on the way out */ }
  }
  exitCleanups.clear();
}

/** Runs `undo` if the bench is ended (signal, exit) before the returned function is called. */
export function undoOnExit(undo: () => void): () => void {
  exitCleanups.add(undo);
  return () => { exitCleanups.delete(undo); };
}
process.once('exit', stopLiveServers);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => { stopLiveServers(); process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)); });
}

export interface BenchServer {
  url: string;
  proc: ChildProcess;
  dataDir: string;
  kubeconfig: string;
  startMs: number;
  /** The last 64 KiB of its stderr (JSON log lines). */
  log(): string;
  stop(): Promise<void>;
}

/** Spawns `kubeling server` and measures spawn → /readyz answering 200. */
export async function spawnServer(args: string[] = ['--disable-agent'], nodeArgs: string[] = []): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeling-bench-'));
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const t0 = performance.now();
  // KUBELING_BENCH_CPU_PROF=DIR profiles every spawned server (node --cpu-prof) into DIR.
  const prof = process.env.KUBELING_BENCH_CPU_PROF;
  if (prof) nodeArgs = [...nodeArgs, '--cpu-prof', `--cpu-prof-dir=${prof}`];
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, MAIN, 'server', '--data-dir', dataDir, '--write-kubeconfig', kubeconfig, '--port', '0', '--bind-address', '127.0.0.1', ...args], {
    env: { ...process.env, KUBELING_LOG_FORMAT: 'json' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.set(proc, dataDir);
  let buf = '';
  proc.once('exit', () => live.delete(proc));
  const url = await new Promise<string>((resolve, reject) => {
    let ready = false;
    proc.stderr!.on('data', c => {
      // Only the last 64 KiB for an exit message: a server logging under load must not make
      // this process rescan an ever-growing buffer.
      buf = (buf + c).slice(-65_536);
      if (ready) return;
      const m = /"msg":"api server ready","url":"([^"]+)"/.exec(buf);
      if (m) { ready = true; resolve(m[1]); }
    });
    proc.on('exit', c => reject(new Error(`server exited ${c}: ${buf}`)));
  });
  const c = clientFromKubeconfig(kubeconfig);
  for (;;) {
    const r = await c.req('GET', '/readyz').catch(() => ({ status: 0, body: '' }));
    if (r.status === 200) break;
    await new Promise(r => setTimeout(r, 5));
  }
  const startMs = performance.now() - t0;
  c.close();
  return {
    url, proc, dataDir, kubeconfig, startMs, log: () => buf,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise(r => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU time (user + system) a process has used so far, in microseconds (from /proc, 10 ms ticks). */
export function cpuMicros(pid: number): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/** CPU time (user + system) of a process's main thread so far, in microseconds (its other threads: workers, GC, libuv). */
export function mainThreadCpuMicros(pid: number): number {
  const { user, system } = cpuSplit(pid, `/proc/${pid}/task/${pid}/stat`);
  return user + system;
}

/** User and system CPU time of a process so far, in microseconds. */
export function cpuSplit(pid: number, file = `/proc/${pid}/stat`): { user: number; system: number } {
  const stat = readFileSync(file, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]) * 10_000, system: Number(f[12]) * 10_000 }; // utime, stime (fields 14, 15) at 100 Hz
}

export { clientFromKubeconfig, type HttpClient } from '../test/e2e/raw-client.js';
