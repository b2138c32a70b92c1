/**
 * Pods: NAME READY STATUS RESTARTS AGE (+ IP NODE NOMINATED NODE READINESS GATES), with
 * STATUS computed as printers.go printPod does (init progress, container waiting and
 * terminated reasons, sidecars, Terminating, NodeLost → Unknown).
 */
import type { Container, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { ageCol, col, nameCol } from '../columns.js';
import { humanDuration, parseTime, since } from '../duration.js';
import type { Printer, TableRowCondition } from '../types.js';

const isRestartable = (c: Container | undefined) => c?.restartPolicy === 'Always';
const conditionTrue = (conds: readonly PodCondition[] | undefined, type: string) =>
  (conds ?? []).some(c => c.type === type && c.status === 'True');

interface Restarts { count: number; last: number | undefined }
/** Adds a status's restarts, remembering the latest previous termination. */
function addRestarts(r: Restarts, cs: ContainerStatus): void {
  r.count += cs.restartCount ?? 0;
  const finished = parseTime(cs.lastState?.terminated?.finishedAt);
  if (finished !== undefined && (r.last === undefined || r.last < finished)) r.last = finished;
}

interface PodSummary { ready: number; total: number; reason: string; restarts: Restarts }

/** The READY, STATUS and RESTARTS facts of a pod. */
export function summarizePod(pod: Pod): PodSummary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const initSpecs = spec?.initContainers ?? [];
  let total = spec?.containers?.length ?? 0;
  let ready = 0;
  let reason = status.reason || status.phase || '';
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const byName = new Map<string, Container>();
  for (const c of initSpecs) {
    byName.set(c.name, c);
    if (isRestartable(c)) total++; // native sidecars count as containers
  }

  let restarts: Restarts = { count: 0, last: undefined };
  const sidecarRestarts: Restarts = { count: 0, last: undefined };
  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    addRestarts(restarts, cs);
    const sidecar = isRestartable(byName.get(cs.name));
    if (sidecar) addRestarts(sidecarRestarts, cs);
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) {
      reason = term.reason ? 'Init:' + term.reason
        : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = 'Init:' + waiting.reason;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walk backwards so the first container's state wins, as upstream.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      addRestarts(restarts, cs);
      const { waiting, terminated, running } = cs.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (cs.ready && running) { hasRunning = true; ready++; }
    }
    // A container still running means the pod is not "Completed" yet.
    if (reason === 'Completed' && hasRunning) {
      reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  return { ready, total, reason, restarts };
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conds = pod.status?.conditions ?? [];
  const ok = gates.filter(g => conds.find(c => c.type === g.conditionType)?.status === 'True').length;
  return `${ok}/${gates.length}`;
}

const SUCCEEDED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

export const podPrinter: Printer<Pod> = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageCol(),
    col('IP', 'string', 'IP address allocated to the pod.', 1),
    col('Node', 'string', 'The node the pod is scheduled onto.', 1),
    col('Nominated Node', 'string', 'The node the scheduler nominated for preemption.', 1),
    col('Readiness Gates', 'string', 'Pod conditions evaluated for readiness.', 1),
  ],
  cells(pod, { now }) {
    const s = summarizePod(pod);
    const r = s.restarts;
    const restarts = r.count !== 0 && r.last !== undefined
      ? `${r.count} (${humanDuration(now - r.last)} ago)` : String(r.count);
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
    return [
      pod.metadata?.name ?? '', `${s.ready}/${s.total}`, s.reason, restarts, since(pod.metadata?.creationTimestamp, now),
      ip, pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>', readinessGates(pod),
    ];
  },
  conditions(pod) {
    const phase = pod.status?.phase;
    return phase === 'Succeeded' ? SUCCEEDED : phase === 'Failed' ? FAILED : undefined;
  },
};
