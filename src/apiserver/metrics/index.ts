/** The API server's metrics and the metrics.k8s.io lists (the registry itself is in src/metrics). */
export { ApiServerMetrics, metricVerb, type RequestInfo } from './apiserver.js';
export {
  METRICS_API_RESOURCES, METRICS_GROUP, METRICS_VERSION, metricsNotFound, nodeMetricsList, podMetricsList,
  type MetricsItem, type MetricsList, type MetricsListOptions,
} from './metrics-api.js';
export { serveMetricsApi, type ResourceMetricsSource } from './metrics-handler.js';
export { instrumentRequest, storeType, timedStore } from './instrument.js';
