/**
 * Where the server's CPU goes for each write kind of the scheduler bench's path, one
 * profile window per kind: a spawned `kubeling server` under `node --cpu-prof`, N fake
 * nodes (heartbeats paused during the phases), a pod watch in this process like the
 * scheduler bench's, then lease renewals, pod creates, bindings, Scheduled events and the
 * fake node's status patches, each alone. Prints /proc CPU µs per write and, per kind,
 * the functions that used it.
 *   node dist/bench/write-profile.js [writes=1000] [nodes=1000]
 *   KUBELING_SERVER_NODE_FLAGS: V8/node flags for the server; KUBELING_PROFILE=0: figures only;
 *   The status patch is the fake node's: a strategic diff against the pod's status, with its uid.
 *   KUBELING_WP_ROUNDS=R: R measured rounds, each kind's figure their median (a shared machine is noisy).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../src/api/object.js';
import { Client, Informer, silentLogger } from '../src/client/index.js';
import { FakeNodePool } from '../src/node/fake/index.js';
import { fakePodStatus, statusDiff } from '../src/node/fake/pod-status.js';
import { summariseProfile, type CpuProfile } from './cpu-profile.js';
import { cpuMicros, cpuSplit, mainThreadCpuMicros, spawnServer } from './util.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };
const NS = { apiVersion: 'v1', kind: 'Namespace' };
const EVENTS = { apiVersion: 'v1', kind: 'Event' };
const NODES = { apiVersion: 'v1', kind: 'Node' };
const NAMESPACE = 'bench-wp';
const NOWHERE = 'bench-idle-node';
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function inParallel(n: number, conc: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: conc }, async () => { for (let i = next++; i < n; i = next++) await fn(i); }));
}

const n = Number(process.argv[2] ?? 1000);
const nodeCount = Number(process.argv[3] ?? 1000);
const profiling = process.env.KUBELING_PROFILE !== '0';
const rounds = Math.max(1, Number(process.env.KUBELING_WP_ROUNDS ?? 1));
const dir = mkdtempSync(join(tmpdir(), 'kubeling-wprof-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true })); // also when a write fails
const nodeFlags = (process.env.KUBELING_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const srv = await spawnServer(['--disable-agent'], [...nodeFlags, ...(profiling ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [])]);
const client = Client.fromKubeconfig(srv.kubeconfig, { component: 'bench' });
const fakeClient = Client.fromKubeconfig(srv.kubeconfig, { component: 'fake-nodes' });
const heartbeatClient = fakeClient.withComponent('heartbeat');
const inf = new Informer<KubeObject>(client, PODS, { logger: silentLogger });
const pool = new FakeNodePool({
  client: fakeClient, heartbeatClient, logger: silentLogger, podInformer: inf,
  nodes: Array.from({ length: nodeCount }, (_, i) => ({ name: `fake-${i}`, cpu: '32', memory: '256Gi', pods: 110 })),
});
const windows: { name: string; from: number; to: number; count: number }[] = [];
/** Per kind, each measured round's server CPU µs per write, its system part and the API (main) thread's part. */
const figures = new Map<string, { used: number[]; system: number[]; main: number[] }>();
let idlePerMs = 0, idleMainPerMs = 0;
try {
  await client.create(NS, { metadata: { name: NAMESPACE } });
  // Bindings name a node no fake node runs (none acts on its pods), but one that exists: the
  // pod GC deletes pods bound to missing nodes 40 s on, inside later rounds' windows.
  await client.create(NODES, { metadata: { name: NOWHERE } });
  await pool.start();
  inf.start();
  await inf.waitForSync();
  pool.pauseHeartbeats(true);
  await sleep(3000);
  const c0 = cpuMicros(srv.proc.pid!), m0 = mainThreadCpuMicros(srv.proc.pid!), t0 = performance.now();
  await sleep(3000);
  idlePerMs = (cpuMicros(srv.proc.pid!) - c0) / (performance.now() - t0);
  idleMainPerMs = (mainThreadCpuMicros(srv.proc.pid!) - m0) / (performance.now() - t0);
  // Each round writes every kind once per index; the first round warms the JIT up.
  const round = async (prefix: string, measure: boolean): Promise<void> => {
    const phase = async (name: string, fn: (i: number) => Promise<unknown>): Promise<void> => {
      await sleep(500);
      const c = cpuSplit(srv.proc.pid!), m = mainThreadCpuMicros(srv.proc.pid!), t = performance.now(), from = nowMicros();
      await inParallel(n, 16, fn);
      await sleep(300); // the reactions (controllers, scheduler) inside the window
      const c1 = cpuSplit(srv.proc.pid!), m1 = mainThreadCpuMicros(srv.proc.pid!);
      const used = c1.user + c1.system - c.user - c.system - idlePerMs * (performance.now() - t);
      const mainUsed = m1 - m - idleMainPerMs * (performance.now() - t);
      if (!measure) return;
      if (prefix === 'wp0') windows.push({ name, from, to: nowMicros(), count: n }); // profiles: the first round
      let f = figures.get(name);
      if (!f) figures.set(name, f = { used: [], system: [], main: [] });
      f.used.push(Math.max(0, used) / n);
      f.main.push(Math.max(0, mainUsed) / n);
      f.system.push((c1.system - c.system) / n);
    };
    const nodes = [...pool.nodes.values()];
    const name = (i: number) => `${prefix}-${i}`;
    const pods: KubeObject[] = [];
    const now = new Date().toISOString();
    await phase('lease renew', i => nodes[i % nodes.length].renewLease());
    await phase('pod create', async i => {
      pods[i] = await client.create(PODS, {
        metadata: { name: name(i), namespace: NAMESPACE, labels: { app: 'bench' } },
        spec: { schedulerName: 'bench-nobody', containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      });
    });
    await phase('binding', i => client.subresource(PODS, name(i), 'binding', {
      namespace: NAMESPACE, method: 'POST',
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: name(i), namespace: NAMESPACE }, target: { apiVersion: 'v1', kind: 'Node', name: NOWHERE } },
    }));
    await phase('event', i => client.create(EVENTS, {
      apiVersion: 'v1', kind: 'Event', metadata: { name: `${name(i)}.wp`, namespace: NAMESPACE },
      involvedObject: { kind: 'Pod', namespace: NAMESPACE, name: name(i), uid: pods[i].metadata?.uid, apiVersion: 'v1' },
      reason: 'Scheduled', message: `Successfully assigned ${NAMESPACE}/${name(i)} to ${NOWHERE}`, type: 'Normal',
      source: { component: 'default-scheduler' }, eventTime: now.replace('Z', '000Z'), action: 'Binding',
      reportingComponent: 'default-scheduler', reportingInstance: 'bench',
    } as KubeObject));
    // What a fake node sends (pool.ts): the strategic diff against the pod's status, with its uid.
    await phase('status patch', i => client.patch(PODS, name(i), {
      metadata: { uid: pods[i].metadata!.uid },
      status: statusDiff(pods[i].status, fakePodStatus(pods[i] as never, { uid: pods[i].metadata!.uid!, ip: `10.255.${i >> 8}.${i & 255}`, startedAt: now.replace(/\.\d+Z$/, 'Z'), restarts: 0 }, '198.19.0.1')),
    }, { namespace: NAMESPACE, subresource: 'status', type: 'strategic' }));
  };
  await round('warm', false);
  for (let r = 0; r < rounds; r++) await round(`wp${r}`, true);
} finally {
  inf.stop();
  await pool.stop();
  client.close();
  fakeClient.close();
  heartbeatClient.close();
  await srv.stop();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const rows: Record<string, number | string>[] = [...figures].map(([write, f]) => ({
  write, 'server CPU µs/write': Math.round(median(f.used)), 'of it system': Math.round(median(f.system)),
  'of it API thread': Math.round(median(f.main)),
  ...(rounds > 1 ? { rounds: f.used.map(Math.round).join(' ') } : {}),
}));
rows.push({ write: '(idle server, µs/s)', 'server CPU µs/write': Math.round(idlePerMs * 1000), 'of it API thread': Math.round(idleMainPerMs * 1000) });
console.log(`${n} writes per kind, ${nodeCount} fake nodes${rounds > 1 ? `, median of ${rounds} rounds` : ''}; load ${loadavg()}`);
console.table(rows);
// One profile per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>): the API server's main thread is 0.
const file = readdirSync(dir).filter(f => f.endsWith('.cpuprofile')).sort()[0];
if (profiling && file) {
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  for (const w of windows) {
    console.log(`\n### ${w.name} (main thread; the control plane's thread is not in this profile)`);
    summariseProfile(prof, w.from, w.to, w.count, { self: 25, inclusive: 40, treeDepth: 12 });
  }
}
