/**
 * Where the CPU of a process tree went, by kind of process (runc run, runc init, shim, CNI
 * plugins…) and user/kernel, with the kernel time split by what it was spent on (which
 * syscall, page faults, exit). From a machine-wide `perf record -a -g` (cpu-clock samples),
 * counting only the samples of the given root process and its descendants (from perf's
 * fork events), so other work on a shared machine does not show; kernel threads (netns
 * cleanup, RCU, cgroup release work) are the one machine-wide row.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { GoSymbols } from './go-symbols.js';

const FREQ = 999;

export interface PerfRecording { stop(): Promise<string> }

/** Starts `perf record -a -g` into `file`; stop() ends it and returns the file. */
export async function perfRecord(file: string): Promise<PerfRecording> {
  const p = spawn('perf', ['record', '-a', '-g', '-e', 'cpu-clock', '-F', String(FREQ), '-o', file], { stdio: 'ignore' });
  await new Promise(r => setTimeout(r, 700)); // perf has set up its buffers
  return { stop: () => new Promise(r => { p.once('exit', () => r(file)); p.kill('SIGINT'); }) };
}

const KTHREAD = /^(kworker|ksoftirqd|rcu|kthreadd|migration|kcompactd|khugepaged|pool_workqueue)/;
const CNI = new Set(['bridge', 'host-local', 'portmap', 'loopback']);

/** What a kernel stack (innermost first) was doing, named by its outermost meaningful frame. */
function kernelWhat(frames: string[]): string {
  const has = (f: string) => frames.includes(f);
  if (has('do_exit')) return 'exit';
  if (has('bprm_execve') || has('do_execveat_common')) return 'execve';
  if (has('copy_process')) return 'fork';
  const work = frames.indexOf('process_one_work');
  if (work > 0) return `work ${frames[work - 1]}`;
  const kthread = frames.indexOf('kthread');
  if (kthread > 0) return `kthread ${frames[kthread - 1]}`;
  const sc = frames.indexOf('do_syscall_64');
  if (sc > 0) {
    const f = frames[sc - 1]!;
    if (f === 'x64_sys_call' && sc > 1) return frames[sc - 2]!.replace(/^(__x64_sys_|__do_sys_|__se_sys_|ksys_|do_sys_)/, '');
    if (f === 'vm_mmap_pgoff') return 'mmap';
    return f.replace(/^(__x64_sys_|__do_sys_|__se_sys_|ksys_|do_sys_)/, '');
  }
  if (has('asm_exc_page_fault')) return 'page fault';
  if (frames.some(f => /^asm_(sysvec|common_interrupt)/.test(f))) return 'interrupt';
  return frames.at(-1) ?? '?';
}

export interface KindRow { kind: string; ms: number; user: number; kernel: number; top: string; go?: string }

/** Names user time in a Go binary: `dso` tells its frames (perf's mapping name), `symbols` its functions. */
export interface GoUserTime { symbols: GoSymbols; dso: RegExp; topN: number }

/**
 * Per kind, in ms per `units` (pods): total, user, kernel, and the biggest kernel items
 * (`what ms`), for the tree under `root` (a pid) in `file`. `spawner`: the pid of the kubeling-shim spawner (its
 * own row; other kubeling-shim processes are shims).
 */
