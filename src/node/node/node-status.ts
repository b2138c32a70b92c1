/**
 * Registers this node and keeps its status current: facts are gathered every period,
 * and the status is written when it changed or a minute passed (the Lease is the
 * frequent heartbeat, as upstream since NodeLease).
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { Client, EventRecorder, Logger } from '../../client/index.js';
import type { Runtime } from '../runtime/index.js';
import { machineInfo, pressure, type MachineInfo } from './machine.js';
import { newNode, nodeStatus, statusFingerprint, type NodeFacts } from './node-object.js';

const NODES = { apiVersion: 'v1', kind: 'Node' };
const REPORT_EVERY_MS = 60_000;

export interface NodeStatusOptions {
  client: Client;
  runtime: Runtime;
  recorder: EventRecorder;
  logger: Logger;
  nodeName: string;
  podCidr: string;
  stateDir: string;
  nodeIP?: string;
  intervalMs: number;
  port: () => number;
}

export class NodeStatusReporter {
  readonly #o: NodeStatusOptions;
  #machine?: MachineInfo;
  #lastWritten = '';
  #lastWriteAt = 0;
  #timer?: NodeJS.Timeout;
  #stopped = false;
  #node?: Node;

  constructor(o: NodeStatusOptions) { this.#o = o; }

  get node(): Node | undefined { return this.#node; }
  get nodeIP(): string | undefined { return this.#machine?.nodeIP; }

  async machine(): Promise<MachineInfo> {
    this.#machine ??= await machineInfo(this.#o.stateDir, this.#o.nodeIP);
    return this.#machine;
  }

  async #facts(): Promise<NodeFacts> {
    const [machine, p, version, images] = await Promise.all([
      this.machine(), pressure(this.#o.stateDir), this.#o.runtime.version(), this.#o.runtime.images.list().catch(() => []),
    ]);
    return {
      name: this.#o.nodeName, machine, pressure: p, podCidr: this.#o.podCidr, port: this.#o.port(),
      runtimeVersion: `${version.name}://${version.version}`,
      images: images.map(i => ({ names: [...i.repoDigests, ...i.names], sizeBytes: i.size })),
    };
  }

  /** Creates the Node (or adopts the existing one), then writes its first status. */
  async register(): Promise<Node> {
    const facts = await this.#facts();
    let node: Node;
    try {
      node = await this.#o.client.create(NODES, newNode(facts) as KubeObject) as Node;
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      node = await this.#o.client.get(NODES, this.#o.nodeName) as Node;
      // An existing node keeps its podCIDR (the cluster may have assigned one); labels are refreshed.
      const want = newNode(facts);
      const patch = { metadata: { labels: want.metadata!.labels }, ...(node.spec?.podCIDR ? {} : { spec: want.spec }) };
      node = await this.#o.client.patch(NODES, this.#o.nodeName, patch) as Node;
    }
    this.#node = node;
    // Every agent start says so, also over an existing Node (a restart), as the kubelet does.
    this.#o.recorder.event(nodeRef(this.#o.nodeName), 'Normal', 'Starting', 'Starting kubelet.');
    await this.#write(facts, true);
    return this.#node;
  }

  /** `Node X status is now: <reason>` for each condition whose status changed, as the kubelet records. */
  #conditionEvents(before: { type: string; status: string }[], after: { type: string; status: string }[]): void {
    for (const c of after) {
      const reason = CONDITION_REASONS[c.type]?.[c.status];
      if (!reason || before.find(b => b.type === c.type)?.status === c.status) continue;
      this.#o.recorder.event(nodeRef(this.#o.nodeName), 'Normal', reason, `Node ${this.#o.nodeName} status is now: ${reason}`);
    }
  }

  start(): void {
    const tick = async () => {
      if (this.#stopped) return;
      try {
        await this.#write(await this.#facts(), false);
      } catch (e) {
        this.#o.logger.warn('node status update failed', { node: this.#o.nodeName, error: (e as Error).message });
      }
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#o.intervalMs);
    };
    this.#timer = setTimeout(tick, this.#o.intervalMs);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #write(facts: NodeFacts, force: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const cur = this.#node ?? (await this.#o.client.get(NODES, this.#o.nodeName) as Node);
      const status = nodeStatus(facts, cur.status, new Date());
      const fp = statusFingerprint(status);
      if (!force && fp === this.#lastWritten && Date.now() - this.#lastWriteAt < REPORT_EVERY_MS) return;
      try {
        const before = cur.status?.conditions ?? [];
        this.#node = await this.#o.client.updateStatus(NODES, { ...cur, status } as never) as Node;
        this.#lastWritten = fp;
        this.#lastWriteAt = Date.now();
        this.#conditionEvents(before, status.conditions ?? []);
        return;
      } catch (e) {
        if (e instanceof NotFoundError) { this.#node = undefined; await this.register(); return; }
        if (!(e instanceof ConflictError) || attempt >= 3) throw e;
        this.#node = undefined; // stale: read it again
      }
    }
  }
}

/** The kubelet's event reason for each condition status it reports (pkg/kubelet/nodestatus). */
const CONDITION_REASONS: Record<string, Record<string, string>> = {
  MemoryPressure: { False: 'NodeHasSufficientMemory', True: 'NodeHasInsufficientMemory' },
  DiskPressure: { False: 'NodeHasNoDiskPressure', True: 'NodeHasDiskPressure' },
  PIDPressure: { False: 'NodeHasSufficientPID', True: 'NodeHasInsufficientPID' },
  Ready: { True: 'NodeReady', False: 'NodeNotReady' },
};

export function nodeRef(name: string) {
  // Events about nodes use the name as uid, as the kubelet does.
  return { apiVersion: 'v1', kind: 'Node', name, uid: name, namespace: '' };
}
