/**
 * How fast this machine runs right now, printed beside every bench's table. On this VM the
 * same code at the same (low) load has needed up to twice the CPU per pod from one hour to
 * the next (runc, CNI and our JavaScript alike, with no steal time in /proc/stat): figures
 * from different runs compare only together with these two.
 * - a fixed JavaScript loop: CPU ms of this process (register-bound; it barely moves);
 * - random reads over 256 MB: CPU ms of this process (memory-bound, like most of a server's
 *   work on scattered objects);
 * - a Go program's start: mean CPU ms of `runc --version` (GOMAXPROCS=1, as the runtime
 *   starts runc), read from this process's children's times in /proc/self/stat.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ = 100 on Linux

function childrenCpuMs(): number {
  const s = readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_MS; // cutime, cstime
}

export function jsLoopMs(): number {
  const c0 = process.cpuUsage();
  let x = 0;
  for (let i = 0; i < 100_000_000; i++) x = (x + (i % 7)) | 0;
  const c = process.cpuUsage(c0);
  if (x === -1) console.log(x); // keeps the loop from being optimised away
  return Math.round((c.user + c.system) / 1000);
}

export function memoryWalkMs(): number {
  const memory = new Int32Array(64 << 20).fill(1); // 256 MB, touched before timing, dropped after
  const c0 = process.cpuUsage();
  let x = 0, idx = 12345;
  for (let i = 0; i < 20_000_000; i++) {
    idx = (Math.imul(idx, 1103515245) + 12345) & ((64 << 20) - 1);
    x += memory[idx]!;
  }
  const c = process.cpuUsage(c0);
  if (x === -1) console.log(x);
  return Math.round((c.user + c.system) / 1000);
}

export function goStartMs(runs = 50): number | undefined {
  const c0 = childrenCpuMs();
  try {
    for (let i = 0; i < runs; i++) execFileSync('runc', ['--version'], { env: { ...process.env, GOMAXPROCS: '1' }, stdio: 'ignore' });
  } catch { return undefined; }
  return Math.round(((childrenCpuMs() - c0) / runs) * 10) / 10;
}

export function machineSpeed(): string {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const go = goStartMs();
  return `machine speed (CPU ms, lower is faster): JS loop ${jsLoopMs()}, memory walk ${memoryWalkMs()}, runc start ${go ?? 'n/a'}; load ${load}`;
}
