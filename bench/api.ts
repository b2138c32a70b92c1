/**
 * API server benchmark (issue 2): creates, gets, lists, conflicting updates and watch
 * fan-out against a spawned `kubeling server` over HTTPS with the admin certificate.
 */
import { readFileSync } from 'node:fs';
import { clientFromKubeconfig, cpuMicros, ms, pct, spawnServer, type HttpClient } from './util.js';
import { leanClientFromKubeconfig, type LeanClient } from './lean-client.js';

const pod = (name: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
});

async function timed<T>(f: () => Promise<T>, lat: number[]): Promise<T> {
  const t = performance.now();
  const r = await f();
  lat.push(performance.now() - t);
  return r;
}

async function parallel(clients: number, perClient: number, op: (c: number, i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, c) => { for (let i = 0; i < perClient; i++) await op(c, i); }));
  return performance.now() - t0;
}

function row(name: string, n: number, elapsed: number, lat: number[], target = '') {
  return { benchmark: name, ops: n, 'ops/s': Math.round((n / elapsed) * 1000), 'p50 ms': ms(pct(lat, 50)), 'p99 ms': ms(pct(lat, 99)), target };
}

/** A pod create's body: real JSON, built without a generic serialiser (the client shares the cores). */
export const podJson = (name: string) =>
  `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}","labels":{"app":"bench"}},"spec":{"containers":[{"name":"c","image":"busybox","command":["sleep","3600"]}]}}`;

/**
 * Creates before measuring: the server's JIT compiles its hot code during the first few
 * thousand requests (a cold server spends about half its CPU compiling); a running
 * cluster's API server is long past that, so the creates rows measure the warm server.
 */
export const WARM_CREATES = 3000;

/**
 * `perConn` pod creates on each of the lean client's connections (8 concurrent clients,
 * one request in flight each); latencies into `lat`. Returns the elapsed ms.
 */
export async function createPods(c: LeanClient, conns: number, perConn: number, prefix: string, lat?: number[]): Promise<number> {
  const base = '/api/v1/namespaces/default/pods';
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conns }, async (_, cl) => {
    for (let i = 0; i < perConn; i++) {
      const t = performance.now();
      const r = await c.request(cl, 'POST', base, podJson(`${prefix}-${cl}-${i}`));
      lat?.push(performance.now() - t);
      if (r.status !== 201) throw new Error(`create ${r.status} ${r.body}`);
    }
  }));
  return performance.now() - t0;
}

/** CPU (user + system) this process used during `f`, in µs: the bench clients' own cost. */
export async function clientCpu<T>(f: () => Promise<T>): Promise<{ value: T; cpu: number }> {
  const c0 = process.cpuUsage();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, cpu: c.user + c.system };
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/**
 * The API server alone (no scheduler or controllers reacting to each pending pod with a
 * status write and an event): the same creates, and the server's CPU per create from
 * /proc, which does not depend on how busy the machine is.
 */
async function createsApiOnly(): Promise<object> {
  const srv = await spawnServer(['--disable-agent', '--disable-scheduler', '--disable-controllers']);
  const c = await leanClientFromKubeconfig(srv.kubeconfig, 8);
  try {
    await createPods(c, 8, WARM_CREATES / 8, 'warm');
    const lat: number[] = [];
    const N = 250;
    const cpu0 = cpuMicros(srv.proc.pid!);
    const { value: el, cpu: client } = await clientCpu(() => createPods(c, 8, N, 'p', lat));
    const cpu = cpuMicros(srv.proc.pid!) - cpu0;
    return {
      ...row('pod create, API server alone (8 clients)', 8 * N, el, lat, '>= 2000/s, p99 <= 20 ms'),
      'server CPU µs/op': Math.round(cpu / (8 * N)), 'client CPU µs/op': Math.round(client / (8 * N)), load: load(),
    };
  } finally {
    c.close();
    await srv.stop();
  }
}

function rssMb(pid: number): number {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(s)![1]) / 1024);
}

