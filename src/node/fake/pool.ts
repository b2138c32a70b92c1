/**
 * Many fake nodes in one process (kwok-style): registers their Node objects, renews a
 * Lease per node every 10 s, and "runs" pods bound to them by writing their status
 * (Running, Ready, a fake pod IP) with one strategic patch of what changed, never
 * reading the pod back. Nothing is executed. One pod watch (bound pods only) and a small
 * worker pool serve every node, so thousands of nodes cost little.
 *
 * Pods annotated `kubeling.io/fake-exit-after` end after that long with
 * `kubeling.io/fake-exit-code`; restartPolicy decides between finishing (Succeeded /
 * Failed) and restarting (restartCount + 1). Deleted pods go at once (a fake process
 * exits on SIGTERM immediately).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { NotFoundError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { Informer, Queue, defaultLogger, deletedObject, keyOf, type Client, type Logger } from '../../client/index.js';
import { FakeNode } from './fake-node.js';
import { fakePodStatus, statusDiff } from './pod-status.js';
import { FAKE_EXIT_AFTER, FAKE_EXIT_CODE, parseDuration, type FakeNodeSpec } from './spec.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };

export interface FakeNodePoolOptions {
  client: Client;
  nodes: FakeNodeSpec[];
  logger?: Logger;
  /**
   * Lease renewals go through this client when given, like a kubelet's separate heartbeat
   * client, so pod status writes never queue behind hundreds of renewals a second.
   */
  heartbeatClient?: Client;
  /** Status writers at once (default 16). */
  workers?: number;
  leaseRenewMs?: number;
  /** First index for addresses, so several pools in one cluster do not overlap. */
  indexBase?: number;
  /**
   * A pod informer (all namespaces) to share instead of opening our own watch; the
   * caller starts and stops it. Benchmarks watching pods anyway save one watch stream.
   */
  podInformer?: Informer<KubeObject>;
}

export class FakeNodePool {
  readonly nodes = new Map<string, FakeNode>();
  readonly #o: FakeNodePoolOptions;
  readonly #log: Logger;
  readonly #pods: Informer<KubeObject>;
  readonly #ownInformer: boolean;
  readonly #queue = new Queue<string>({ name: 'fake-pods' });
  #leaseTimer?: NodeJS.Timeout;
  #workers: Promise<void>[] = [];
  #stopped = false;
  #renewals = 0;
  #heartbeatsPaused = false;
  #statusWrites = 0;
  #removeHandler?: () => void;

