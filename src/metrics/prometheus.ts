/**
 * A tiny Prometheus registry: counters, gauges and histograms with labels, rendered in
 * the text exposition format 0.0.4 (`# HELP`, `# TYPE`, escaped label values,
 * cumulative `_bucket{le=…}` plus `_sum` and `_count`). Imports nothing of ours, so any
 * component can use it.
 *
 * Families without samples are left out, like client_golang. Label sets are rendered in
 * first-use order.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricDefinitionError extends Error {
  readonly code = 'KL_METRIC_DEFINITION';
}

export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export type LabelValues<L extends string> = Partial<Record<L, string>>;

/** HELP text: backslash and newline escaped. */
export const escapeHelp = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const NEEDS_ESCAPE = /[\\"\n]/;
/** Label values: backslash, double quote and newline escaped. */
export const escapeLabelValue = (s: string): string =>
  NEEDS_ESCAPE.test(s) ? s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : s;

/** Go's float formatting as Prometheus parses it: +Inf, -Inf, NaN, shortest round-trip digits. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

abstract class Metric<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  abstract readonly type: 'counter' | 'gauge' | 'histogram';

  constructor(o: MetricOptions<L>) {
    if (!NAME.test(o.name)) throw new MetricDefinitionError(`invalid metric name "${o.name}"`);
    for (const l of o.labelNames ?? []) {
      if (!LABEL.test(l) || l.startsWith('__') || l === 'le') throw new MetricDefinitionError(`invalid label name "${l}" on ${o.name}`);
    }
    this.name = o.name;
    this.help = o.help;
    this.labelNames = o.labelNames ?? [];
  }

  /** A stable key and the rendered `k="v",…` for a label set (missing labels are ""). */
  protected key(labels: LabelValues<L> | undefined): string {
    const names = this.labelNames;
    if (labels) {
      for (const k in labels) {
        if (!names.includes(k as L)) throw new MetricDefinitionError(`unknown label "${k}" on ${this.name}`);
      }
    }
    let out = '';
    for (let i = 0; i < names.length; i++) {
      const v = labels?.[names[i]!];
      out += `${i ? ',' : ''}${names[i]}="${v === undefined ? '' : escapeLabelValue(v)}"`;
    }
    return out;
  }

  protected static sample(name: string, labels: string, value: number): string {
    return `${name}${labels ? `{${labels}}` : ''} ${formatValue(value)}\n`;
  }

  abstract samples(): string;

  render(): string {
    const s = this.samples();
    return s ? `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n${s}` : '';
  }
}

/** A counter's value for one label set, resolved once (client_golang's WithLabelValues). */
export interface CounterSeries { inc(by?: number): void }
/** A gauge's value for one label set, resolved once. */
export interface GaugeSeries { inc(by?: number): void; dec(by?: number): void; set(v: number): void }
/** A histogram's series for one label set, resolved once. */
export interface HistogramSeriesHandle { observe(v: number): void }

interface Cell { v: number }

/**
 * The cell of label set `k`, entered into `values` on first use (a series handle that is
 * never used leaves no sample, as a label set never passed to inc()).
 */
function cellOf(values: Map<string, Cell>, k: string): Cell {
  let c = values.get(k);
  if (!c) values.set(k, c = { v: 0 });
  return c;
}

export class Counter<L extends string = never> extends Metric<L> {
  readonly type = 'counter';
  readonly #values = new Map<string, Cell>();

