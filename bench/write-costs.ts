/**
 * Server CPU per write kind on the scheduler bench's path: a pod create, its binding, the
 * Scheduled event, the fake node's status patch, and a node Lease renewal. Each kind runs
 * alone (16 at a time) against the bench's server after its main run, with the fake nodes'
 * heartbeats paused, so the figures include the watch sends to every watcher that run had
 * (scheduler, controllers, bench, fake nodes) and the reactions (a renewal's node lifecycle
 * sync). CPU comes from /proc (10 ms ticks) and does not depend on machine load; what the
 * server spends meanwhile anyway (the node lifecycle controller's 5 s pass over every node)
 * is measured first and subtracted.
 */
import type { KubeObject } from '../src/api/object.js';
import type { Client } from '../src/client/index.js';
import type { FakeNodePool } from '../src/node/fake/index.js';
import { fakePodStatus, statusDiff } from '../src/node/fake/pod-status.js';
import { cpuMicros } from './util.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };
const NS = { apiVersion: 'v1', kind: 'Namespace' };
const EVENTS = { apiVersion: 'v1', kind: 'Event' };
const NAMESPACE = 'bench-costs';
/** Not a node: bound pods stay untouched by the fake nodes. */
const NOWHERE = 'bench-no-such-node';

export interface WriteCosts {
  /** Server CPU µs per write. */
  create: number; binding: number; event: number; status: number; lease: number;
  /** What the idle server spent per second meanwhile (subtracted above). */
  idlePerSecond: number;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Waits until the server is quiet (under a quarter of a core over a second, or no quieter
 * for three seconds running), up to `maxMs`:
 * after a run the scheduler's event writes and the fake nodes' last status patches can
 * trail the last bind by many seconds, and measuring "idle" meanwhile charged them to it.
 * Returns the server CPU (µs) used while waiting.
 */
export async function settle(serverPid: number, maxMs = 60_000): Promise<number> {
  const start = cpuMicros(serverPid), deadline = performance.now() + maxMs;
  // Quiet, or no quieter for 3 s running (what a server with 5000 renewing nodes spends anyway).
  for (let c = start, t = performance.now(), low = Infinity, flat = 0; performance.now() < deadline;) {
    await sleep(1000);
    const c1 = cpuMicros(serverPid), t1 = performance.now();
    const rate = (c1 - c) / ((t1 - t) * 1000);
    if (rate < 0.25) break;
    if (rate < low * 0.9) { low = rate; flat = 0; } else if (++flat >= 3) break;
    c = c1; t = t1;
  }
  return cpuMicros(serverPid) - start;
}

async function inParallel(n: number, conc: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: conc }, async () => { for (let i = next++; i < n; i = next++) await fn(i); }));
}

export async function measureWriteCosts(client: Client, serverPid: number, pool: FakeNodePool, n = 500): Promise<WriteCosts> {
  pool.pauseHeartbeats(true);
  try {
    await sleep(2000); // renewals in flight settle
    await settle(serverPid);
    const c0 = cpuMicros(serverPid), t0 = performance.now();
    await sleep(3000);
    const idlePerMs = (cpuMicros(serverPid) - c0) / (performance.now() - t0);
    const phase = async (fn: (i: number) => Promise<unknown>): Promise<number> => {
      const c = cpuMicros(serverPid), t = performance.now();
      await inParallel(n, 16, fn);
      const used = cpuMicros(serverPid) - c - idlePerMs * (performance.now() - t);
      return Math.round(Math.max(0, used) / n);
    };
    const nodes = [...pool.nodes.values()];
    const lease = await phase(i => nodes[i % nodes.length].renewLease());
    await client.create(NS, { metadata: { name: NAMESPACE } });
    const name = (i: number) => `cost-${i}`;
    const pods: KubeObject[] = [];
    const create = await phase(async i => {
      pods[i] = await client.create(PODS, {
        metadata: { name: name(i), namespace: NAMESPACE, labels: { app: 'bench' } },
        // Nobody schedules these: the binding phase below does.
        spec: { schedulerName: 'bench-nobody', containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      });
    });
    const binding = await phase(i => client.subresource(PODS, name(i), 'binding', {
      namespace: NAMESPACE, method: 'POST',
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: name(i), namespace: NAMESPACE }, target: { apiVersion: 'v1', kind: 'Node', name: NOWHERE } },
    }));
    const now = new Date().toISOString();
    const event = await phase(i => client.create(EVENTS, {
      apiVersion: 'v1', kind: 'Event', metadata: { name: `${name(i)}.cost`, namespace: NAMESPACE },
      involvedObject: { kind: 'Pod', namespace: NAMESPACE, name: name(i), uid: pods[i].metadata?.uid, apiVersion: 'v1' },
      reason: 'Scheduled', message: `Successfully assigned ${NAMESPACE}/${name(i)} to ${NOWHERE}`, type: 'Normal',
      source: { component: 'default-scheduler' }, eventTime: now.replace('Z', '000Z'), action: 'Binding',
      reportingComponent: 'default-scheduler', reportingInstance: 'bench',
    } as KubeObject));
    // What a fake node sends (pool.ts): the strategic diff against the pod's status, with its uid.
    const status = await phase(i => client.patch(PODS, name(i), {
      metadata: { uid: pods[i].metadata!.uid },
      status: statusDiff(pods[i].status, fakePodStatus(pods[i] as never, { uid: pods[i].metadata!.uid!, ip: `10.255.${i >> 8}.${i & 255}`, startedAt: now.replace(/\.\d+Z$/, 'Z'), restarts: 0 }, '198.19.0.1')),
    }, { namespace: NAMESPACE, subresource: 'status', type: 'strategic' }));
    return { create, binding, event, status, lease, idlePerSecond: Math.round(idlePerMs * 1000) };
  } finally {
    pool.pauseHeartbeats(false);
  }
}
