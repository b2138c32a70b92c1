/**
 * Downward API values (env fieldRef/resourceFieldRef and downwardAPI volume items),
 * formatted as upstream: labels/annotations as sorted `key="value"` lines, resources
 * rounded up to the divisor, unset limits falling back to the node's allocatable.
 */
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { tryParseQuantity } from '../../api/validation/quantity.js';
import { ContainerConfigError } from './objects.js';

export interface PodRuntimeFacts {
  podIPs: string[];
  hostIP: string;
  nodeAllocatable: { cpuMilli: number; memoryBytes: number; ephemeralBytes: number };
}

const quote = (v: string) => JSON.stringify(v);
const mapLines = (m: Readonly<Record<string, string>> | undefined) =>
  Object.keys(m ?? {}).sort().map(k => `${k}=${quote(m![k]!)}`).join('\n');

export function fieldRefValue(pod: Pod, ref: ObjectFieldSelector, f: PodRuntimeFacts): string {
  const m = pod.metadata ?? {};
  const path = ref.fieldPath;
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sub) return (sub[1] === 'labels' ? m.labels : m.annotations)?.[sub[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return m.name ?? '';
    case 'metadata.namespace': return m.namespace ?? '';
    case 'metadata.uid': return m.uid ?? '';
    case 'metadata.labels': return mapLines(m.labels);
    case 'metadata.annotations': return mapLines(m.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': return f.hostIP;
    case 'status.hostIPs': return f.hostIP;
    case 'status.podIP': return pod.spec?.hostNetwork ? f.hostIP : (f.podIPs[0] ?? '');
    case 'status.podIPs': return pod.spec?.hostNetwork ? f.hostIP : f.podIPs.join(',');
    default: throw new ContainerConfigError('CreateContainerConfigError', `unsupported fieldPath: ${path}`);
  }
}

export function resourceFieldValue(pod: Pod, ref: ResourceFieldSelector, defaultContainer: Container | undefined, f: PodRuntimeFacts): string {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const c = ref.containerName ? all.find(x => x.name === ref.containerName) : defaultContainer;
  if (!c) throw new ContainerConfigError('CreateContainerConfigError', `container ${ref.containerName ?? ''} not found for resourceFieldRef`);
  const [kind, res] = ref.resource.split('.') as [string, string];
  const set = kind === 'limits' ? c.resources?.limits : c.resources?.requests;
  let q = tryParseQuantity(set?.[res]);
  if (!q && kind === 'limits') {
    const a = f.nodeAllocatable;
    q = tryParseQuantity(res === 'cpu' ? `${a.cpuMilli}m` : res === 'memory' ? a.memoryBytes : a.ephemeralBytes);
  }
  const divisor = tryParseQuantity(ref.divisor && ref.divisor !== '0' ? ref.divisor : '1')!;
  if (!q) return '0';
  if (res === 'cpu') return String(Math.ceil(q.milliValue() / Math.max(1, divisor.milliValue())));
  return String(Math.ceil(q.value() / Math.max(1, divisor.value())));
}
