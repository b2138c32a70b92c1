/**
 * Test helpers for the index-a controllers' e2e tests, which run a real `kubeling server`
 * (its own controller manager included) and drive it with the real kubectl.
 *
 * There is no node agent in these tests, so pods stay Pending. FakePodReadiness is a
 * TEST-ONLY stand-in for the kubelet's status reports: it patches pods' status to
 * Running + Ready through the API, never binding them to a node (so deleting them stays
 * immediate). It is named as what it is and used nowhere but tests.
 */
import type { KubeObject } from '../../src/api/object.js';
import { Client, Informer, silentLogger } from '../../src/client/index.js';
import { k, type TestServer } from '../e2e/harness.js';

export const POD = { apiVersion: 'v1', kind: 'Pod' };

/** Polls `fn` until it returns something truthy; fails with `what` and the last value. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export async function kjson<T = KubeObject>(ts: TestServer, args: string[]): Promise<T> {
  return JSON.parse(await k(ts, [...args, '-o', 'json'])) as T;
}

export async function items(ts: TestServer, args: string[]): Promise<KubeObject[]> {
  return (await kjson<{ items: KubeObject[] }>(ts, args)).items;
}

export const names = (objs: KubeObject[]) => objs.map(o => o.metadata!.name!).sort();

export const apply = (ts: TestServer, yaml: string) => k(ts, ['apply', '-f', '-'], yaml);

export function deploymentYaml(o: {
  name: string; replicas?: number; image?: string; ns?: string; strategy?: string; minReadySeconds?: number;
  progressDeadlineSeconds?: number; labels?: string;
}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${o.name}
  namespace: ${o.ns ?? 'default'}
spec:
  replicas: ${o.replicas ?? 3}
${o.minReadySeconds ? `  minReadySeconds: ${o.minReadySeconds}\n` : ''}${o.progressDeadlineSeconds ? `  progressDeadlineSeconds: ${o.progressDeadlineSeconds}\n` : ''}${o.strategy ? `  strategy:\n${o.strategy}\n` : ''}  selector: {matchLabels: {app: ${o.name}}}
  template:
    metadata: {labels: {app: ${o.name}${o.labels ? `, ${o.labels}` : ''}}}
    spec:
      containers:
      - name: main
        image: ${o.image ?? 'nginx:1.25'}
`;
}

/**
 * TEST-ONLY fake readiness: marks pods Running and Ready (via the status subresource)
 * shortly after they appear, as a kubelet would once containers passed their probes.
 * `paused` holds pods back (to observe a rollout waiting); `delayMs` spaces them out.
 */
export class FakePodReadiness {
  readonly client: Client;
  paused = false;
  delayMs: number;
  readonly #informer: Informer<KubeObject>;
  readonly #inFlight = new Set<string>();
  readonly #namespace?: string;
  #stopped = false;

  constructor(ts: TestServer, opts: { namespace?: string; delayMs?: number } = {}) {
    this.client = Client.fromKubeconfig(ts.kubeconfig);
    this.delayMs = opts.delayMs ?? 0;
    this.#namespace = opts.namespace;
    this.#informer = new Informer<KubeObject>(this.client, POD, { namespace: opts.namespace, logger: silentLogger });
    this.#informer.addEventHandler({ onAdd: p => this.#maybe(p), onUpdate: (_o, p) => this.#maybe(p) });
    this.#informer.start();
  }

  /** Resumes readiness and marks every pod that is not ready yet. */
  resume(): void {
    this.paused = false;
    for (const p of this.#informer.list()) this.#maybe(p);
  }

  pods(): KubeObject[] { return this.#informer.list(); }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#informer.stop();
    this.client.close();
  }

  #maybe(p: KubeObject): void {
    const uid = p.metadata!.uid!;
    if (this.paused || this.#stopped || p.metadata?.deletionTimestamp || this.#inFlight.has(uid)) return;
    if (this.#namespace && p.metadata?.namespace !== this.#namespace) return;
    const ready = (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
    if (ready) return;
    this.#inFlight.add(uid);
    setTimeout(() => void this.markReady(p).finally(() => this.#inFlight.delete(uid)), this.delayMs);
  }

  /** Patches one pod to Running + Ready now. */
  async markReady(p: KubeObject): Promise<void> {
    if (this.paused || this.#stopped) return;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = {
      phase: 'Running', podIP: '10.42.0.99', startTime: now,
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      ],
    };
    try {
      await this.client.patch(POD, p.metadata!.name!, { status }, { namespace: p.metadata!.namespace, subresource: 'status', type: 'merge' });
    } catch { /* gone meanwhile */ }
  }
}
