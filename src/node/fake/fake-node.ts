/**
 * One fake node: its Node object, its Lease in kube-node-lease, and the fake state of
 * the pods bound to it (IP, start time, restarts). The pool drives it.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { Client } from '../../client/index.js';
import { rfc3339, type FakePodState } from './pod-status.js';
import { fakeAddresses, fakeNodeObject, type FakeNodeSpec } from './spec.js';

const NODES = { apiVersion: 'v1', kind: 'Node' };
const LEASES = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
const LEASE_NS = 'kube-node-lease';
const microTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

export class FakeNode {
  readonly name: string;
  readonly ip: string;
  readonly #podPrefix: string;
  readonly #pods = new Map<string, FakePodState>();
  readonly #usedIPs = new Set<number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #lease?: KubeObject;

  /** `heartbeat`: the client for Lease renewals (a kubelet's separate heartbeat client). */
  constructor(readonly client: Client, readonly spec: FakeNodeSpec, readonly index: number, readonly heartbeat: Client = client) {
    this.name = spec.name;
    const a = fakeAddresses(index);
    this.ip = a.nodeIP;
    this.#podPrefix = a.podPrefix;
  }

  /** Creates the Node (or takes over an existing one with our status). */
  async register(): Promise<void> {
    const obj = fakeNodeObject(this.spec, this.index) as KubeObject;
    try {
      await this.client.create(NODES, obj);
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      const cur = await this.client.get<Node & KubeObject>(NODES, this.name);
      await this.client.updateStatus(NODES, { ...cur, status: obj.status } as KubeObject);
    }
  }

  async unregister(): Promise<void> {
    await this.client.delete(NODES, this.name).catch(() => {});
    await this.client.delete(LEASES, this.name, { namespace: LEASE_NS }).catch(() => {});
  }

  /**
   * The node heartbeat the node lifecycle controller watches: an update of the Lease as last
   * seen (a conflict or a missing Lease reads or creates it, as the kubelet's lease controller).
   */
  async renewLease(): Promise<void> {
    const spec = { holderIdentity: this.name, leaseDurationSeconds: 40, renewTime: microTime(Date.now()) };
    try {
      if (!this.#lease) throw new NotFoundError('no lease yet');
      this.#lease = withoutManagedFields(await this.heartbeat.update(LEASES, { ...this.#lease, spec: { ...this.#lease.spec, ...spec } }));
    } catch (e) {
      if (!(e instanceof NotFoundError) && !(e instanceof ConflictError)) throw e;
      try {
        const cur = await this.heartbeat.get(LEASES, this.name, { namespace: LEASE_NS });
        this.#lease = withoutManagedFields(await this.heartbeat.update(LEASES, { ...cur, spec: { ...cur.spec, ...spec } }));
      } catch (e2) {
        if (!(e2 instanceof NotFoundError)) throw e2;
        this.#lease = withoutManagedFields(await this.heartbeat.create(LEASES, {
          apiVersion: LEASES.apiVersion, kind: LEASES.kind, metadata: { name: this.name, namespace: LEASE_NS }, spec,
        }));
      }
    }
  }

  /** The pod's fake state, created (with a fresh IP) on first sight of this uid. */
  podState(key: string, uid: string): FakePodState {
    let st = this.#pods.get(key);
    if (st && st.uid !== uid) { this.release(key); st = undefined; }
    if (!st) {
      st = { uid, ip: this.#allocIP(), startedAt: rfc3339(), restarts: 0 };
      this.#pods.set(key, st);
    }
    return st;
  }

  existing(key: string): FakePodState | undefined { return this.#pods.get(key); }

  release(key: string): void {
    const st = this.#pods.get(key);
    if (st) this.#usedIPs.delete(Number(st.ip.slice(this.#podPrefix.length)));
    this.#pods.delete(key);
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
  }

  /** One pending timer per pod. */
  armTimer(key: string, ms: number, fn: () => void): void {
    if (this.#timers.has(key)) return;
    const t = setTimeout(() => { this.#timers.delete(key); fn(); }, ms);
    t.unref();
    this.#timers.set(key, t);
  }

  stopPods(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  get podCount(): number { return this.#pods.size; }

  #allocIP(): string {
    for (let i = 2; i < 255; i++) {
      if (!this.#usedIPs.has(i)) { this.#usedIPs.add(i); return this.#podPrefix + i; }
    }
    return this.#podPrefix + '254'; // more pods than a /24 holds: share the last address
  }
}

/**
 * The Lease to send next time, without managedFields: an update that leaves them out keeps
 * the stored ones, so 500 renewals a second need not carry (and the server compare) them.
 */
function withoutManagedFields(l: KubeObject): KubeObject {
  if (!l.metadata?.managedFields) return l;
  const { managedFields: _, ...metadata } = l.metadata;
  return { ...l, metadata };
}
