/**
 * Resource readings of a cgroup, the way cAdvisor takes them for the kubelet:
 * CPU = cumulative usage in ns (v1 cpuacct.usage, v2 cpu.stat usage_usec), memory
 * working set = usage minus inactive file pages (v1 memory.usage_in_bytes −
 * total_inactive_file, v2 memory.current − inactive_file), never below 0.
 * Paths are cgroup paths ("/kubeling/pod<id>/<ctr>", "/" for the whole node).
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CgroupReading {
  /** Cumulative CPU time of the cgroup, nanoseconds. */
  cpuUsageNanoSeconds: number;
  memoryUsageBytes: number;
  memoryWorkingSetBytes: number;
  /** When the files were read. */
  time: Date;
}

export class CgroupReadError extends Error {
  readonly code = 'KL_CGROUP_READ';
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** `key value` lines (memory.stat, cpu.stat) → map. */
export function parseStatFile(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) m.set(k, Number(v));
  }
  return m;
}

export function workingSet(usage: number, inactiveFile: number | undefined): number {
  return Math.max(0, usage - (inactiveFile ?? 0));
}

export class CgroupReader {
  readonly root: string;
  #layout?: Promise<{ v2: boolean; cpu: string; memory: string }>;

  constructor(o: { root?: string } = {}) { this.root = o.root ?? '/sys/fs/cgroup'; }

  /** v2 when the root is the unified hierarchy; v1 finds the cpuacct and memory mounts. */
  #detect(): Promise<{ v2: boolean; cpu: string; memory: string }> {
    return this.#layout ??= (async () => {
      if (await exists(join(this.root, 'cgroup.controllers'))) return { v2: true, cpu: this.root, memory: this.root };
      for (const d of ['cpuacct', 'cpu,cpuacct', 'cpuacct,cpu']) {
        if (await exists(join(this.root, d, 'cpuacct.usage'))) return { v2: false, cpu: join(this.root, d), memory: join(this.root, 'memory') };
      }
      throw new CgroupReadError(`no cgroup v2 or v1 cpuacct hierarchy under ${this.root}`);
    })();
  }

  async read(cgroupPath: string): Promise<CgroupReading> {
    const l = await this.#detect();
    const rd = (dir: string, f: string) => readFile(join(dir, cgroupPath, f), 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new CgroupReadError(`reading ${join(dir, cgroupPath, f)}: ${e.code ?? e.message}`);
    });
    const time = new Date();
    if (!l.v2) {
      const [cpu, usage, stat] = await Promise.all([rd(l.cpu, 'cpuacct.usage'), rd(l.memory, 'memory.usage_in_bytes'), rd(l.memory, 'memory.stat')]);
      const u = Number(usage.trim());
      const s = parseStatFile(stat);
      return { cpuUsageNanoSeconds: Number(cpu.trim()), memoryUsageBytes: u, memoryWorkingSetBytes: workingSet(u, s.get('total_inactive_file') ?? s.get('inactive_file')), time };
    }
    if (cgroupPath === '/' || cgroupPath === '') return readHost(time);
    const [cpuStat, current, stat] = await Promise.all([rd(l.cpu, 'cpu.stat'), rd(l.memory, 'memory.current'), rd(l.memory, 'memory.stat')]);
    const u = Number(current.trim());
    return {
      cpuUsageNanoSeconds: (parseStatFile(cpuStat).get('usage_usec') ?? 0) * 1000,
      memoryUsageBytes: u, memoryWorkingSetBytes: workingSet(u, parseStatFile(stat).get('inactive_file')), time,
    };
  }
}

/** The v2 root cgroup has no usage files: the host's /proc/stat and /proc/meminfo stand in. */
async function readHost(time: Date): Promise<CgroupReading> {
  const [stat, meminfo] = await Promise.all([readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8')]);
  // cpu  user nice system idle iowait irq softirq steal … in USER_HZ (100 on Linux)
  const f = stat.split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + (f[7] ?? 0);
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? 0) * 1024;
  const used = kb('MemTotal') - kb('MemFree');
  return { cpuUsageNanoSeconds: busy * 1e7, memoryUsageBytes: used, memoryWorkingSetBytes: workingSet(used, kb('Inactive\\(file\\)')), time };
}
