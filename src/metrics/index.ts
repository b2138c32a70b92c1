/**
 * The Prometheus registry every component uses for its /metrics (API server, scheduler,
 * node agent). A lowest room: it imports nothing of ours.
 */
export {
  Counter, DEFAULT_BUCKETS, escapeHelp, escapeLabelValue, formatValue, Gauge, Histogram, MetricDefinitionError, MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
} from './prometheus.js';
export type {
  AnyMetric, CounterSeries, GaugeOptions, GaugeSeries, HistogramOptions, HistogramSeriesHandle, LabelValues, MetricOptions,
} from './prometheus.js';
