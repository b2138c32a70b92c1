/**
 * metrics.k8s.io/v1beta1 objects from cgroup readings, as metrics-server builds them:
 * CPU is the rate between two cumulative readings (nanocores), memory the working set
 * of the later one; `window` is the time between the readings. Pure functions.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { goDuration } from '../../api/protobuf/special.js';
import type { CgroupReading } from './cgroup.js';

export const METRICS_API_VERSION = 'metrics.k8s.io/v1beta1';

export interface Usage {
  cpuNanoCores: number;
  memoryWorkingSetBytes: number;
  /** Milliseconds between the two readings. */
  windowMs: number;
  /** The later reading's time. */
  timestamp: Date;
}

export interface ResourceList { cpu: string; memory: string }

export interface NodeMetrics {
  kind: 'NodeMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  usage: ResourceList;
}

export interface ContainerMetrics { name: string; usage: ResourceList }

export interface PodMetrics {
  kind: 'PodMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}

/**
 * Usage between two readings of one cgroup; undefined when they cannot give a rate
 * (same instant, or the counter went back: the cgroup was recreated).
 */
export function usageBetween(prev: CgroupReading, cur: CgroupReading): Usage | undefined {
  const ms = cur.time.getTime() - prev.time.getTime();
  const cpu = cur.cpuUsageNanoSeconds - prev.cpuUsageNanoSeconds;
  if (ms <= 0 || cpu < 0) return undefined;
  return { cpuNanoCores: Math.round(cpu / (ms / 1000)), memoryWorkingSetBytes: cur.memoryWorkingSetBytes, windowMs: ms, timestamp: cur.time };
}

/** Canonical DecimalSI of nanocores, exact like resource.NewScaledQuantity(n, Nano): "2", "250m", "1500u", "123456789n". */
export function formatCpu(nanoCores: number): string {
  const n = Math.max(0, Math.round(nanoCores));
  if (n === 0) return '0';
  if (n % 1e9 === 0) return String(n / 1e9);
  if (n % 1e6 === 0) return `${n / 1e6}m`;
  if (n % 1e3 === 0) return `${n / 1e3}u`;
  return `${n}n`;
}

/** Canonical BinarySI of bytes: the largest power-of-1024 suffix that divides evenly ("1234Ki", "3Mi", "1000"). */
export function formatMemory(bytes: number): string {
  let n = Math.max(0, Math.round(bytes));
  if (n === 0) return '0';
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let i = 0;
  while (i < suffixes.length - 1 && n % 1024 === 0) { n /= 1024; i++; }
  return `${n}${suffixes[i]}`;
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const window = (ms: number) => goDuration(BigInt(Math.round(ms)) * 1_000_000n);
const resources = (u: Usage): ResourceList => ({ cpu: formatCpu(u.cpuNanoCores), memory: formatMemory(u.memoryWorkingSetBytes) });

export function nodeMetrics(node: { name: string; labels?: Record<string, string> }, u: Usage, now = new Date()): NodeMetrics {
  return {
    kind: 'NodeMetrics', apiVersion: METRICS_API_VERSION,
    metadata: { name: node.name, creationTimestamp: rfc3339(now), ...(node.labels ? { labels: node.labels } : {}) },
    timestamp: rfc3339(u.timestamp), window: window(u.windowMs), usage: resources(u),
  };
}

/** A pod's metrics from its containers' usages; timestamp = the latest, window = the longest. */
export function podMetrics(
  pod: { namespace: string; name: string; labels?: Record<string, string> }, containers: { name: string; usage: Usage }[], now = new Date(),
): PodMetrics {
  const ts = containers.reduce((t, c) => Math.max(t, c.usage.timestamp.getTime()), 0);
  const win = containers.reduce((w, c) => Math.max(w, c.usage.windowMs), 0);
  return {
    kind: 'PodMetrics', apiVersion: METRICS_API_VERSION,
    metadata: { name: pod.name, namespace: pod.namespace, creationTimestamp: rfc3339(now), ...(pod.labels ? { labels: pod.labels } : {}) },
    timestamp: rfc3339(new Date(ts || now.getTime())), window: window(win),
    containers: containers.map(c => ({ name: c.name, usage: resources(c.usage) })),
  };
}
