/**
 * What the scheduler tells the API about its decisions: pods/binding, the Scheduled and
 * FailedScheduling events, the PodScheduled=False condition (+ nominatedNodeName), and
 * preemption's evictions (DisruptionTarget condition, Preempted event, delete).
 * Writes are fire-and-forget from the loop's point of view; failures are logged.
 */
import { NotFoundError } from '../api/errors.js';
import type { Client, EventRecorder, Logger } from '../client/index.js';
import type { Pod } from './framework/types.js';

const PODS = { apiVersion: 'v1', kind: 'Pod' };
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class Reporter {
  constructor(
    readonly client: Client,
    readonly recorder: EventRecorder,
    readonly schedulerName: string,
    readonly log: Logger,
    readonly now: () => number = Date.now,
  ) {}

  async bind(pod: Pod, node: string): Promise<void> {
    const m = pod.metadata!;
    // The answer (a Status) tells nothing a 2xx does not: not decoded.
    await this.client.subresourceWithoutResult(PODS, m.name!, 'binding', {
      namespace: m.namespace, method: 'POST',
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: m.name, namespace: m.namespace, uid: m.uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
    });
  }

  scheduled(pod: Pod, node: string): void {
    this.recorder.event(pod as never, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata?.namespace}/${pod.metadata?.name} to ${node}`, { action: 'Binding' });
  }

  /** Event, and the condition/nomination when they differ from what the pod shows. */
  failed(pod: Pod, reason: 'Unschedulable' | 'SchedulerError', message: string, nominatedNodeName?: string): void {
    this.recorder.event(pod as never, 'Warning', 'FailedScheduling', message, { action: 'Scheduling' });
    const old = pod.status?.conditions?.find(c => c.type === 'PodScheduled');
    const nominationChanges = nominatedNodeName !== undefined && (pod.status?.nominatedNodeName ?? '') !== nominatedNodeName;
    if (old?.status === 'False' && old.reason === reason && old.message === message && !nominationChanges) return;
    const status: Record<string, unknown> = {
      conditions: [{
        type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null,
        lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(this.now()),
      }],
    };
    if (nominationChanges) status.nominatedNodeName = nominatedNodeName || null;
    void this.#patchStatus(pod, status);
  }

  clearNomination(pod: Pod): void {
    void this.#patchStatus(pod, { nominatedNodeName: null });
  }

  /** Preemption: mark each victim, delete it (graceful), and say why. */
  evict(preemptor: Pod, node: string, victims: readonly Pod[]): void {
    for (const v of victims) void this.#evictOne(preemptor, node, v);
  }

  async #evictOne(preemptor: Pod, node: string, v: Pod): Promise<void> {
    const m = v.metadata!;
    try {
      await this.#patchStatus(v, {
        conditions: [{
          type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler',
          message: `${this.schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: rfc3339(this.now()),
        }],
      });
      await this.client.delete(PODS, m.name!, { namespace: m.namespace, preconditions: { uid: m.uid } });
      this.recorder.event(v as never, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata?.uid} on node ${node}`, { action: 'Preempting' });
    } catch (e) {
      if (!(e instanceof NotFoundError)) this.log.warn('preempting pod failed', { pod: `${m.namespace}/${m.name}`, error: errMsg(e) });
    }
  }

  async #patchStatus(pod: Pod, status: Record<string, unknown>): Promise<void> {
    const m = pod.metadata!;
    try {
      await this.client.patch(PODS, m.name!, { status }, { namespace: m.namespace, type: 'strategic', subresource: 'status' });
    } catch (e) {
      if (!(e instanceof NotFoundError)) this.log.warn('updating pod status failed', { pod: `${m.namespace}/${m.name}`, error: errMsg(e) });
    }
  }
}
