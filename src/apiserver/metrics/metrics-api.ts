/**
 * The API server's side of metrics.k8s.io/v1beta1 (what metrics-server serves for
 * `kubectl top`): discovery entries and the lists it answers with, built from the
 * NodeMetrics/PodMetrics objects the node agents report. Structural types only, so
 * this room does not depend on the node's.
 */
export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';

/** APIResourceList.resources of metrics.k8s.io/v1beta1, as metrics-server registers them. */
export const METRICS_API_RESOURCES = [
  { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
  { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
] as const;

export interface MetricsItem {
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
}

export interface MetricsListOptions {
  /** Only this namespace (pods). */
  namespace?: string;
  /** Label selector, already compiled by the caller's selector code. */
  matches?: (labels: Record<string, string>) => boolean;
}

export interface MetricsList<T> {
  kind: 'NodeMetricsList' | 'PodMetricsList';
  apiVersion: 'metrics.k8s.io/v1beta1';
  metadata: Record<string, never>;
  items: T[];
}

function select<T extends MetricsItem>(items: readonly T[], o: MetricsListOptions): T[] {
  return items
    .filter(i => o.namespace === undefined || i.metadata.namespace === o.namespace)
    .filter(i => !o.matches || o.matches(i.metadata.labels ?? {}))
    .sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

export function nodeMetricsList<T extends MetricsItem>(items: readonly T[], o: MetricsListOptions = {}): MetricsList<T> {
  return { kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: select(items, { matches: o.matches }) };
}

export function podMetricsList<T extends MetricsItem>(items: readonly T[], o: MetricsListOptions = {}): MetricsList<T> {
  return { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: select(items, o) };
}

/** The 404 metrics-server gives for an object without metrics (yet). */
export function metricsNotFound(resource: 'nodes' | 'pods', name: string): { kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, never>; status: 'Failure'; message: string; reason: 'NotFound'; details: { name: string; group: string; kind: string }; code: 404 } {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${resource}.metrics.k8s.io "${name}" not found`,
    reason: 'NotFound', details: { name, group: METRICS_GROUP, kind: resource }, code: 404,
  };
}
