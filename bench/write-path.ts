/**
 * CPU per request of the writes a scheduled pod causes, against an in-process API server
 * (plain HTTP, client in the same process, so figures include the client's share):
 * pod create, binding, the scheduler's status patch, the node's status patch, a lease
 * renewal and an event. CPU time, not wall time: comparable on a busy machine.
 *   node dist/bench/write-path.js [n=2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../src/apiserver/index.js';
import { openSqliteStore } from '../src/store/index.js';
import { bootstrapCluster } from '../src/cli/bootstrap.js';

const n = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'kubeling-wp-'));
const store = await openSqliteStore(join(dir, 'state.db'), { compactInterval: 0 });
const api = new ApiServer({ store, host: '127.0.0.1', port: 0, anonymousAdmin: true });
await api.listen();
await bootstrapCluster(api.registry, { port: 6443 });
api.setReady(true);
const base = new URL(api.url);
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

function send(method: string, path: string, body: unknown, type = 'application/json'): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const r = request({ host: base.hostname, port: base.port, method, path, agent, headers: { 'Content-Type': type, 'User-Agent': 'bench/1' } }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', reject);
    r.end(data);
  });
}

const rows: object[] = [];
async function stage(name: string, op: (i: number) => Promise<number>, want: number): Promise<void> {
  const c0 = process.cpuUsage();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = next++; i < n; i = next++) {
      const code = await op(i);
      if (code !== want) throw new Error(`${name} ${i}: ${code}`);
    }
  }));
  const c = process.cpuUsage(c0);
  rows.push({ write: name, 'CPU µs/op': Math.round((c.user + c.system) / n) });
}

const P = '/api/v1/namespaces/default/pods';
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
try {
  // Warm-up (JIT): the first figures would otherwise carry compilation.
  for (let i = 0; i < 300; i++) await send('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w-${i}` }, data: { a: 'b' } });
  await stage('pod create', i => send('POST', P, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
  }), 201);
  await stage('scheduler: status patch (strategic)', i => send('PATCH', `${P}/p-${i}/status`, {
    status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/0 nodes are available', lastProbeTime: null, lastTransitionTime: now() }] },
  }, 'application/strategic-merge-patch+json'), 200);
  await stage('scheduler: binding', i => send('POST', `${P}/p-${i}/binding`, {
    apiVersion: 'v1', kind: 'Binding', metadata: { name: `p-${i}` }, target: { apiVersion: 'v1', kind: 'Node', name: `n-${i % 50}` },
  }), 201);
  await stage('scheduler: event', i => send('POST', '/api/v1/namespaces/default/events', {
    apiVersion: 'v1', kind: 'Event', metadata: { name: `p-${i}.${i}`, namespace: 'default' },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: `p-${i}`, namespace: 'default' }, reason: 'Scheduled', message: `assigned to n-${i % 50}`,
    type: 'Normal', source: { component: 'default-scheduler' }, firstTimestamp: now(), lastTimestamp: now(), count: 1,
  }), 201);
  await stage('node: status patch (merge)', i => send('PATCH', `${P}/p-${i}/status`, {
    status: {
      phase: 'Running', hostIP: '10.0.0.1', podIP: `10.1.${i >> 8 & 255}.${i & 255}`, startTime: now(),
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(type => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now() })),
      containerStatuses: [{ name: 'c', image: 'busybox', imageID: 'fake://busybox', containerID: `fake://${i}/c`, ready: true, started: true, restartCount: 0, state: { running: { startedAt: now() } }, lastState: {} }],
    },
  }, 'application/merge-patch+json'), 200);
  const L = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
  for (let i = 0; i < 50; i++) await send('POST', L, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `n-${i}` }, spec: { holderIdentity: `n-${i}`, leaseDurationSeconds: 40 } });
  await stage('node: lease renewal (PUT)', i => send('PUT', `${L}/n-${i % 50}`, {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `n-${i % 50}`, namespace: 'kube-node-lease' },
    spec: { holderIdentity: `n-${i % 50}`, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') },
  }), 200);
  console.table(rows);
} finally {
  agent.destroy();
  await api.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
