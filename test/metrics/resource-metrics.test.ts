/**
 * metrics.k8s.io objects: quantities, windows and shapes, then `kubectl top` (the real
 * kubectl) reading them from a stand-in API server.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { METRICS_API_RESOURCES, metricsNotFound, nodeMetricsList, podMetricsList } from '../../src/apiserver/metrics/index.js';
import { formatCpu, formatMemory, nodeMetrics, podMetrics, usageBetween, UsageTracker, type CgroupReading } from '../../src/node/metrics/index.js';

const reading = (t: number, cpuNs: number, ws: number): CgroupReading =>
  ({ cpuUsageNanoSeconds: cpuNs, memoryUsageBytes: ws, memoryWorkingSetBytes: ws, time: new Date(t) });

describe('metrics.k8s.io builders', () => {
  it('CPU as exact DecimalSI', () => {
    for (const [n, s] of [[0, '0'], [2e9, '2'], [250e6, '250m'], [1500e3, '1500u'], [123456789, '123456789n'], [1.4, '1n']] as const) {
      assert.equal(formatCpu(n), s, String(n));
    }
  });

  it('memory as canonical BinarySI', () => {
    for (const [n, s] of [[0, '0'], [1000, '1000'], [4096, '4Ki'], [1234 * 1024, '1234Ki'], [3 << 20, '3Mi'], [5 * 2 ** 30, '5Gi']] as const) {
      assert.equal(formatMemory(n), s, String(n));
    }
  });

  it('usage is the rate between two readings', () => {
    const u = usageBetween(reading(1_000, 5e9, 1), reading(11_000, 10e9, 8 << 20))!;
    assert.deepEqual({ ...u, timestamp: u.timestamp.toISOString() }, {
      cpuNanoCores: 5e8, memoryWorkingSetBytes: 8 << 20, windowMs: 10_000, timestamp: new Date(11_000).toISOString(),
    });
    assert.equal(usageBetween(reading(1_000, 5e9, 1), reading(1_000, 6e9, 1)), undefined, 'no time passed');
    assert.equal(usageBetween(reading(1_000, 5e9, 1), reading(2_000, 1e9, 1)), undefined, 'counter reset');
  });

  it('the tracker turns periodic readings into usages and forgets what is gone', () => {
    const t = new UsageTracker();
    assert.equal(t.record('/pod1/c', reading(0, 0, 1)), undefined);
    assert.equal(t.record('/pod1/c', reading(10_000, 1e9, 2))!.cpuNanoCores, 1e8);
    assert.equal(t.usage('/pod1/c')!.memoryWorkingSetBytes, 2);
    assert.equal(t.record('/pod1/c', reading(20_000, 5, 3)), undefined, 'counter reset');
    assert.equal(t.usage('/pod1/c'), undefined);
    t.record('/pod2/c', reading(0, 0, 1));
    t.record('/pod2/c', reading(1000, 1e6, 1));
    t.retain(['/pod1/c']);
    assert.equal(t.usage('/pod2/c'), undefined);
  });

  it('NodeMetrics and PodMetrics as metrics-server serves them', () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    const u = usageBetween(reading(Date.parse('2026-01-02T03:03:50Z'), 0, 0), reading(Date.parse('2026-01-02T03:04:00.5Z'), 105e6, 10 << 20))!;
    assert.deepEqual(nodeMetrics({ name: 'n1', labels: { a: 'b' } }, u, now), {
      kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'n1', creationTimestamp: '2026-01-02T03:04:05Z', labels: { a: 'b' } },
      timestamp: '2026-01-02T03:04:00Z', window: '10.5s', usage: { cpu: '10m', memory: '10Mi' },
    });
    const p = podMetrics({ namespace: 'default', name: 'web' }, [{ name: 'c', usage: u }], now);
    assert.deepEqual(p, {
      kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-02T03:04:05Z' },
      timestamp: '2026-01-02T03:04:00Z', window: '10.5s', containers: [{ name: 'c', usage: { cpu: '10m', memory: '10Mi' } }],
    });
  });

  it('lists filter by namespace and labels, sorted', () => {
    const mk = (ns: string, name: string, app: string) => ({ metadata: { namespace: ns, name, labels: { app } } });
    const items = [mk('b', 'x', 'web'), mk('a', 'z', 'web'), mk('a', 'y', 'db')];
    assert.deepEqual(podMetricsList(items).items.map(i => `${i.metadata.namespace}/${i.metadata.name}`), ['a/y', 'a/z', 'b/x']);
    assert.deepEqual(podMetricsList(items, { namespace: 'a', matches: l => l.app === 'web' }).items.map(i => i.metadata.name), ['z']);
    assert.equal(nodeMetricsList([]).kind, 'NodeMetricsList');
    assert.equal(metricsNotFound('pods', 'p').message, 'pods.metrics.k8s.io "p" not found');
  });
});

const hasKubectl = (() => { try { execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' }); return true; } catch { return false; } })();

describe('kubectl top against metrics.k8s.io lists', { skip: hasKubectl ? false : 'kubectl not installed' }, () => {
  let api: Server;
  let dir: string;
  const t0 = Date.now() - 15_000;
  const u = (cpuNs: number, mem: number) => usageBetween(reading(t0, 0, 0), reading(t0 + 10_000, cpuNs, mem))!;
  const nodes = [nodeMetrics({ name: 'node-a' }, u(5e9, 512 << 20))]; // 500m, 512Mi
  const pods = [podMetrics({ namespace: 'default', name: 'web', labels: { app: 'web' } }, [
    { name: 'app', usage: u(2.5e9, 100 << 20) }, { name: 'sidecar', usage: u(1e8, 3 << 20) },
  ])];
  before(async () => {
    api = createServer((req, res) => {
      const json = (o: unknown) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(o)); };
      const path = new URL(req.url!, 'http://x').pathname;
      switch (path) {
        case '/version': return json({ major: '1', minor: '32', gitVersion: 'v1.32.4' });
        case '/api': return json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
        case '/apis': return json({ kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'metrics.k8s.io', versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }], preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' } }] });
        case '/api/v1': return json({ kind: 'APIResourceList', groupVersion: 'v1', resources: [
          { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ['get', 'list'] },
          { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] }] });
        case '/apis/metrics.k8s.io/v1beta1': return json({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'metrics.k8s.io/v1beta1', resources: METRICS_API_RESOURCES });
        case '/api/v1/nodes': return json({ kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'node-a' }, status: { allocatable: { cpu: '2', memory: '2Gi' }, capacity: { cpu: '2', memory: '2Gi' } } }] });
        case '/apis/metrics.k8s.io/v1beta1/nodes': return json(nodeMetricsList(nodes));
        case '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods': return json(podMetricsList(pods, { namespace: 'default' }));
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${path} not found` }));
    });
    await new Promise<void>(r => api.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'kubeling-top-'));
    writeFileSync(join(dir, 'config'), `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${(api.address() as AddressInfo).port}"}}]
users: [{name: u, user: {}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]
current-context: x
`);
  });
  after(() => { api?.close(); if (dir) rmSync(dir, { recursive: true, force: true }); });

  const kubectl = (args: string[]) => new Promise<string>((resolve, reject) => {
    execFile('kubectl', ['--kubeconfig', join(dir, 'config'), '--cache-dir', join(dir, 'cache'), ...args], { timeout: 30_000 },
      (err, stdout, stderr) => err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout));
  });

  it('top node', async () => {
    const out = await kubectl(['top', 'node']);
    assert.match(out, /^NAME\s+CPU\(cores\)\s+CPU(\(%\))?\s+MEMORY\(bytes\)\s+MEMORY(\(%\))?/);
    assert.match(out, /\nnode-a\s+500m\s+25%\s+512Mi\s+25%\s*\n/);
  });

  it('top pod --containers', async () => {
    const out = await kubectl(['top', 'pod', '--containers']);
    assert.match(out, /web\s+app\s+250m\s+100Mi/);
    assert.match(out, /web\s+sidecar\s+10m\s+3Mi/);
  });
});