export async function benchApi(): Promise<object[]> {
  const starts: number[] = [];
  for (let i = 0; i < 3; i++) { const s = await spawnServer(); starts.push(s.startMs); await s.stop(); }
  const srv = await spawnServer();
  const c: HttpClient = clientFromKubeconfig(srv.kubeconfig, 8);
  const rows: object[] = [];
  try {
    await new Promise(r => setTimeout(r, 500));
    const idleRss = rssMb(srv.proc.pid!);
    const base = '/api/v1/namespaces/default/pods';
    const lean = await leanClientFromKubeconfig(srv.kubeconfig, 8);
    await createPods(lean, 8, WARM_CREATES / 8, 'warm');
    let lat: number[] = [];
    const N = 250;
    const cpu0 = cpuMicros(srv.proc.pid!);
    const { value: created, cpu: client } = await clientCpu(() => createPods(lean, 8, N, 'p', lat));
    lean.close();
    let el = created;
    // Includes the scheduler's answer to each pod (no nodes: a status write and an event).
    rows.push({
      ...row('pod create, whole server (8 clients)', 8 * N, el, lat, '>= 2000/s, p99 <= 20 ms'),
      'server CPU µs/op': Math.round((cpuMicros(srv.proc.pid!) - cpu0) / (8 * N)), 'client CPU µs/op': Math.round(client / (8 * N)), load: load(),
    });
    lat = [];
    el = await parallel(8, N, async (cl, i) => { await timed(() => c.req('GET', `${base}/p-${cl}-${i}`), lat); });
    rows.push(row('pod get (8 clients)', 8 * N, el, lat));
    lat = [];
    el = await parallel(2, 10, async () => {
      const r = await timed(() => c.req('GET', `${base}?limit=1000`), lat);
      if (JSON.parse(r.body).items.length !== 1000) throw new Error('list size');
    });
    rows.push(row('pod list 1k objects (2 clients)', 20, el, lat));
    // update with conflicts: 8 clients race on one object with pinned resourceVersions.
    await c.req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'race' }, data: { n: '0' } });
    lat = [];
    let conflicts = 0;
    let ok = 0;
    el = await parallel(8, 100, async () => {
      const cur = JSON.parse((await c.req('GET', '/api/v1/namespaces/default/configmaps/race')).body);
      cur.data.n = String(Number(cur.data.n) + 1);
      const r = await timed(() => c.req('PUT', '/api/v1/namespaces/default/configmaps/race', cur), lat);
      if (r.status === 409) conflicts++; else if (r.status === 200) ok++;
    });
    rows.push({ ...row('update w/ conflict (8 clients, 1 obj)', 800, el, lat), target: `${ok} ok, ${conflicts} 409` });
    // watch fan-out: 100 watchers, time from write acknowledged to each watcher's event.
    const W = 100;
    const seen = new Map<string, number[]>();
    const stops: Array<() => void> = [];
    let ready = 0;
    for (let w = 0; w < W; w++) {
      stops.push(c.stream('/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0&fieldSelector=metadata.name%3Dfan', line => {
        const ev = JSON.parse(line);
        if (ev.type === 'ADDED' && ev.object.metadata.name === 'fan') { ready++; return; }
        const v = ev.object?.data?.v;
        if (v) { const arr = seen.get(v) ?? []; arr.push(performance.now()); seen.set(v, arr); }
      }));
    }
    await c.req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fan' }, data: {} });
    for (let i = 0; i < 200 && ready < W; i++) await new Promise(r => setTimeout(r, 25));
    lat = [];
    const rounds = 20;
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      await c.req('PATCH', '/api/v1/namespaces/default/configmaps/fan', { data: { v: `v${i}` } }, { 'Content-Type': 'application/merge-patch+json' });
      for (let j = 0; j < 200 && (seen.get(`v${i}`)?.length ?? 0) < W; j++) await new Promise(r => setTimeout(r, 2));
      for (const at of seen.get(`v${i}`) ?? []) lat.push(at - t);
    }
    stops.forEach(s => s());
    rows.push({ ...row(`watch fan-out (${W} watchers)`, lat.length, performance.now() - t0, lat, 'p99 <= 50 ms'), ops: `${lat.length}/${rounds * W} events` });
    rows.push({ benchmark: 'server start → /readyz', ops: 3, 'ops/s': '', 'p50 ms': ms(pct(starts, 50)), 'p99 ms': ms(Math.max(...starts)), target: '<= 1000 ms' });
    rows.push({ benchmark: 'server RSS idle (MB)', ops: '', 'ops/s': '', 'p50 ms': idleRss, 'p99 ms': rssMb(srv.proc.pid!), target: '<= 100 MB (idle; after load in p99 col)' });
  } finally {
    c.close();
    await srv.stop();
  }
  rows.splice(1, 0, await createsApiOnly());
  return rows;
}
