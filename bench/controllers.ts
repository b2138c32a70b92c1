/**
 * Controller benchmarks (issue 4): a Deployment of 1,000 replicas on 100 fake nodes, from
 * create to status.availableReplicas = 1000, and the controller manager's memory.
 *
 * The Deployment runs twice:
 *  - in a plain `kubeling server --disable-agent` (everything in one process, the default);
 *  - with the controller manager in its own process (bench/controller-manager-main.ts runs
 *    the real startControllers against a `--disable-controllers` server), so its RSS and
 *    CPU are its own: idle after start, and the peak while the 1,000 pods roll out.
 * Fake nodes (kwok-style, in this process) report pods Running and Ready.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../src/api/object.js';
import { Client, Informer, silentLogger } from '../src/client/index.js';
import { FakeNodePool } from '../src/node/fake/index.js';
import { cpuMicros, ms, spawnServer } from './util.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };
const DEPLOYMENTS = { apiVersion: 'apps/v1', kind: 'Deployment' };
const NS = { apiVersion: 'v1', kind: 'Namespace' };
const CM_MAIN = fileURLToPath(new URL('./controller-manager-main.js', import.meta.url));

export interface ControllersBenchOptions { nodes?: number; replicas?: number }

export async function benchControllers(o: ControllersBenchOptions = {}): Promise<object[]> {
  return [await deploymentRollout(o, false), await deploymentRollout(o, true)];
}

const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

async function deploymentRollout(o: ControllersBenchOptions, separate: boolean): Promise<object> {
  const nodes = o.nodes ?? 100, replicas = o.replicas ?? 1000;
  // KUBELING_BENCH_SERVER_ARGS adds server flags (e.g. --control-plane-in-main-thread for an A/B run).
  const extra = (process.env.KUBELING_BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
  const srv = await spawnServer([...(separate ? ['--disable-agent', '--disable-controllers'] : ['--disable-agent']), ...extra]);
  const client = Client.fromKubeconfig(srv.kubeconfig, { component: 'bench' });
  const fakeClient = Client.fromKubeconfig(srv.kubeconfig, { component: 'fake-nodes' });
  const heartbeatClient = fakeClient.withComponent('heartbeat');
  // One pod watch for this process: the fake nodes act on it, the bench observes its namespace.
  const pods = new Informer<KubeObject>(client, PODS, { logger: silentLogger });
  const pool = new FakeNodePool({
    client: fakeClient, heartbeatClient, logger: silentLogger, podInformer: pods,
    nodes: Array.from({ length: nodes }, (_, i) => ({ name: `fake-${i}`, cpu: '32', memory: '256Gi', pods: 110 })),
  });
  // KUBELING_BENCH_CPU_PROF=DIR profiles the separate controller manager too (as spawnServer does the server).
  const prof = process.env.KUBELING_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KUBELING_BENCH_CPU_PROF}`] : [];
  const cm = separate ? spawn(process.execPath, [...prof, CM_MAIN, srv.kubeconfig, srv.dataDir], { stdio: ['ignore', 'pipe', 'ignore'] }) : undefined;
  const marks = { created: 0, bound: 0, running: 0 };
  const seen = { created: new Set<string>(), bound: new Set<string>(), running: new Set<string>() };
  let t0 = 0;
  const see = (p: KubeObject) => {
    if (p.metadata?.namespace !== 'bench') return;
    const n = p.metadata!.name!;
    const now = performance.now() - t0;
    const mark = (k: keyof typeof marks) => { if (!seen[k].has(n)) { seen[k].add(n); if (seen[k].size === replicas) marks[k] = now; } };
    mark('created');
    if (p.spec?.nodeName) mark('bound');
    if (p.status?.phase === 'Running') mark('running');
  };
  pods.addEventHandler({ onAdd: see, onUpdate: (_o, p) => see(p) });
  let peakRss = 0, sampler: NodeJS.Timeout | undefined;
  try {
    if (cm) await new Promise<void>((resolve, reject) => { cm.stdout!.once('data', () => resolve()); cm.once('exit', c => reject(new Error(`controller manager exited ${c}`))); });
    await client.create(NS, { metadata: { name: 'bench' } });
    await pool.start();
    pods.start();
    await pods.waitForSync();
    await new Promise(r => setTimeout(r, 2000)); // informers everywhere see the nodes; the idle CM settles
    const idleRss = cm ? rssMiB(cm.pid!) : NaN;
    const serverRss0 = rssMiB(srv.proc.pid!);
    const cpu0 = cm ? cpuMicros(cm.pid!) : cpuMicros(srv.proc.pid!);
    sampler = setInterval(() => { peakRss = Math.max(peakRss, rssMiB((cm ?? srv.proc).pid!)); }, 200);
    t0 = performance.now();
    await client.create(DEPLOYMENTS, {
      metadata: { name: 'web', namespace: 'bench' },
      spec: {
        replicas, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
      },
    });
    const deadline = performance.now() + 300_000;
    let available = 0;
    for (;;) {
      const d = await client.get<KubeObject>(DEPLOYMENTS, 'web', { namespace: 'bench' });
      available = d.status?.availableReplicas ?? 0;
      if (available === replicas && d.status?.updatedReplicas === replicas && d.status?.observedGeneration === d.metadata?.generation) break;
      if (performance.now() > deadline) throw new Error(`only ${available}/${replicas} available after 300 s`);
      await new Promise(r => setTimeout(r, 50));
    }
    const total = performance.now() - t0;
    clearInterval(sampler);
    const cpu = ((cm ? cpuMicros(cm.pid!) : cpuMicros(srv.proc.pid!)) - cpu0) / 1e6;
    return {
      benchmark: `Deployment ${replicas} replicas on ${nodes} fake nodes${separate ? ' (controller manager in its own process)' : ' (one server process)'}`,
      'create→available s': ms(total / 1000),
      'all pods created s': ms(marks.created / 1000), 'all bound s': ms(marks.bound / 1000), 'all Running s': ms(marks.running / 1000),
      'CM RSS idle MiB': separate ? idleRss : '', 'CM RSS peak MiB': separate ? peakRss : '',
      'server RSS MiB (before→peak)': separate ? `${serverRss0} (API+scheduler)` : `${serverRss0}→${peakRss}`,
      'CPU s (CM alone, or whole server)': ms(cpu),
      load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    };
  } finally {
    clearInterval(sampler);
    pods.stop();
    await pool.stop();
    if (cm && cm.exitCode === null) { cm.kill('SIGTERM'); await new Promise(r => cm.once('exit', r)); }
    client.close();
    fakeClient.close();
    heartbeatClient.close();
    await srv.stop();
  }
}

// `node dist/bench/controllers.js` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchControllers());
