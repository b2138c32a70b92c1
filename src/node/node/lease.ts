/**
 * The node heartbeat: a Lease `kube-node-lease/<node>` renewed every period, owned by the
 * Node (so it goes when the node is deleted). Node lifecycle controllers read renewTime.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../api/errors.js';
import type { Client, Logger } from '../../client/index.js';

const LEASES = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;

/** MicroTime: RFC 3339 with microseconds. */
export const microTime = (d: Date) => d.toISOString().replace(/Z$/, '000Z');

export class NodeLease {
  readonly #client: Client;
  readonly #node: string;
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #nodeUid: () => string | undefined;
  #lease?: Lease;
  #timer?: NodeJS.Timeout;
  #stopped = false;

  constructor(o: { client: Client; nodeName: string; logger: Logger; intervalMs: number; nodeUid: () => string | undefined }) {
    this.#client = o.client;
    this.#node = o.nodeName;
    this.#log = o.logger;
    this.#intervalMs = o.intervalMs;
    this.#nodeUid = o.nodeUid;
  }

  start(): void {
    const tick = async () => {
      if (this.#stopped) return;
      try { await this.renew(); } catch (e) { this.#log.warn('node lease renewal failed', { node: this.#node, error: (e as Error).message }); }
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#intervalMs);
    };
    void tick();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async renew(): Promise<void> {
    const now = microTime(new Date());
    const uid = this.#nodeUid();
    const owner = uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.#node, uid }] : undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const cur = this.#lease ?? (await this.#client.get(LEASES, this.#node, { namespace: LEASE_NAMESPACE }) as Lease);
        const next = {
          ...cur,
          metadata: { ...cur.metadata, ...(owner && !cur.metadata?.ownerReferences?.length ? { ownerReferences: owner } : {}) },
          spec: { ...cur.spec, holderIdentity: this.#node, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now },
        };
        this.#lease = await this.#client.update(LEASES, next as never, { namespace: LEASE_NAMESPACE }) as Lease;
        return;
      } catch (e) {
        this.#lease = undefined;
        if (e instanceof NotFoundError) {
          try {
            this.#lease = await this.#client.create(LEASES, {
              apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
              metadata: { name: this.#node, namespace: LEASE_NAMESPACE, ...(owner ? { ownerReferences: owner } : {}) },
              spec: { holderIdentity: this.#node, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now },
            }, { namespace: LEASE_NAMESPACE }) as Lease;
            return;
          } catch (ce) {
            if (!(ce instanceof AlreadyExistsError)) throw ce;
          }
        } else if (!(e instanceof ConflictError)) throw e;
      }
    }
  }
}
