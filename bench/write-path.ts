/**
 * CPU per request of the writes a scheduled pod causes, against an in-process API server
 * (plain HTTP, client in the same process, so figures include the client's share):
 * pod create, the scheduler's status patch, binding and event, the fake node's status
 * patch (a strategic diff against the pod's status, with its uid, as pool.ts sends it), a
 * merge patch of a whole status, and a Lease renewal (PUT of the last answer, as fake-node.ts
 * sends it). CPU time, not wall time: comparable on a busy machine.
 *   node dist/bench/write-path.js [n=2000]
 *   KUBELING_WP_PROFILE=1: also where each kind's CPU went (an in-process V8 profile).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../src/api/object.js';
import { ApiServer } from '../src/apiserver/index.js';
import { openSqliteStore } from '../src/store/index.js';
import { bootstrapCluster } from '../src/cli/bootstrap.js';
import { fakePodStatus, statusDiff } from '../src/node/fake/pod-status.js';
import { summariseProfile, type CpuProfile } from './cpu-profile.js';

const n = Number(process.argv[2] ?? 2000);
const profiling = process.env.KUBELING_WP_PROFILE === '1';
const dir = mkdtempSync(join(tmpdir(), 'kubeling-wp-'));
const store = await openSqliteStore(join(dir, 'state.db'), { compactInterval: 0 });
const api = new ApiServer({ store, host: '127.0.0.1', port: 0, anonymousAdmin: true });
await api.listen();
await bootstrapCluster(api.registry, { port: 6443 });
api.setReady(true);
const base = new URL(api.url);
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

function send(method: string, path: string, body: unknown, type = 'application/json'): Promise<{ code: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const r = request({ host: base.hostname, port: base.port, method, path, agent, headers: { 'Content-Type': type, 'User-Agent': 'bench/1' } }, res => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', c => { text += c; });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, text }));
    });
    r.on('error', reject);
    r.end(data);
  });
}

const rows: object[] = [];
const windows: { name: string; from: number; to: number }[] = [];
async function stage(name: string, op: (i: number) => Promise<{ code: number; text: string }>, want: number, keep?: (i: number, o: KubeObject) => void): Promise<void> {
  const c0 = process.cpuUsage(), from = nowMicros();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = next++; i < n; i = next++) {
      const r = await op(i);
      if (r.code !== want) throw new Error(`${name} ${i}: ${r.code} ${r.text}`);
      keep?.(i, JSON.parse(r.text) as KubeObject);
    }
  }));
  const c = process.cpuUsage(c0);
  windows.push({ name, from, to: nowMicros() });
  rows.push({ write: name, 'CPU µs/op': Math.round((c.user + c.system) / n) });
}

const P = '/api/v1/namespaces/default/pods';
const L = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const session = new Session();
try {
  // Warm-up (JIT): the first figures would otherwise carry compilation.
  for (let i = 0; i < 300; i++) await send('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w-${i}` }, data: { a: 'b' } });
  const leases: KubeObject[] = [];
  for (let i = 0; i < 50; i++) {
    const r = await send('POST', L, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `n-${i}` }, spec: { holderIdentity: `n-${i}`, leaseDurationSeconds: 40 } });
    leases[i] = withoutManagedFields(JSON.parse(r.text) as KubeObject);
  }
  if (profiling) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const pods: KubeObject[] = [];
  await stage('pod create', i => send('POST', P, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
  }), 201, (i, o) => { pods[i] = o; });
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
  await stage('node: status patch (fake node, strategic diff)', i => send('PATCH', `${P}/p-${i}/status`, {
    metadata: { uid: pods[i].metadata!.uid },
    status: statusDiff(pods[i].status, fakePodStatus(pods[i] as never, { uid: pods[i].metadata!.uid!, ip: `10.1.${i >> 8 & 255}.${i & 255}`, startedAt: now(), restarts: 0 }, '10.0.0.1')),
  }, 'application/strategic-merge-patch+json'), 200);
  await stage('node: status patch (merge, whole status)', i => send('PATCH', `${P}/p-${i}/status`, {
    status: {
      phase: 'Running', hostIP: '10.0.0.1', podIP: `10.1.${i >> 8 & 255}.${i & 255}`, startTime: now(),
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(type => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now() })),
      containerStatuses: [{ name: 'c', image: 'busybox', imageID: 'fake://busybox', containerID: `fake://${i}/c`, ready: true, started: true, restartCount: 1, state: { running: { startedAt: now() } }, lastState: {} }],
    },
  }, 'application/merge-patch+json'), 200);
  // As fake-node.ts renews: its last answer (without managedFields) with a new renewTime. One
  // request per lease at a time, as each node renews its own.
  const renew = async (i: number) => {
    const k = i % 50;
    const r = await send('PUT', `${L}/n-${k}`, { ...leases[k], spec: { ...leases[k].spec, renewTime: new Date().toISOString().replace('Z', '000Z') } });
    if (r.code === 200) leases[k] = withoutManagedFields(JSON.parse(r.text) as KubeObject);
    return r;
  };
  await stage('node: lease renewal (PUT)', i => renew(i), 200);
  console.table(rows);
  if (profiling) {
    const { profile } = await session.post('Profiler.stop');
    for (const w of windows) {
      console.log(`\n### ${w.name} (server and client, one thread)`);
      summariseProfile(profile as unknown as CpuProfile, w.from, w.to, n, { self: 30, inclusive: 40, treeDepth: 14 });
    }
  }
} finally {
  session.disconnect();
  agent.destroy();
  await api.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

function withoutManagedFields(o: KubeObject): KubeObject {
  const { managedFields: _, ...metadata } = o.metadata ?? {};
  return { ...o, metadata };
}
