/** The agent's metrics: Prometheus (kubelet names), cgroup readings and metrics.k8s.io objects. */
export { KubeletMetrics, type KubeletMetricsSources } from './kubelet.js';
export { UsageTracker } from './usage-tracker.js';
export { CgroupReader, CgroupReadError, parseStatFile, workingSet, type CgroupReading } from './cgroup.js';
export {
  formatCpu, formatMemory, METRICS_API_VERSION, nodeMetrics, podMetrics, usageBetween,
  type ContainerMetrics, type NodeMetrics, type PodMetrics, type ResourceList, type Usage,
} from './resource-metrics.js';
export { PROMETHEUS_CONTENT_TYPE } from '../../metrics/index.js';
export { instrumentRuntime } from './instrument-runtime.js';
export { SAMPLE_INTERVAL_MS, StatsCollector, type ContainerStats, type CpuStats, type MemoryStats, type PodStats, type StatsOptions, type Summary } from './stats.js';
