/**
 * What the runtime holds for one pod, grouped the way the sync needs it: the newest
 * sandbox, and each container name's runs, newest attempt first. Also the pod spec's
 * containers with their kind (init, sidecar, app) and event field paths.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus, SandboxStatus } from '../runtime/index.js';
import { CONTAINER_NAME, type ContainerKind } from '../labels.js';

export interface PodView {
  /** Newest first. */
  sandboxes: SandboxStatus[];
  containers: ContainerStatus[];
}

export interface SpecEntry {
  c: Container;
  kind: ContainerKind;
  fieldPath: string;
}

export const nameOf = (s: ContainerStatus) => s.labels[CONTAINER_NAME] ?? s.name;

export function currentSandbox(v: PodView): SandboxStatus | undefined {
  return v.sandboxes[0];
}

/** Runs per container name, newest attempt first; `sandboxId` narrows to one sandbox. */
export function runsByName(v: PodView, sandboxId?: string): Map<string, ContainerStatus[]> {
  const m = new Map<string, ContainerStatus[]>();
  for (const s of v.containers) {
    if (sandboxId && s.sandboxId !== sandboxId) continue;
    const n = nameOf(s);
    if (!m.has(n)) m.set(n, []);
    m.get(n)!.push(s);
  }
  for (const runs of m.values()) runs.sort((a, b) => b.attempt - a.attempt || b.createdAt.getTime() - a.createdAt.getTime());
  return m;
}

/** The next attempt number of a container (its restartCount once started). */
export function nextAttempt(v: PodView, name: string): number {
  let max = -1;
  for (const s of v.containers) if (nameOf(s) === name) max = Math.max(max, s.attempt);
  return max + 1;
}

export const isSidecar = (c: Container) => c.restartPolicy === 'Always';

export function specEntries(pod: Pod): { inits: SpecEntry[]; apps: SpecEntry[]; all: SpecEntry[] } {
  const inits = (pod.spec?.initContainers ?? []).map(c => ({ c, kind: (isSidecar(c) ? 'sidecar' : 'init') as ContainerKind, fieldPath: `spec.initContainers{${c.name}}` }));
  const apps = (pod.spec?.containers ?? []).map(c => ({ c, kind: 'app' as ContainerKind, fieldPath: `spec.containers{${c.name}}` }));
  return { inits, apps, all: [...inits, ...apps] };
}

export function isTerminalPhase(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}