  inc(labels?: LabelValues<L>, by = 1): void {
    if (by < 0) throw new MetricDefinitionError(`counter ${this.name} cannot decrease`);
    cellOf(this.#values, this.key(labels)).v += by;
  }

  /** The series of one label set, for code that counts it often: its key is built once. */
  series(labels?: LabelValues<L>): CounterSeries {
    const k = this.key(labels);
    let cell: Cell | undefined;
    return {
      inc: (by = 1) => {
        if (by < 0) throw new MetricDefinitionError(`counter ${this.name} cannot decrease`);
        (cell ??= cellOf(this.#values, k)).v += by;
      },
    };
  }

  get(labels?: LabelValues<L>): number { return this.#values.get(this.key(labels))?.v ?? 0; }

  samples(): string {
    let out = '';
    for (const [k, c] of this.#values) out += Metric.sample(this.name, k, c.v);
    return out;
  }
}

export interface GaugeOptions<L extends string> extends MetricOptions<L> {
  /** Computes the value(s) at scrape time instead of set()/inc() (e.g. running pods). */
  collect?: () => number | { labels: LabelValues<L>; value: number }[];
}

export class Gauge<L extends string = never> extends Metric<L> {
  readonly type = 'gauge';
  readonly #values = new Map<string, Cell>();
  readonly #collect?: GaugeOptions<L>['collect'];

  constructor(o: GaugeOptions<L>) {
    super(o);
    this.#collect = o.collect;
  }

  set(labels: LabelValues<L> | undefined, v: number): void { cellOf(this.#values, this.key(labels)).v = v; }
  inc(labels?: LabelValues<L>, by = 1): void { cellOf(this.#values, this.key(labels)).v += by; }
  dec(labels?: LabelValues<L>, by = 1): void { this.inc(labels, -by); }
  get(labels?: LabelValues<L>): number { return this.#values.get(this.key(labels))?.v ?? 0; }

  /** The series of one label set, for code that changes it often: its key is built once. */
  series(labels?: LabelValues<L>): GaugeSeries {
    const k = this.key(labels);
    let cell: Cell | undefined;
    return {
      inc: (by = 1) => { (cell ??= cellOf(this.#values, k)).v += by; },
      dec: (by = 1) => { (cell ??= cellOf(this.#values, k)).v -= by; },
      set: v => { (cell ??= cellOf(this.#values, k)).v = v; },
    };
  }

  samples(): string {
    if (this.#collect) {
      const c = this.#collect();
      const rows = typeof c === 'number' ? [{ labels: {} as LabelValues<L>, value: c }] : c;
      return rows.map(r => Metric.sample(this.name, this.key(r.labels), r.value)).join('');
    }
    let out = '';
    for (const [k, c] of this.#values) out += Metric.sample(this.name, k, c.v);
    return out;
  }
}

/** Prometheus client defaults. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, ascending; +Inf is implied. */
  buckets?: readonly number[];
}

interface HistogramSeries { counts: number[]; sum: number; count: number }

export class Histogram<L extends string = never> extends Metric<L> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(o: HistogramOptions<L>) {
    super(o);
    const b = [...(o.buckets ?? DEFAULT_BUCKETS)].filter(x => x !== Infinity);
    if (b.some((x, i) => i > 0 && x <= b[i - 1]!)) throw new MetricDefinitionError(`buckets of ${o.name} must increase`);
    this.buckets = b;
  }

  observe(labels: LabelValues<L> | undefined, v: number): void {
    this.#add(this.#seriesOf(this.key(labels)), v);
  }

  /** The series of one label set, for code that observes it often: its key is built once. */
  series(labels?: LabelValues<L>): HistogramSeriesHandle {
    const k = this.key(labels);
    let s: HistogramSeries | undefined;
    return { observe: v => this.#add(s ??= this.#seriesOf(k), v) };
  }

  #seriesOf(k: string): HistogramSeries {
    let s = this.#series.get(k);
    if (!s) this.#series.set(k, s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 });
    return s;
  }

  #add(s: HistogramSeries, v: number): void {
    // Cumulative at render time; here only the first bucket that holds v counts it.
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) { s.counts[i]!++; break; }
    }
    s.sum += v;
    s.count++;
  }

  /** Starts a timer; the returned function observes the elapsed seconds. */
  startTimer(labels?: LabelValues<L>): () => number {
    const t0 = process.hrtime.bigint();
    return () => {
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      this.observe(labels, secs);
      return secs;
    };
  }

  /** Observations so far of one label set: count and sum. */
  get(labels?: LabelValues<L>): { count: number; sum: number } {
    const s = this.#series.get(this.key(labels));
    return { count: s?.count ?? 0, sum: s?.sum ?? 0 };
  }

  samples(): string {
    let out = '';
    for (const [k, s] of this.#series) {
      const sep = k ? ',' : '';
      let cum = 0;
      this.buckets.forEach((b, i) => {
        cum += s.counts[i]!;
        out += Metric.sample(`${this.name}_bucket`, `${k}${sep}le="${formatValue(b)}"`, cum);
      });
      out += Metric.sample(`${this.name}_bucket`, `${k}${sep}le="+Inf"`, s.count);
      out += Metric.sample(`${this.name}_sum`, k, s.sum);
      out += Metric.sample(`${this.name}_count`, k, s.count);
    }
    return out;
  }
}

export type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/** A set of metrics rendered together; names are unique. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, AnyMetric>();

  register<M extends AnyMetric>(m: M): M {
    if (this.#metrics.has(m.name)) throw new MetricDefinitionError(`metric ${m.name} registered twice`);
    this.#metrics.set(m.name, m);
    return m;
  }

  counter<L extends string = never>(o: MetricOptions<L>): Counter<L> { return this.register(new Counter<L>(o)); }
  gauge<L extends string = never>(o: GaugeOptions<L>): Gauge<L> { return this.register(new Gauge<L>(o)); }
  histogram<L extends string = never>(o: HistogramOptions<L>): Histogram<L> { return this.register(new Histogram<L>(o)); }

  /** Expositions rendered elsewhere (a worker thread's registry), appended after ours. */
  readonly #collectors: Array<() => string> = [];

  /** Appends what `render` returns to every exposition (families it names must not be ours). */
  addCollector(render: () => string): void { this.#collectors.push(render); }

  /** The whole exposition, families in registration order. */
  render(): string {
    let out = '';
    for (const m of this.#metrics.values()) out += m.render();
    for (const c of this.#collectors) out += c();
    return out;
  }
}
