/** Metrics: the Prometheus registry (any component may use it), the API server's metrics, metrics.k8s.io lists. */
export {
  Counter, DEFAULT_BUCKETS, escapeHelp, escapeLabelValue, formatValue, Gauge, Histogram, MetricDefinitionError, MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
} from './prometheus.js';
export type { AnyMetric, GaugeOptions, HistogramOptions, LabelValues, MetricOptions } from './prometheus.js';
export { ApiServerMetrics, metricVerb, type RequestInfo } from './apiserver.js';
export {
  METRICS_API_RESOURCES, METRICS_GROUP, METRICS_VERSION, metricsNotFound, nodeMetricsList, podMetricsList,
  type MetricsItem, type MetricsList, type MetricsListOptions,
} from './metrics-api.js';
