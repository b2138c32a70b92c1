/**
 * The API server's metrics, with upstream's names, labels, help texts and buckets
 * (k8s.io/apiserver/pkg/endpoints/metrics); the store's latency is upstream's
 * etcd_request_duration_seconds under our own name.
 */
import {
  Counter, Gauge, Histogram, MetricsRegistry, type CounterSeries, type GaugeSeries, type HistogramSeriesHandle, type LabelValues,
} from '../../metrics/index.js';

type RequestLabel = 'verb' | 'dry_run' | 'group' | 'version' | 'resource' | 'subresource' | 'scope' | 'component';

/** What a request is, for its labels. `verb` as metricVerb() returns it. */
export interface RequestInfo {
  verb: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  /** 'resource' (one object), 'namespace' (a namespaced collection) or 'cluster'. */
  scope?: string;
  dryRun?: boolean;
}

const REQUEST_LABELS: RequestLabel[] = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];
const LATENCY_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const STORE_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 10, 15, 20, 30, 45, 60];

/**
 * Upstream's verb label: LIST for a collection GET, WATCH, APPLY for server-side apply,
 * DELETECOLLECTION, CONNECT for exec/attach/portforward/proxy, else the HTTP method.
 */
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

export function metricVerb(method: string, r: { collection?: boolean; watch?: boolean; subresource?: string; contentType?: string }): string {
  const m = method.toUpperCase();
  if (r.subresource && CONNECT_SUBRESOURCES.has(r.subresource)) return 'CONNECT';
  if (m === 'GET' && r.watch) return 'WATCH';
  if (m === 'GET' && r.collection) return 'LIST';
  if (m === 'DELETE' && r.collection) return 'DELETECOLLECTION';
  if (m === 'PATCH' && r.contentType?.startsWith('application/apply-patch')) return 'APPLY';
  return m;
}

const LONG_RUNNING = new Set(['WATCH', 'CONNECT']);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION']);

/** The series one kind of request touches, resolved once per label set (every request pays for these). */
interface RequestSeries {
  labels: LabelValues<RequestLabel>;
  long: boolean;
  /** Long-running gauge or in-flight gauge, by `long`. */
  gauge: GaugeSeries;
  latency: HistogramSeriesHandle;
  codes: Map<number, CounterSeries>;
}

export class ApiServerMetrics {
  readonly registry = new MetricsRegistry();
  readonly requests: Counter<RequestLabel | 'code'> = this.registry.counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    labelNames: [...REQUEST_LABELS, 'code'],
  });
  readonly latency: Histogram<RequestLabel> = this.registry.histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    labelNames: REQUEST_LABELS, buckets: LATENCY_BUCKETS,
  });
  readonly longRunning: Gauge<RequestLabel> = this.registry.gauge({
    name: 'apiserver_longrunning_requests',
    help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
    labelNames: REQUEST_LABELS,
  });
  readonly inflight: Gauge<'request_kind'> = this.registry.gauge({
    name: 'apiserver_current_inflight_requests',
    help: 'Number of requests being served right now, per request kind (mutating or readOnly); upstream reports the maximum of the last second.',
    labelNames: ['request_kind'],
  });
  readonly watchers: Gauge<'group' | 'version' | 'kind'> = this.registry.gauge({
    name: 'apiserver_registered_watchers',
    help: 'Number of currently registered watchers for a given resources',
    labelNames: ['group', 'version', 'kind'],
  });
  readonly store: Histogram<'operation' | 'type'> = this.registry.histogram({
    name: 'kubeling_store_request_duration_seconds',
    help: 'Store request latency in seconds for each operation and object type (upstream: etcd_request_duration_seconds).',
    labelNames: ['operation', 'type'], buckets: STORE_BUCKETS,
  });

  /**
   * Call when a request starts; call the returned function with the response code when
   * it ends. Long-running requests (WATCH, CONNECT) count in the gauge while they last
   * and stay out of the latency histogram, as upstream.
   */
  startRequest(r: RequestInfo): (code: number) => void {
    const s = this.#requestSeries(r);
    s.gauge.inc();
    const t0 = process.hrtime.bigint();
    let done = false;
    return code => {
      if (done) return;
      done = true;
      let c = s.codes.get(code);
      if (!c) s.codes.set(code, c = this.requests.series({ ...s.labels, code: String(code) }));
      c.inc();
      s.gauge.dec();
      if (!s.long) s.latency.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    };
  }

  readonly #requestSeriesById = new Map<string, RequestSeries>();

  #requestSeries(r: RequestInfo): RequestSeries {
    const dryRun = r.dryRun ? 'All' : '';
    // Label values hold no newline (verbs, groups, versions, resource and scope names).
    const id = `${r.verb}\n${dryRun}\n${r.group}\n${r.version}\n${r.resource}\n${r.subresource}\n${r.scope}`;
    let s = this.#requestSeriesById.get(id);
    if (!s) {
      const labels = {
        verb: r.verb, dry_run: dryRun, group: r.group ?? '', version: r.version ?? '',
        resource: r.resource ?? '', subresource: r.subresource ?? '', scope: r.scope ?? '', component: 'apiserver',
      };
      const long = LONG_RUNNING.has(r.verb);
      s = {
        labels, long, codes: new Map(), latency: this.latency.series(labels),
        gauge: long ? this.longRunning.series(labels) : this.inflight.series({ request_kind: MUTATING.has(r.verb) ? 'mutating' : 'readOnly' }),
      };
      this.#requestSeriesById.set(id, s);
    }
    return s;
  }

  /** A watch was registered; call the returned function when it ends. */
  watchStarted(group: string, version: string, kind: string): () => void {
    const l = { group, version, kind };
    this.watchers.inc(l);
    let done = false;
    return () => { if (!done) { done = true; this.watchers.dec(l); } };
  }

  /** Times one store call (operation: get, list, create, update, delete, watch; type: the resource). */
  timeStore<T>(operation: string, type: string, fn: () => Promise<T>): Promise<T> {
    const id = `${operation} ${type}`; // operations have no spaces
    let h = this.#storeSeries.get(id);
    if (!h) this.#storeSeries.set(id, h = this.store.series({ operation, type }));
    const t0 = process.hrtime.bigint();
    const observe = () => { h.observe(Number(process.hrtime.bigint() - t0) / 1e9); };
    // No async wrapper (every store call pays for this): the caller gets fn's own promise.
    let p: Promise<T>;
    try {
      p = fn();
    } catch (e) {
      observe();
      return Promise.reject(e);
    }
    p.then(observe, observe);
    return p;
  }

  readonly #storeSeries = new Map<string, HistogramSeriesHandle>();

  render(): string { return this.registry.render(); }
}
