/**
 * The Node object this agent registers and keeps current: labels, spec.podCIDR,
 * capacity/allocatable, addresses, nodeInfo, daemonEndpoints and the four conditions,
 * computed as the kubelet's setters do. Pure functions of machine facts and the old node.
 */
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { MachineInfo, Pressure } from './machine.js';

export const KUBELET_VERSION = 'v1.32.4+kubeling';
export const MAX_PODS = 110;
/** Hard eviction thresholds, upstream's defaults. */
export const EVICTION_MEMORY_BYTES = 100 * 1024 * 1024;
export const EVICTION_NODEFS_FRACTION = 0.1;

const ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

export interface NodeFacts {
  name: string;
  machine: MachineInfo;
  pressure: Pressure;
  podCidr: string;
  port: number;
  runtimeVersion: string;
  images: { names: string[]; sizeBytes: number }[];
}

export function nodeLabels(f: NodeFacts): Record<string, string> {
  const a = f.machine.architecture;
  return {
    'beta.kubernetes.io/arch': a, 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': a,
    'kubernetes.io/hostname': f.name, 'kubernetes.io/os': 'linux',
  };
}

/** A new Node for registration (status is written separately through the status subresource). */
export function newNode(f: NodeFacts): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: f.name, labels: nodeLabels(f),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: f.podCidr, podCIDRs: [f.podCidr] },
  };
}

interface CondSpec { type: string; bad: boolean; goodReason: string; goodMsg: string; badReason: string; badMsg: string }

function condition(old: readonly NodeCondition[] | undefined, c: CondSpec, now: string, readyType = false): NodeCondition {
  // Ready is True when healthy; the pressure conditions are True when under pressure.
  const status = readyType ? (c.bad ? 'False' : 'True') : (c.bad ? 'True' : 'False');
  const prev = old?.find(o => o.type === c.type);
  return {
    type: c.type, status, lastHeartbeatTime: now,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
    reason: c.bad ? c.badReason : c.goodReason, message: c.bad ? c.badMsg : c.goodMsg,
  };
}

export function nodeStatus(f: NodeFacts, old: NodeStatus | undefined, now: Date): NodeStatus {
  const m = f.machine;
  const p = f.pressure;
  const t = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const memoryPressure = p.memoryAvailableBytes < EVICTION_MEMORY_BYTES;
  const diskPressure = p.diskTotalBytes > 0 && p.diskAvailableBytes < p.diskTotalBytes * EVICTION_NODEFS_FRACTION;
  const pidPressure = p.pidsUsed > p.pidsMax * 0.95;
  const conds = [
    condition(old?.conditions, { type: 'MemoryPressure', bad: memoryPressure, goodReason: 'KubeletHasSufficientMemory', goodMsg: 'kubelet has sufficient memory available', badReason: 'KubeletHasInsufficientMemory', badMsg: 'kubelet has insufficient memory available' }, t),
    condition(old?.conditions, { type: 'DiskPressure', bad: diskPressure, goodReason: 'KubeletHasNoDiskPressure', goodMsg: 'kubelet has no disk pressure', badReason: 'KubeletHasDiskPressure', badMsg: 'kubelet has disk pressure' }, t),
    condition(old?.conditions, { type: 'PIDPressure', bad: pidPressure, goodReason: 'KubeletHasSufficientPID', goodMsg: 'kubelet has sufficient PID available', badReason: 'KubeletHasInsufficientPID', badMsg: 'kubelet has insufficient PID available' }, t),
    condition(old?.conditions, { type: 'Ready', bad: false, goodReason: 'KubeletReady', goodMsg: 'kubelet is posting ready status', badReason: 'KubeletNotReady', badMsg: '' }, t, true),
  ];
  const capacity = {
    cpu: String(m.cpus), 'ephemeral-storage': ki(m.diskBytes), 'hugepages-1Gi': '0', 'hugepages-2Mi': '0',
    memory: ki(m.memoryBytes), pods: String(MAX_PODS),
  };
  const allocatable = {
    ...capacity,
    'ephemeral-storage': String(Math.floor(m.diskBytes * (1 - EVICTION_NODEFS_FRACTION))),
    memory: ki(Math.max(0, m.memoryBytes - EVICTION_MEMORY_BYTES)),
  };
  return {
    ...old,
    capacity, allocatable, conditions: conds,
    addresses: [{ type: 'InternalIP', address: m.nodeIP }, { type: 'Hostname', address: m.hostname }],
    daemonEndpoints: { kubeletEndpoint: { Port: f.port } },
    nodeInfo: {
      machineID: m.machineID, systemUUID: m.systemUUID, bootID: m.bootID, kernelVersion: m.kernelVersion,
      osImage: m.osImage, containerRuntimeVersion: f.runtimeVersion, kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '', operatingSystem: 'linux', architecture: m.architecture,
    },
    images: f.images.map(i => ({ names: i.names, sizeBytes: i.sizeBytes })),
  };
}

/** Status without heartbeat times: what decides whether a write is due before the report period. */
export function statusFingerprint(s: NodeStatus | undefined): string {
  return JSON.stringify({ ...s, conditions: s?.conditions?.map(c => ({ ...c, lastHeartbeatTime: undefined })) });
}
