/** What every pod worker shares: the runtime, API access, managers and node facts. */
import { join } from 'node:path';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Client, EventRecorder, Logger, ObjectReference } from '../../client/index.js';
import type { Runtime } from '../runtime/index.js';
import type { ImageManager } from '../containers/images.js';
import type { ObjectSource } from '../containers/objects.js';
import type { PodRuntimeFacts } from '../containers/downward.js';
import type { ProbeManager } from '../probes/probe-manager.js';
import type { VolumeManager } from '../volumes/volume-manager.js';
import type { KubeletMetrics } from '../metrics/kubelet.js';
import type { PodStatusWriter } from './status-writer.js';

export interface PodContext {
  runtime: Runtime;
  client: Client;
  recorder: EventRecorder;
  logger: Logger;
  images: ImageManager;
  volumes: VolumeManager;
  probes: ProbeManager;
  statuses: PodStatusWriter;
  objects: ObjectSource;
  /** `<agent dir>/logs`: `<ns>_<name>_<uid>/<container>/<attempt>.log`. */
  logsDir: string;
  hostIP(): string;
  nodeMemoryBytes(): number;
  allocatable(): PodRuntimeFacts['nodeAllocatable'];
  /** The cluster DNS Service (kube-system/kube-dns), when there is one. */
  dnsService(): Service | undefined;
  /** --cluster-domain: pods' DNS search path and FQDNs (default cluster.local). */
  clusterDomain?: string;
  resyncIntervalMs: number;
  /** The agent's /metrics (pod start latency, started containers). */
  metrics?: KubeletMetrics;
}

export function podRef(pod: Pod): ObjectReference {
  const m = pod.metadata!;
  return { apiVersion: 'v1', kind: 'Pod', namespace: m.namespace, name: m.name, uid: m.uid };
}

/** `name_namespace(uid)` as the kubelet names pods in messages. */
export function podDesc(pod: Pod): string {
  const m = pod.metadata!;
  return `${m.name}_${m.namespace}(${m.uid})`;
}

export function podLogDir(logsDir: string, pod: { namespace: string; name: string; uid: string }): string {
  return join(logsDir, `${pod.namespace}_${pod.name}_${pod.uid}`);
}

export function containerLogPath(logsDir: string, pod: { namespace: string; name: string; uid: string }, container: string, attempt: number): string {
  return join(podLogDir(logsDir, pod), container, `${attempt}.log`);
}
