/**
 * The scheduler's Prometheus metrics, with kube-scheduler's names: attempts and their
 * duration by result, and pending pods per queue (read at scrape time). They live in
 * the registry of whoever serves /metrics (the API server's, in `kubeling server`).
 */
import { Counter, Histogram, MetricsRegistry, type CounterSeries, type HistogramSeriesHandle } from '../metrics/index.js';

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
    this.#algorithm = this.algorithmDuration.series();
    const result = (r: AttemptResult) => ({
      count: this.attempts.series({ result: r, profile }), duration: this.attemptDuration.series({ result: r, profile }),
    });
    this.#results = { scheduled: result('scheduled'), unschedulable: result('unschedulable'), error: result('error') };
  }

  /** The synchronous cycle (filter, score, select) took since `startMs`. */
  algorithm(startMs: number): void {
    this.#algorithm.observe((performance.now() - startMs) / 1000);
  }

  /** An extension point's plugins ran since `startMs` (Bind: the pods/binding write). */
  extensionPoint(point: string, status: string, startMs: number): void {
    const k = `${point}/${status}`;
    let h = this.#points.get(k);
    if (!h) this.#points.set(k, h = this.extensionPointDuration.series({ extension_point: point, status, profile: this.profile }));
    h.observe((performance.now() - startMs) / 1000);
  }

  /** One attempt ended with `result`; `startMs` is when its cycle began (performance.now()). */
  attempt(result: AttemptResult, startMs: number): void {
    const s = this.#results[result];
    s.count.inc();
    s.duration.observe((performance.now() - startMs) / 1000);
  }

  // Series handles, their label keys built once (four observations per pod scheduled).
  readonly #algorithm: HistogramSeriesHandle;
  readonly #points = new Map<string, HistogramSeriesHandle>();
  readonly #results: Record<AttemptResult, { count: CounterSeries; duration: HistogramSeriesHandle }>;
}
