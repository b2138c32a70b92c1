/** The Prometheus registry, API server and kubelet metrics, read back by a strict parser (and promtool when installed). */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ApiServerMetrics, metricVerb } from '../../src/apiserver/metrics/index.js';
import { Counter, Gauge, Histogram, MetricDefinitionError, MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from '../../src/metrics/index.js';
import { KubeletMetrics } from '../../src/node/metrics/index.js';
import { parseExposition } from './exposition.js';

const promtool = (() => { try { execFileSync('promtool', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } })();

/** promtool's own parser and linter, when Debian's prometheus package is installed. */
function promtoolCheck(text: string): void {
  if (!promtool) return;
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
}

describe('Prometheus registry', () => {
  it('renders HELP, TYPE and samples; families without samples are left out', () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 'jobs_total', help: 'Jobs done.', labelNames: ['kind', 'code'] });
    r.gauge({ name: 'empty_gauge', help: 'never set', labelNames: ['x'] });
    const g = r.gauge({ name: 'temperature_celsius', help: 'Now.' });
    c.inc({ kind: 'a', code: '200' });
    c.inc({ kind: 'a', code: '200' }, 2);
    c.inc({ kind: 'b' });
    g.set(undefined, -3.5);
    assert.equal(r.render(), [
      '# HELP jobs_total Jobs done.', '# TYPE jobs_total counter',
      'jobs_total{kind="a",code="200"} 3', 'jobs_total{kind="b",code=""} 1',
      '# HELP temperature_celsius Now.', '# TYPE temperature_celsius gauge', 'temperature_celsius -3.5', '',
    ].join('\n'));
    assert.equal(PROMETHEUS_CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
  });

  it('escapes label values and help text', () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 'weird_total', help: 'back\\slash and\nnewline', labelNames: ['v'] });
    const nasty = 'quote " backslash \\ newline \n end';
    c.inc({ v: nasty });
    const text = r.render();
    assert.match(text, /^# HELP weird_total back\\\\slash and\\nnewline$/m);
    assert.match(text, /^weird_total\{v="quote \\" backslash \\\\ newline \\n end"\} 1$/m);
    const f = parseExposition(text).get('weird_total')!;
    assert.equal(f.help, 'back\\slash and\nnewline');
    assert.equal(f.samples[0]!.labels.v, nasty);
    promtoolCheck(text);
  });

  it('histograms: cumulative buckets, +Inf, _sum and _count per label set', () => {
    const h = new Histogram({ name: 'op_duration_seconds', help: 'Op time.', labelNames: ['op'], buckets: [0.1, 1, 10] });
    for (const v of [0.05, 0.1, 0.5, 3, 30]) h.observe({ op: 'get' }, v);
    h.observe({ op: 'put' }, 0.2);
    const r = new MetricsRegistry();
    r.register(h);
    const text = r.render();
    assert.match(text, /op_duration_seconds_bucket\{op="get",le="0.1"\} 2\nop_duration_seconds_bucket\{op="get",le="1"\} 3\nop_duration_seconds_bucket\{op="get",le="10"\} 4\nop_duration_seconds_bucket\{op="get",le="\+Inf"\} 5\nop_duration_seconds_sum\{op="get"\} 33.65\nop_duration_seconds_count\{op="get"\} 5\n/);
    const fam = parseExposition(text).get('op_duration_seconds')!;
    assert.equal(fam.type, 'histogram');
    assert.equal(fam.samples.length, 12);
    assert.deepEqual(h.get({ op: 'put' }), { count: 1, sum: 0.2 });
    promtoolCheck(text);
  });

  it('special values print as Prometheus reads them', () => {
    const g = new Gauge({ name: 'g', help: 'h', labelNames: ['k'] });
    g.set({ k: 'inf' }, Infinity);
    g.set({ k: 'ninf' }, -Infinity);
    g.set({ k: 'nan' }, NaN);
    g.set({ k: 'big' }, 1e21);
    g.set({ k: 'small' }, 1.5e-7);
    const s = parseExposition(`# HELP g h\n# TYPE g gauge\n${g.samples()}`).get('g')!.samples;
    assert.deepEqual(s.map(x => x.value), [Infinity, -Infinity, NaN, 1e21, 1.5e-7]);
  });

  it('series handles count into the same samples as labelled calls, and appear only once used', () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 'reqs_total', help: 'h', labelNames: ['verb', 'code'] });
    const g = r.gauge({ name: 'inflight', help: 'h', labelNames: ['kind'] });
    const h = r.histogram({ name: 'lat_seconds', help: 'h', labelNames: ['verb'], buckets: [0.1, 1] });
    const post = c.series({ verb: 'POST', code: '201' });
    const unused = c.series({ verb: 'GET', code: '200' });
    const mut = g.series({ kind: 'mutating' });
    const hp = h.series({ verb: 'POST' });
    assert.equal(r.render(), '', 'no samples before first use');
    post.inc();
    c.inc({ verb: 'POST', code: '201' }, 2);
    mut.inc(); mut.inc(); mut.dec();
    hp.observe(0.05); h.observe({ verb: 'POST' }, 0.5); hp.observe(5);
    assert.equal(c.get({ verb: 'POST', code: '201' }), 3);
    assert.equal(g.get({ kind: 'mutating' }), 1);
    assert.deepEqual(h.get({ verb: 'POST' }), { count: 3, sum: 5.55 });
    const text = r.render();
    assert.doesNotMatch(text, /GET/, 'a series never used leaves no sample');
    assert.match(text, /^reqs_total\{verb="POST",code="201"\} 3$/m);
    assert.match(text, /^lat_seconds_bucket\{verb="POST",le="0.1"\} 1\nlat_seconds_bucket\{verb="POST",le="1"\} 2\nlat_seconds_bucket\{verb="POST",le="\+Inf"\} 3$/m);
    unused.inc(0);
    assert.match(r.render(), /^reqs_total\{verb="GET",code="200"\} 0$/m);
    assert.throws(() => post.inc(-1), MetricDefinitionError);
    assert.throws(() => c.series({ nope: 'x' } as never), MetricDefinitionError);
    promtoolCheck(r.render());
  });

  it('rejects bad definitions and uses', () => {
    const cases: [string, () => unknown][] = [
      ['bad name', () => new Counter({ name: '1abc', help: '' })],
      ['bad label', () => new Counter({ name: 'a', help: '', labelNames: ['bad-label'] })],
      ['reserved label', () => new Counter({ name: 'a', help: '', labelNames: ['__x'] })],
      ['le on a histogram', () => new Histogram({ name: 'a', help: '', labelNames: ['le'] })],
      ['unsorted buckets', () => new Histogram({ name: 'a', help: '', buckets: [1, 0.5] })],
      ['unknown label', () => new Counter<'a'>({ name: 'x', help: '', labelNames: ['a'] }).inc({ b: '1' } as never)],
      ['negative counter', () => new Counter({ name: 'x', help: '' }).inc(undefined, -1)],
      ['registered twice', () => { const r = new MetricsRegistry(); r.counter({ name: 'x', help: '' }); r.counter({ name: 'x', help: '' }); }],
    ];
    for (const [what, f] of cases) assert.throws(f, MetricDefinitionError, what);
  });
});

