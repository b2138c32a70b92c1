/**
 * Labels and annotations the agent puts on sandboxes and containers. They are what an
 * agent restart adopts by: which pod (uid) and container a runtime object belongs to.
 * The keys are upstream's (dockershim/CRI) so tools reading them find familiar names.
 */
export const POD_UID = 'io.kubernetes.pod.uid';
export const POD_NAME = 'io.kubernetes.pod.name';
export const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const CONTAINER_NAME = 'io.kubernetes.container.name';
/** init | sidecar | app */
export const CONTAINER_KIND = 'io.kubeling.container.kind';
/** Hash of the container spec it was made from; a different spec means restart. */
export const CONTAINER_HASH = 'io.kubernetes.container.hash';
export const TERMINATION_MESSAGE_FILE = 'io.kubeling.container.terminationMessageFile';
export const TERMINATION_MESSAGE_POLICY = 'io.kubernetes.container.terminationMessagePolicy';

export type ContainerKind = 'init' | 'sidecar' | 'app';

export function podLabels(pod: { metadata?: { uid?: string; name?: string; namespace?: string } }): Record<string, string> {
  const m = pod.metadata ?? {};
  return { [POD_UID]: m.uid ?? '', [POD_NAME]: m.name ?? '', [POD_NAMESPACE]: m.namespace ?? '' };
}
