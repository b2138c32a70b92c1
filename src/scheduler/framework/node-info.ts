/**
 * What filters and scores read: a pod with its derived facts computed once (PodInfo),
 * and a node with the aggregate of the pods on it (NodeInfo), as upstream's framework types.
 */
import { podRequests, Resource } from './resource.js';
import { newHotRow, writeHotRow } from './hot-row.js';
import { compileTerm, compileWeighted, type AffinityTerm, type WeightedAffinityTerm } from './affinity-term.js';
import { podKey, type Node, type Pod, type Taint } from './types.js';

const NO_TAINTS: readonly Taint[] = Object.freeze([]);

export interface HostPort { ip: string; protocol: string; port: number }

export class PodInfo {
  readonly key: string;
  readonly requests: Resource;
  /** Requests with defaults for request-less containers: for scoring only. */
  readonly nonZeroRequests: Resource;
  readonly hostPorts: HostPort[];
  readonly requiredAffinity: AffinityTerm[];
  readonly requiredAntiAffinity: AffinityTerm[];
  readonly preferredAffinity: WeightedAffinityTerm[];
  readonly preferredAntiAffinity: WeightedAffinityTerm[];
  /** Compiling a term can fail on a selector the API server let through; the pod then never matches. */
  readonly parseError?: string;
  #priority?: number;

  constructor(readonly pod: Pod, readonly priorityOf: (pod: Pod) => number = p => p.spec?.priority ?? 0) {
    this.key = podKey(pod);
    this.requests = podRequests(pod);
    this.nonZeroRequests = podRequests(pod, true);
    this.hostPorts = hostPortsOf(pod);
    const a = pod.spec?.affinity;
    let req: AffinityTerm[] = [], anti: AffinityTerm[] = [], pref: WeightedAffinityTerm[] = [], prefAnti: WeightedAffinityTerm[] = [];
    try {
      req = (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(t => compileTerm(t, pod));
      anti = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(t => compileTerm(t, pod));
      pref = compileWeighted(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, pod);
      prefAnti = compileWeighted(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, pod);
    } catch (e) {
      this.parseError = e instanceof Error ? e.message : String(e);
    }
    this.requiredAffinity = req; this.requiredAntiAffinity = anti;
    this.preferredAffinity = pref; this.preferredAntiAffinity = prefAnti;
  }

  /** Resolved lazily: PriorityClasses may sync after the pod was first seen. */
  get priority(): number { return (this.#priority ??= this.priorityOf(this.pod)); }

  get hasAffinity(): boolean {
    return this.requiredAffinity.length + this.requiredAntiAffinity.length + this.preferredAffinity.length + this.preferredAntiAffinity.length > 0;
  }
}

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function portsConflict(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0');
}

export class NodeInfo {
  node?: Node;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts: HostPort[] = [];
  requested = new Resource();
  nonZeroRequested = new Resource();
  allocatable = new Resource();
  /**
   * The node's spec.taints and spec.unschedulable, copied here by setNode: filters and scores
   * read them for every node a cycle visits, and the Node object itself is far away in memory.
   */
  taints: readonly Taint[] = NO_TAINTS;
  unschedulable = false;
  /** allocatable, requested, nonZeroRequested and the pod count as hot-row.ts lays them out. */
  readonly hot = newHotRow();
  /** Bumped on every change (the cache uses it to keep derived lists fresh). */
  generation = 0;

  constructor(readonly name: string, node?: Node) {
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = Resource.fromList(node.status?.allocatable as Record<string, unknown> | undefined);
    this.taints = node.spec?.taints?.length ? node.spec.taints : NO_TAINTS;
    this.unschedulable = !!node.spec?.unschedulable;
    this.#sync();
    this.generation++;
  }

  #sync(): void { writeHotRow(this.hot, this.allocatable, this.requested, this.nonZeroRequested, this.pods.length); }

  get labels(): Readonly<Record<string, string>> { return (this.node?.metadata?.labels ?? {}) as Record<string, string>; }

  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    if (pi.hasAffinity) this.podsWithAffinity.push(pi);
    if (pi.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity.push(pi);
    this.requested.add(pi.requests);
    this.nonZeroRequested.add(pi.nonZeroRequests);
    for (const p of pi.hostPorts) this.usedPorts.push(p);
    this.#sync();
    this.generation++;
  }

  /** Removes by key; false when the pod was not here. */
  removePod(key: string): boolean {
    const i = this.pods.findIndex(p => p.key === key);
    if (i < 0) return false;
    const pi = this.pods[i]!;
    this.pods.splice(i, 1);
    const drop = (list: PodInfo[]) => { const j = list.indexOf(pi); if (j >= 0) list.splice(j, 1); };
    drop(this.podsWithAffinity);
    drop(this.podsWithRequiredAntiAffinity);
    this.requested.sub(pi.requests);
    this.nonZeroRequested.sub(pi.nonZeroRequests);
    for (const p of pi.hostPorts) {
      const j = this.usedPorts.indexOf(p);
      if (j >= 0) this.usedPorts.splice(j, 1);
    }
    this.#sync();
    this.generation++;
    return true;
  }

  /** A copy whose pod lists and sums can change without touching this one (preemption dry runs). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.allocatable = this.allocatable;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    c.usedPorts = [...this.usedPorts];
    c.requested = this.requested.clone();
    c.nonZeroRequested = this.nonZeroRequested.clone();
    c.generation = this.generation;
    c.#sync();
    return c;
  }
}
