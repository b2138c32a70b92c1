/**
 * Node agent benchmark (real server, agent, runc and CNI on a private node): pod start
 * latency (create → Running seen through a watch; one busybox container, warm image)
 * p50/p99 over 50 pods one after another, a burst of 100 pods until all Running, pod
 * delete latency (DELETE → the watch's DELETED, i.e. graceful stop, teardown and removal),
 * and RSS with 100 pods; then podman (bench/podman.ts) starting the same pod, for comparison. The agent runs as its own process (what `kubeling agent` will be),
 * so its RSS and CPU are its own and it does not share an event loop with the API server.
 * Needs root.
 */
import { readFileSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.js';
import type { WatchEvent } from '../src/client/index.js';
import { NodeCluster, SHARED_IMAGES } from '../test/node/cluster.js';
import { benchPodman } from './podman.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10;
}

const cpuSeconds = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const rssMb = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

function podSpec(name: string, node: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { bench: 'node' } },
    spec: {
      nodeName: node, terminationGracePeriodSeconds: 10,
      // Exits at once on SIGTERM (a trapped signal interrupts `wait`), so delete measures the agent.
      containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 100000 & wait'] }],
    },
  };
}

/** Resolves per pod name when the watch sees it Running / deleted. */
class Waiters {
  readonly running = new Map<string, () => void>();
  readonly deleted = new Map<string, () => void>();
  on(ev: WatchEvent<KubeObject>): void {
    const name = ev.object.metadata?.name ?? '';
    if (ev.type === 'DELETED') { this.deleted.get(name)?.(); this.deleted.delete(name); return; }
    if ((ev.object as Pod).status?.phase === 'Running') { this.running.get(name)?.(); this.running.delete(name); }
  }
  until(map: Map<string, () => void>, name: string): Promise<void> {
    return new Promise(r => map.set(name, r));
  }
}

export async function benchNode(): Promise<object[]> {
  if (process.getuid?.() !== 0) return [{ case: 'node', skipped: 'needs root' }];
  const c = new NodeCluster();
  const rows: object[] = [];
  try {
    await c.start({ agentProcess: true });
    const client = c.client;
    const list = await client.list(PODS, { namespace: 'default' });
    const w = new Waiters();
    const watch = client.watch(PODS, { namespace: 'default', resourceVersion: list.metadata.resourceVersion });
    void watch.forEach(ev => w.on(ev)).catch(() => {});
    const create = async (name: string) => {
      const running = w.until(w.running, name);
      const t = performance.now();
      await client.create(PODS, podSpec(name, c.nodeName) as never, { namespace: 'default' });
      await running;
      return performance.now() - t;
    };
    const remove = async (name: string) => {
      const gone = w.until(w.deleted, name);
      const t = performance.now();
      await client.delete(PODS, name, { namespace: 'default' });
      await gone;
      return performance.now() - t;
    };
    await remove((await create('warm-up'), 'warm-up'));
    const base = { agent: rssMb(c.agentProc!.pid!), server: rssMb(c.proc!.pid!) };

    const starts: number[] = [];
    for (let i = 0; i < 50; i++) starts.push(await create(`seq-${i}`));
    rows.push({ case: 'pod start, one after another (50)', p50_ms: pct(starts, 50), p99_ms: pct(starts, 99), target: 'p50 ≤ 200, p99 ≤ 400' });

    const deletes: number[] = [];
    for (let i = 0; i < 50; i++) deletes.push(await remove(`seq-${i}`));
    rows.push({ case: 'pod delete, one after another (50)', p50_ms: pct(deletes, 50), p99_ms: pct(deletes, 99) });

    const t0 = performance.now();
    const each = await Promise.all(Array.from({ length: 100 }, (_, i) => create(`burst-${i}`)));
    const burst = performance.now() - t0;
    rows.push({ case: 'burst of 100 pods until all Running', total_ms: Math.round(burst), p50_ms: pct(each, 50), p99_ms: pct(each, 99), target: 'total ≤ 5000' });
    await new Promise(r => setTimeout(r, 5000)); // settled: statuses written, events flushed
    const cpu0 = cpuSeconds(c.agentProc!.pid!);
    await new Promise(r => setTimeout(r, 10_000));
    rows.push({ case: 'agent RSS / idle CPU with 100 pods', idle_mb: base.agent, with_100_pods_mb: rssMb(c.agentProc!.pid!), cpu_pct: Math.round((cpuSeconds(c.agentProc!.pid!) - cpu0) * 10), target: 'RSS ≤ 100 MB' });
    rows.push({ case: 'API server RSS with 100 pods', idle_mb: base.server, with_100_pods_mb: rssMb(c.proc!.pid!) });

    const t1 = performance.now();
    const dels = await Promise.all(Array.from({ length: 100 }, (_, i) => remove(`burst-${i}`)));
    rows.push({ case: 'delete 100 pods at once until all gone', total_ms: Math.round(performance.now() - t1), p50_ms: pct(dels, 50), p99_ms: pct(dels, 99) });
    watch.stop();
    rows.push(await benchPodman(SHARED_IMAGES));
  } finally {
    await c.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']);
    await c.destroy();
  }
  return rows;
}

if (process.argv[1]?.endsWith('bench/node.js')) console.table(await benchNode());