export function perfByKind(file: string, root: number, spawner: number | undefined, units: number, topN = 5, go?: GoUserTime): KindRow[] {
  const r = spawnSync('perf', ['script', '-i', file, '--show-task-events', '-F', 'comm,pid,tid,ip,sym,dso'], { maxBuffer: 1 << 30, encoding: 'utf8' });
  const parent = new Map<number, number>();
  const firstComm = new Map<number, string>();
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, n = 0; p !== undefined && n < 64; p = parent.get(p), n++) if (p === root) return true;
    return false;
  };
  const rows = new Map<string, { user: number; kernel: number; what: Map<string, number>; goFns: Map<string, number> }>();
  const kindOf = (comm: string, pid: number): string | undefined => {
    if (KTHREAD.test(comm)) return 'kernel threads (whole machine)';
    if (!inTree(pid)) return undefined;
    if (pid === root) return 'bench process (runtime TS)';
    if (comm === 'kubeling-shim') return pid === spawner ? 'spawner' : 'shim';
    if (comm === 'exe' || comm.startsWith('runc:[')) return 'runc init (until exec)';
    if (comm === 'memfd:runc' || comm === 'runc') {
      // runc run -d is the shim's child; runc delete/kill/list the spawner's.
      const pc = firstComm.get(parent.get(pid) ?? -1);
      if (pc === 'memfd:runc' || pc === 'runc' || pc === 'exe') return 'runc init (until exec)';
      return parent.get(pid) === spawner ? 'runc delete/list (spawner)' : 'runc run -d (shim)';
    }
    if (CNI.has(comm)) return `cni ${comm}`;
    return `other: ${comm}`;
  };
  // A sample is kernel time when its innermost frame is in the kernel (perf lists it first).
  let cur: { kind?: string; frames: string[]; goFns?: Set<string>; user?: boolean } | undefined;
  const flush = () => {
    if (!cur?.kind) return;
    let row = rows.get(cur.kind);
    if (!row) rows.set(cur.kind, (row = { user: 0, kernel: 0, what: new Map(), goFns: new Map() }));
    if (cur.user !== false) {
      row.user++;
      for (const f of cur.goFns ?? []) row.goFns.set(f, (row.goFns.get(f) ?? 0) + 1); // inclusive: each function once per sample
    } else {
      row.kernel++;
      const w = kernelWhat(cur.frames);
      row.what.set(w, (row.what.get(w) ?? 0) + 1);
    }
  };
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('\t') || line.startsWith(' ')) {
      if (!cur) continue;
      const m = /^\s*([0-9a-f]+)\s+(.*?)\s+\((.*)\)$/.exec(line);
      if (!m) continue;
      const kernel = m[3] === '[kernel.kallsyms]';
      cur.user ??= !kernel;
      if (kernel) cur.frames.push(m[2]!.replace(/\+0x.*$/, ''));
      else if (go && cur.user && go.dso.test(m[3]!)) {
        const ip = parseInt(m[1]!, 16);
        const fn = go.symbols.name(ip < go.symbols.base ? ip + go.symbols.base : ip); // an unnamed mapping's addresses are offsets
        if (fn) (cur.goFns ??= new Set()).add(fn);
      }
      continue;
    }
    if (!line.trim()) { flush(); cur = undefined; continue; }
    const ev = /^(.*?)\s+(\d+)\/(\d+)\s+PERF_RECORD_(FORK|COMM|EXIT)(.*)$/.exec(line);
    if (ev) {
      if (ev[4] === 'FORK') {
        const f = /\((\d+):(\d+)\):\((\d+):(\d+)\)/.exec(ev[5]!);
        if (f && f[1] !== String(f[3])) { parent.set(Number(f[1]), Number(f[3])); if (!firstComm.has(Number(f[1]))) firstComm.set(Number(f[1]), ev[1]!.trim()); }
      } else if (ev[4] === 'COMM') {
        const c = /: (.*):(\d+)\/(\d+)$/.exec(ev[5]!);
        if (c && c[2] === c[3]) firstComm.set(Number(c[2]), c[1]!);
      }
      continue;
    }
    const s = /^(.*?)\s+(\d+)\/(\d+)\s*$/.exec(line);
    if (s) {
      flush();
      cur = { kind: kindOf(s[1]!.trim(), Number(s[2])), frames: [] };
      continue;
    }
  }
  flush();
  return [...rows].map(([kind, v]) => {
    const ms = (samples: number) => Math.round((samples * 1000 * 10) / FREQ / units) / 10;
    const top = [...v.what].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([w, n]) => `${w} ${ms(n)}`).join(', ');
    const goTop = go && v.goFns.size ? [...v.goFns].sort((a, b) => b[1] - a[1]).slice(0, go.topN).map(([f, n]) => `${f} ${ms(n)}`).join(', ') : undefined;
    return { kind, ms: ms(v.user + v.kernel), user: ms(v.user), kernel: ms(v.kernel), top, ...(goTop ? { go: goTop } : {}) };
  }).sort((a, b) => b.ms - a.ms);
}
