/**
 * The agent's /metrics, with the kubelet's names, help texts and buckets
 * (pkg/kubelet/metrics). Counts of running pods and containers are taken at scrape
 * time from the callbacks, so they can never drift from the runtime's view.
 */
import { Counter, DEFAULT_BUCKETS, Gauge, Histogram, MetricsRegistry } from '../../metrics/index.js';

export interface KubeletMetricsSources {
  /** Pods with a running sandbox. */
  runningPods?: () => number;
  /** Containers by state: created, running, exited, unknown. */
  containersByState?: () => Partial<Record<'created' | 'running' | 'exited' | 'unknown', number>>;
}

/** prometheus.ExponentialBuckets(.005, 2.5, 14), as upstream. */
const RUNTIME_BUCKETS = Array.from({ length: 14 }, (_, i) => Number((0.005 * 2.5 ** i).toPrecision(12)));
const POD_START_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];

export class KubeletMetrics {
  readonly registry = new MetricsRegistry();
  readonly podStartDuration: Histogram = this.registry.histogram({
    name: 'kubelet_pod_start_duration_seconds',
    help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
    buckets: POD_START_BUCKETS,
  });
  readonly podWorkerDuration: Histogram<'operation_type'> = this.registry.histogram({
    name: 'kubelet_pod_worker_duration_seconds',
    help: 'Duration in seconds to sync a single pod. Broken down by operation type: create, update, or sync',
    labelNames: ['operation_type'], buckets: DEFAULT_BUCKETS,
  });
  readonly runtimeOps: Counter<'operation_type'> = this.registry.counter({
    name: 'kubelet_runtime_operations_total',
    help: 'Cumulative number of runtime operations by operation type.',
    labelNames: ['operation_type'],
  });
  readonly runtimeOpErrors: Counter<'operation_type'> = this.registry.counter({
    name: 'kubelet_runtime_operations_errors_total',
    help: 'Cumulative number of runtime operation errors by operation type.',
    labelNames: ['operation_type'],
  });
  readonly runtimeOpDuration: Histogram<'operation_type'> = this.registry.histogram({
    name: 'kubelet_runtime_operations_duration_seconds',
    help: 'Duration in seconds of runtime operations. Broken down by operation type.',
    labelNames: ['operation_type'], buckets: RUNTIME_BUCKETS,
  });
  readonly runningPods: Gauge;
  readonly runningContainers: Gauge<'container_state'>;
  readonly startedContainers: Counter<'container_type'> = this.registry.counter({
    name: 'kubelet_started_containers_total',
    help: 'Cumulative number of containers started',
    labelNames: ['container_type'],
  });
  readonly startedPods: Counter = this.registry.counter({
    name: 'kubelet_started_pods_total',
    help: 'Cumulative number of pods started',
  });

  constructor(src: KubeletMetricsSources = {}) {
    const pods = src.runningPods;
    const ctrs = src.containersByState;
    this.runningPods = this.registry.gauge({
      name: 'kubelet_running_pods',
      help: 'Number of pods that have a running pod sandbox',
      ...(pods ? { collect: () => pods() } : {}),
    });
    this.runningContainers = this.registry.gauge({
      name: 'kubelet_running_containers',
      help: 'Number of containers currently running',
      labelNames: ['container_state'],
      ...(ctrs ? { collect: () => Object.entries(ctrs()).map(([state, value]) => ({ labels: { container_state: state }, value: value ?? 0 })) } : {}),
    });
  }

  /** A pod first seen at `firstSeen` has all its containers running at `running`. */
  podStarted(firstSeen: Date, running: Date = new Date()): void {
    this.podStartDuration.observe(undefined, Math.max(0, running.getTime() - firstSeen.getTime()) / 1000);
    this.startedPods.inc();
  }

  /** container_type: container, init_container or ephemeral_container. */
  containerStarted(type: 'container' | 'init_container' | 'ephemeral_container' = 'container'): void {
    this.startedContainers.inc({ container_type: type });
  }

  /** Times one runtime call into the runtime_operations metrics. */
  async timeRuntime<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const stop = this.runtimeOpDuration.startTimer({ operation_type: op });
    this.runtimeOps.inc({ operation_type: op });
    try {
      return await fn();
    } catch (e) {
      this.runtimeOpErrors.inc({ operation_type: op });
      throw e;
    } finally {
      stop();
    }
  }

  render(): string { return this.registry.render(); }
}