describe('API server metrics', () => {
  it('verbs as upstream reports them', () => {
    const cases: [string, Parameters<typeof metricVerb>[1], string][] = [
      ['GET', {}, 'GET'], ['GET', { collection: true }, 'LIST'], ['GET', { collection: true, watch: true }, 'WATCH'],
      ['POST', { collection: true }, 'POST'], ['DELETE', { collection: true }, 'DELETECOLLECTION'], ['DELETE', {}, 'DELETE'],
      ['PATCH', { contentType: 'application/apply-patch+yaml' }, 'APPLY'], ['PATCH', { contentType: 'application/merge-patch+json' }, 'PATCH'],
      ['GET', { subresource: 'exec' }, 'CONNECT'], ['POST', { subresource: 'portforward' }, 'CONNECT'], ['GET', { subresource: 'log' }, 'GET'],
    ];
    for (const [m, r, want] of cases) assert.equal(metricVerb(m, r), want, `${m} ${JSON.stringify(r)}`);
  });

  it('requests, latencies, long-running gauge, watchers and store timings', async () => {
    const m = new ApiServerMetrics();
    const pods = { group: '', version: 'v1', resource: 'pods', scope: 'namespace' };
    m.startRequest({ verb: 'LIST', ...pods })(200);
    m.startRequest({ verb: 'POST', ...pods })(201);
    m.startRequest({ verb: 'POST', ...pods })(409);
    const watchDone = m.startRequest({ verb: 'WATCH', ...pods });
    const unwatch = m.watchStarted('', 'v1', 'Pod');
    await m.timeStore('list', '/registry/pods', async () => 1);
    await assert.rejects(m.timeStore('get', '/registry/pods', async () => { throw new Error('boom'); }));
    let fams = parseExposition(m.render());
    const sample = (name: string, labels: Record<string, string>) =>
      [...fams.values()].flatMap(f => f.samples).find(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    assert.equal(sample('apiserver_request_total', { verb: 'POST', code: '409', resource: 'pods', component: 'apiserver' }), 1);
    assert.equal(sample('apiserver_request_duration_seconds_count', { verb: 'LIST', resource: 'pods' }), 1);
    assert.equal(sample('apiserver_longrunning_requests', { verb: 'WATCH', resource: 'pods' }), 1);
    assert.equal(sample('apiserver_registered_watchers', { kind: 'Pod', version: 'v1' }), 1);
    assert.equal(sample('kubeling_store_request_duration_seconds_count', { operation: 'get' }), 1);
    assert.equal(sample('apiserver_current_inflight_requests', { request_kind: 'mutating' }), 0);
    promtoolCheck(m.render());
    watchDone(200);
    watchDone(200); // idempotent
    unwatch();
    fams = parseExposition(m.render());
    assert.equal(sample('apiserver_longrunning_requests', { verb: 'WATCH' }), 0);
    assert.equal(sample('apiserver_request_total', { verb: 'WATCH', code: '200' }), 1);
    assert.equal(sample('apiserver_request_duration_seconds_count', { verb: 'WATCH' }), undefined, 'long-running requests stay out of latency');
    assert.equal(sample('apiserver_registered_watchers', { kind: 'Pod' }), 0);
  });
});

describe('kubelet metrics', () => {
  it('pod start histogram, counts taken at scrape time', () => {
    let running = 2;
    const k = new KubeletMetrics({ runningPods: () => running, containersByState: () => ({ running: 3, exited: 1 }) });
    k.podStarted(new Date(Date.now() - 1500));
    k.containerStarted();
    k.containerStarted('init_container');
    running = 5;
    const text = k.render();
    const fams = parseExposition(text);
    assert.equal(fams.get('kubelet_running_pods')!.samples[0]!.value, 5);
    assert.deepEqual(fams.get('kubelet_running_containers')!.samples.map(s => [s.labels.container_state, s.value]), [['running', 3], ['exited', 1]]);
    const h = fams.get('kubelet_pod_start_duration_seconds')!;
    assert.equal(h.type, 'histogram');
    assert.equal(h.samples.find(s => s.labels.le === '1')!.value, 0);
    assert.equal(h.samples.find(s => s.labels.le === '2')!.value, 1);
    assert.equal(fams.get('kubelet_started_containers_total')!.samples.length, 2);
    promtoolCheck(text);
  });
});
