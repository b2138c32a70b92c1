/**
 * The scheduler's Prometheus metrics, with kube-scheduler's names: attempts and their
 * duration by result, and pending pods per queue (read at scrape time). They live in
 * the registry of whoever serves /metrics (the API server's, in `kubeling server`).
 */
import { Counter, Histogram, MetricsRegistry } from '../metrics/index.js';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** prometheus.ExponentialBuckets(0.001, 2, 15), as upstream. */
const ATTEMPT_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);
/** prometheus.ExponentialBuckets(0.0001, 2, 12), as upstream. */
const EXTENSION_POINT_BUCKETS = Array.from({ length: 12 }, (_, i) => 0.0001 * 2 ** i);

export class SchedulerMetrics {
  readonly attempts: Counter<'result' | 'profile'>;
  readonly attemptDuration: Histogram<'result' | 'profile'>;
  readonly algorithmDuration: Histogram<never>;
  readonly extensionPointDuration: Histogram<'extension_point' | 'status' | 'profile'>;

  constructor(registry: MetricsRegistry, readonly profile: string, pending: () => { active: number; backoff: number; unschedulable: number }) {
    this.attempts = registry.counter({
      name: 'scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.',
      labelNames: ['result', 'profile'],
    });
    this.attemptDuration = registry.histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'], buckets: ATTEMPT_BUCKETS,
    });
    this.algorithmDuration = registry.histogram({
      name: 'scheduler_scheduling_algorithm_duration_seconds',
      help: 'Scheduling algorithm latency in seconds', labelNames: [], buckets: ATTEMPT_BUCKETS,
    });
    this.extensionPointDuration = registry.histogram({
      name: 'scheduler_framework_extension_point_duration_seconds',
      help: 'Latency for running all plugins of a specific extension point.',
      labelNames: ['extension_point', 'status', 'profile'], buckets: EXTENSION_POINT_BUCKETS,
    });
    registry.gauge<'queue'>({
      name: 'scheduler_pending_pods',
      help: 'Number of pending pods, by the queue type. \'active\' means number of pods in activeQ; \'backoff\' means number of pods in backoffQ; \'unschedulable\' means number of pods in unschedulablePods.',
      labelNames: ['queue'],
      collect: () => Object.entries(pending()).map(([queue, value]) => ({ labels: { queue }, value })),
    });
  }

  /** The synchronous cycle (filter, score, select) took since `startMs`. */
  algorithm(startMs: number): void {
    this.algorithmDuration.observe({}, (performance.now() - startMs) / 1000);
  }

  /** An extension point's plugins ran since `startMs` (Bind: the pods/binding write). */
  extensionPoint(point: string, status: string, startMs: number): void {
    this.extensionPointDuration.observe({ extension_point: point, status, profile: this.profile }, (performance.now() - startMs) / 1000);
  }

  /** One attempt ended with `result`; `startMs` is when its cycle began (performance.now()). */
  attempt(result: AttemptResult, startMs: number): void {
    this.attempts.inc({ result, profile: this.profile });
    this.attemptDuration.observe({ result, profile: this.profile }, (performance.now() - startMs) / 1000);
  }
}
