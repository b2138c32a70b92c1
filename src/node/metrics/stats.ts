/**
 * The agent's resource readings, served as the kubelet's Summary API (`/stats/summary`,
 * stats/v1alpha1: node and per-container CPU and memory). Readings of the node ("/") and
 * of every running container's cgroup are taken every `intervalMs` and on demand (when
 * the last one is older than 2 s), so a rate between two readings is always at hand.
 */
import type { Runtime } from '../runtime/index.js';
import { CONTAINER_NAME } from '../labels.js';
import { CgroupReader, type CgroupReading } from './cgroup.js';
import { UsageTracker } from './usage-tracker.js';
import type { Usage } from './resource-metrics.js';

export interface CpuStats { time: string; usageNanoCores?: number; usageCoreNanoSeconds: number }
export interface MemoryStats { time: string; usageBytes: number; workingSetBytes: number }
export interface ContainerStats { name: string; startTime: string; cpu: CpuStats; memory: MemoryStats }
export interface PodStats { podRef: { name: string; namespace: string; uid: string }; startTime: string; containers: ContainerStats[] }
export interface Summary { node: { nodeName: string; cpu: CpuStats; memory: MemoryStats }; pods: PodStats[] }

export const SAMPLE_INTERVAL_MS = 10_000;
const FRESH_MS = 2_000;
const NODE_KEY = '/';

export interface StatsOptions {
  runtime: Runtime;
  nodeName: string;
  /** Parent of every pod cgroup; the runc runtime puts containers at `<parent>/pod<sandbox id>/<container id>`. */
  cgroupParent: string;
  reader?: CgroupReader;
  intervalMs?: number;
}

function stats(r: CgroupReading, u: Usage | undefined): { cpu: CpuStats; memory: MemoryStats } {
  const time = r.time.toISOString();
  return {
    cpu: { time, ...(u ? { usageNanoCores: u.cpuNanoCores } : {}), usageCoreNanoSeconds: r.cpuUsageNanoSeconds },
    memory: { time, usageBytes: r.memoryUsageBytes, workingSetBytes: r.memoryWorkingSetBytes },
  };
}

export class StatsCollector {
  readonly #o: StatsOptions;
  readonly #reader: CgroupReader;
  readonly #tracker = new UsageTracker();
  #timer?: NodeJS.Timeout;
  #last?: { at: number; summary: Promise<Summary> };
  /** Running pods and containers at the last reading (kubelet_running_pods/containers). */
  counts = { pods: 0, containers: 0 };

  constructor(o: StatsOptions) {
    this.#o = o;
    this.#reader = o.reader ?? new CgroupReader();
  }

  start(): void {
    const tick = () => { void this.summary(true).catch(() => undefined); };
    tick();
    this.#timer = setInterval(tick, this.#o.intervalMs ?? SAMPLE_INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void { clearInterval(this.#timer); }

  /** The latest Summary; takes new readings when the last ones are older than 2 s (or `fresh`). */
  summary(fresh = false): Promise<Summary> {
    if (!fresh && this.#last && Date.now() - this.#last.at < FRESH_MS) return this.#last.summary;
    const summary = this.#sample();
    this.#last = { at: Date.now(), summary };
    return summary;
  }

  async #sample(): Promise<Summary> {
    const rt = this.#o.runtime;
    const [sandboxes, containers] = await Promise.all([rt.listSandboxes({ state: 'ready' }), rt.listContainers({ state: 'running' })]);
    const nodeReading = await this.#reader.read(NODE_KEY);
    const readings = await Promise.all(containers.map(async c => {
      const path = `${this.#o.cgroupParent}/pod${c.sandboxId}/${c.id}`;
      return { c, r: await this.#reader.read(path).catch(() => undefined) };
    }));
    const node = { nodeName: this.#o.nodeName, ...stats(nodeReading, this.#tracker.record(NODE_KEY, nodeReading)) };
    const pods: PodStats[] = [];
    for (const sb of sandboxes) {
      const cs: ContainerStats[] = [];
      for (const { c, r } of readings) {
        if (c.sandboxId !== sb.id || !r) continue;
        cs.push({ name: c.labels[CONTAINER_NAME] ?? c.name, startTime: (c.startedAt ?? c.createdAt).toISOString(), ...stats(r, this.#tracker.record(c.id, r)) });
      }
      pods.push({ podRef: { name: sb.name, namespace: sb.namespace, uid: sb.uid }, startTime: sb.createdAt.toISOString(), containers: cs });
    }
    this.counts = { pods: sandboxes.length, containers: containers.length };
    this.#tracker.retain([NODE_KEY, ...readings.filter(x => x.r).map(x => x.c.id)]);
    return { node, pods };
  }
}
