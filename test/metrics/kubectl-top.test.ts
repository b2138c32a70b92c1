/**
 * Metrics against a real `kubeling server` (startServer with scheduler, controllers and
 * the real agent) running a real busybox pod: `kubectl top nodes`, `kubectl top pods
 * --containers`, metrics.k8s.io discovery, and both /metrics endpoints (API server's,
 * and the agent's through nodes/proxy) read by promtool and a strict parser.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { eventually, NodeCluster, rootSkip } from '../node/cluster.js';
import { parseExposition, type Family } from './exposition.js';

const promtool = (() => { try { execFileSync('promtool', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } })();

/** Must parse strictly, and pass promtool's linter when installed (setup installs it). */
function checkExposition(text: string): Map<string, Family> {
  const fams = parseExposition(text);
  if (promtool) {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
  }
  return fams;
}

const sample = (fams: Map<string, Family>, name: string, labels: Record<string, string>) =>
  [...fams.values()].flatMap(f => f.samples).find(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

const POD = `apiVersion: v1
kind: Pod
metadata: {name: busy, labels: {app: busy}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: worker
    image: busybox
    command: ["sh", "-c", "while true; do i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; sleep 1; done"]
  - name: idler
    image: busybox
    command: ["sleep", "100000"]
`;

describe('metrics against a real server and pod', { skip: rootSkip }, () => {
  let c: NodeCluster;
  before(async () => {
    c = new NodeCluster();
    await c.start({ controllers: true, scheduler: true });
    await c.k(['apply', '-f', '-'], POD);
    await c.k(['wait', '--for=condition=Ready', 'pod/busy', '--timeout=60s']);
  });
  after(async () => {
    await c.kubectl(['delete', 'pod', 'busy', '--grace-period=0', '--force']);
    await c.destroy();
    assert.deepEqual(c.leftovers(), []);
  });

  it('metrics.k8s.io is in discovery (legacy and aggregated)', async () => {
    const res = JSON.parse(await c.k(['get', '--raw', '/apis/metrics.k8s.io/v1beta1']));
    assert.deepEqual(res.resources.map((r: { name: string; kind: string }) => `${r.name}:${r.kind}`), ['nodes:NodeMetrics', 'pods:PodMetrics']);
    const groups = JSON.parse(await c.k(['get', '--raw', '/apis'])).groups.map((g: { name: string }) => g.name);
    assert.ok(groups.includes('metrics.k8s.io'));
    const out = await c.k(['api-resources', '--api-group=metrics.k8s.io']);
    assert.match(out, /^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics$/m);
    assert.match(out, /^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics$/m);
  });

  it('kubectl top nodes', async () => {
    const out = await eventually(async () => { const r = await c.kubectl(['top', 'nodes']); return r.code === 0 && r.stdout; }, 60_000, 'top nodes');
    const [head, row] = out.trim().split('\n').map(l => l.trimEnd());
    assert.match(head!, /^NAME\s+CPU\(cores\)\s+CPU(%|\(%\))\s+MEMORY\(bytes\)\s+MEMORY(%|\(%\))$/);
    assert.match(row!, new RegExp(`^${c.nodeName}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%$`));
  });

  it('kubectl top pods --containers, and -l', async () => {
    const out = await eventually(async () => { const r = await c.kubectl(['top', 'pods', '--containers']); return r.code === 0 && r.stdout; }, 60_000, 'top pods');
    const rows = out.trim().split('\n').map(l => l.trimEnd());
    assert.match(rows[0]!, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)$/);
    assert.deepEqual(rows.slice(1).map(r => r.split(/\s+/).slice(0, 2).join('/')).sort(), ['busy/idler', 'busy/worker']);
    for (const r of rows.slice(1)) assert.match(r, /^busy\s+\w+\s+\d+m\s+\d+Mi$/);
    assert.match(await c.k(['top', 'pods', '-l', 'app=busy']), /^busy\s+\d+m\s+\d+Mi\s*$/m);
    const none = await c.kubectl(['top', 'pods', '-l', 'app=nothing']);
    assert.match(none.stderr, /No resources found in default namespace/);
  });

  it('PodMetrics get, and 404 for a pod without metrics', async () => {
    const pm = JSON.parse(await c.k(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy']));
    assert.equal(pm.kind, 'PodMetrics');
    assert.match(pm.window, /^\d+(\.\d+)?m?s$/);
    assert.deepEqual(pm.containers.map((x: { name: string }) => x.name).sort(), ['idler', 'worker']);
    const r = await c.kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound|not found/);
  });

  it('API server /metrics: requests by verb and resource, watchers, store latency, scheduler attempts, CONNECT', async () => {
    assert.equal(await c.k(['exec', 'busy', '-c', 'idler', '--', 'echo', 'hi']), 'hi\n');
    const fams = checkExposition(await c.k(['get', '--raw', '/metrics']));
    assert.ok(sample(fams, 'apiserver_request_total', { verb: 'CONNECT', resource: 'pods', subresource: 'exec', code: '101' })! >= 1);
    assert.ok(sample(fams, 'apiserver_request_total', { verb: 'POST', resource: 'pods', code: '201' })! >= 1);
    assert.ok(sample(fams, 'apiserver_request_duration_seconds_count', { verb: 'GET', resource: 'pods', scope: 'resource' })! >= 1);
    assert.ok(sample(fams, 'apiserver_registered_watchers', { kind: 'Pod', version: 'v1' })! >= 1, 'informers watch pods');
    assert.ok(sample(fams, 'kubeling_store_request_duration_seconds_count', { operation: 'create', type: 'pods' })! >= 1);
    assert.ok(sample(fams, 'scheduler_schedule_attempts_total', { result: 'scheduled', profile: 'default-scheduler' })! >= 1);
    assert.equal(fams.get('apiserver_request_duration_seconds')!.type, 'histogram');
  });

  it('agent /metrics (nodes/proxy): pod start latency, runtime operations', async () => {
    const fams = checkExposition(await c.k(['get', '--raw', `/api/v1/nodes/${c.nodeName}/proxy/metrics`]));
    assert.ok(sample(fams, 'kubelet_pod_start_duration_seconds_count', {})! >= 1);
    assert.ok(sample(fams, 'kubelet_runtime_operations_total', { operation_type: 'run_podsandbox' })! >= 1);
    assert.ok(sample(fams, 'kubelet_started_containers_total', { container_type: 'container' })! >= 2);
    assert.ok(sample(fams, 'kubelet_running_pods', {})! >= 1);
    const summary = JSON.parse(await c.k(['get', '--raw', `/api/v1/nodes/${c.nodeName}/proxy/stats/summary`]));
    assert.equal(summary.node.nodeName, c.nodeName);
    assert.ok(summary.pods.some((p: { podRef: { name: string } }) => p.podRef.name === 'busy'));
  });
});