  constructor(o: FakeNodePoolOptions) {
    this.#o = o;
    this.#log = o.logger ?? defaultLogger;
    o.nodes.forEach((s, i) => this.nodes.set(s.name, new FakeNode(o.client, s, (o.indexBase ?? 0) + i, o.heartbeatClient)));
    this.#ownInformer = !o.podInformer;
    // Only bound pods concern a node (a kubelet watches `spec.nodeName=<itself>`; one watch
    // for every fake node here): pending pods' creations are never sent to us.
    this.#pods = o.podInformer ?? new Informer(o.client, PODS, { logger: this.#log, fieldSelector: 'spec.nodeName!=' });
    const enqueue = (obj: KubeObject) => { if (this.nodes.has(obj.spec?.nodeName)) this.#queue.add(keyOf(obj)); };
    this.#removeHandler = this.#pods.addEventHandler({
      onAdd: enqueue, onUpdate: (_o, n) => enqueue(n),
      onDelete: obj => this.#forget(deletedObject(obj)),
    });
  }

  /** Lease renewals and pod status writes done so far (benchmarks divide server CPU by them). */
  get writes(): { leaseRenewals: number; podStatus: number } {
    return { leaseRenewals: this.#renewals, podStatus: this.#statusWrites };
  }

  /**
   * Stops renewing Leases until resumed (benchmarks measuring other writes alone). Keep it
   * well under the 40 s lease duration, or the node lifecycle controller marks the nodes Unknown.
   */
  pauseHeartbeats(paused: boolean): void { this.#heartbeatsPaused = paused; }

  /** Registers every node (each renewing its Lease from then on), then starts pod handling. */
  async start(): Promise<void> {
    const list = [...this.nodes.values()];
    const registered = new Set<FakeNode>();
    // Each node renews once per period, the nodes spread evenly over it in slots of ~20 ms:
    // 5000 nodes renewing in one burst every 10 s would queue 5000 writes ahead of everything
    // else, and even 100 ms slots send 50 at once. Renewals start with the first registered
    // node: registering thousands takes longer than the 40 s grace period.
    const every = this.#o.leaseRenewMs ?? 10_000;
    const slots = Math.max(1, Math.min(list.length, Math.round(every / 20)));
    let tick = 0;
    const renewing = new Set<FakeNode>();
    this.#leaseTimer = setInterval(() => {
      if (this.#heartbeatsPaused) return;
      for (let i = tick++ % slots; i < list.length; i += slots) {
        const n = list[i];
        // Like a kubelet's renew loop, one renewal per node at a time: when the server is
        // slower than the period, renewals are late rather than piling up behind each other.
        if (renewing.has(n) || !registered.has(n)) continue;
        renewing.add(n);
        void n.renewLease()
          .then(() => { this.#renewals++; }, e => this.#log.warn('fake node lease renewal failed', { node: n.name, error: String(e) }))
          .finally(() => renewing.delete(n));
      }
    }, every / slots);
    this.#leaseTimer.unref();
    // Each node's Lease right after its Node, as a kubelet does.
    try {
      for (let i = 0; i < list.length; i += 16) {
        await Promise.all(list.slice(i, i + 16).map(async n => {
          await n.register();
          renewing.add(n);
          await n.renewLease().catch(() => {}).finally(() => renewing.delete(n));
          registered.add(n);
        }));
      }
    } catch (e) {
      clearInterval(this.#leaseTimer);
      throw e;
    }
    if (this.#ownInformer) this.#pods.start();
    for (let i = 0; i < (this.#o.workers ?? 16); i++) this.#workers.push(this.#work());
  }

  async stop(opts: { deleteNodes?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#leaseTimer);
    if (this.#ownInformer) this.#pods.stop();
    this.#removeHandler?.();
    this.#queue.shutDown();
    for (const n of this.nodes.values()) n.stopPods();
    await Promise.allSettled(this.#workers);
    if (opts.deleteNodes) await Promise.allSettled([...this.nodes.values()].map(n => n.unregister()));
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      try { await this.#sync(key); } catch (e) {
        if (!(e instanceof NotFoundError) && !this.#stopped) {
          this.#log.warn('fake node pod sync failed', { pod: key, error: e instanceof Error ? e.message : String(e) });
          setTimeout(() => this.#queue.add(key), 500).unref();
        }
      } finally { this.#queue.done(key); }
    }
  }

  async #sync(key: string): Promise<void> {
    const pod = this.#pods.get(key) as Pod | undefined;
    if (!pod) return;
    const node = this.nodes.get(pod.spec?.nodeName ?? '');
    if (!node) return;
    const m = pod.metadata!;
    if (m.deletionTimestamp) {
      node.release(key);
      await this.#o.client.delete(PODS, m.name!, { namespace: m.namespace, gracePeriodSeconds: 0, preconditions: { uid: m.uid } });
      return;
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') { node.release(key); return; }
    const st = node.podState(key, m.uid!);
    const want = fakePodStatus(pod, st, node.ip);
    if (!differs(pod, want)) return;
    this.#statusWrites++;
    // One patch of what changed, as the kubelet's status manager sends it: a strategic merge
    // patch (conditions merge by type) with the pod's uid, so a pod recreated under the same
    // name is never given this one's status.
    const patch = { metadata: { uid: m.uid }, status: statusDiff(pod.status, want) };
    // The answer (the whole pod) is never read: the watch brings it.
    await this.#o.client.patchWithoutResult(PODS, m.name!, patch, { namespace: m.namespace, subresource: 'status', type: 'strategic' });
    this.#armExit(node, pod, key);
  }

  /** Schedules the fake process's exit, once per run. */
  #armExit(node: FakeNode, pod: Pod, key: string): void {
    const after = parseDuration(pod.metadata?.annotations?.[FAKE_EXIT_AFTER] ?? '');
    if (after === undefined) return;
    const code = Number(pod.metadata?.annotations?.[FAKE_EXIT_CODE] ?? 0) || 0;
    const policy = pod.spec?.restartPolicy ?? 'Always';
    node.armTimer(key, after, () => {
      const st = node.existing(key);
      if (!st || st.exit) return;
      // Never, or OnFailure after success: the pod is done; otherwise the container restarts.
      if (policy === 'Never' || (policy === 'OnFailure' && code === 0)) st.exit = { code, at: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
      else st.restarts++;
      this.#queue.add(key);
    });
  }

  #forget(obj: KubeObject): void {
    const node = this.nodes.get(obj.spec?.nodeName);
    node?.release(keyOf(obj));
  }
}

/** Whether the pod's status lacks what we would write (so repeated syncs write nothing). */
function differs(pod: Pod, want: Record<string, unknown>): boolean {
  const s = pod.status ?? {};
  const restarts = (pod.status?.containerStatuses ?? [])[0]?.restartCount ?? 0;
  const wantRestarts = ((want.containerStatuses as Array<{ restartCount: number }>)[0]?.restartCount) ?? 0;
  return s.phase !== want.phase || s.podIP !== want.podIP || restarts !== wantRestarts
    || (s.conditions ?? []).find(c => c.type === 'Ready')?.status !== (want.conditions as Array<{ type: string; status: string }>).find(c => c.type === 'Ready')?.status;
}

