/** Builders for pods and runtime states in the node unit tests. */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus, SandboxStatus } from '../../../src/node/runtime/index.js';
import { CONTAINER_KIND, CONTAINER_NAME, POD_UID, type ContainerKind } from '../../../src/node/labels.js';
import type { PodView } from '../../../src/node/pods/pod-view.js';

export const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox', ...extra });

export function pod(spec: { containers: Container[]; initContainers?: Container[]; restartPolicy?: string }, status?: Pod['status']): Pod {
  return { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { restartPolicy: 'Always', ...spec } as Pod['spec'], ...(status ? { status } : {}) };
}

export function sandbox(state: 'ready' | 'notready' = 'ready', extra: Partial<SandboxStatus> = {}): SandboxStatus {
  return { id: 'sb1', name: 'p', namespace: 'ns', uid: 'u1', attempt: 0, state, createdAt: new Date(0), ips: ['10.0.0.2'], hostNetwork: false, labels: { [POD_UID]: 'u1' }, annotations: {}, ...extra };
}

let n = 0;
export function run(name: string, state: 'created' | 'running' | 'exited', extra: Partial<ContainerStatus> & { kind?: ContainerKind } = {}): ContainerStatus {
  const { kind, ...rest } = extra;
  return {
    id: `c${++n}`, sandboxId: 'sb1', name, attempt: 0, image: 'busybox', imageId: 'sha256:x', imageRef: 'docker.io/library/busybox@sha256:x',
    state, createdAt: new Date(1000), logPath: '/dev/null', labels: { [POD_UID]: 'u1', [CONTAINER_NAME]: name }, annotations: { [CONTAINER_KIND]: kind ?? 'app' },
    ...(state !== 'created' ? { startedAt: new Date(2000) } : {}),
    ...(state === 'exited' ? { exitCode: 0, reason: 'Completed', finishedAt: new Date(3000) } : {}),
    ...rest,
  };
}

export const view = (sandboxes: SandboxStatus[], containers: ContainerStatus[]): PodView => ({ sandboxes, containers });
