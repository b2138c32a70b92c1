/** Fixture builders in the manner of upstream's st.MakePod()/st.MakeNode(), plus a tiny harness. */
import type { Node, Pod, Taint, Toleration, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import {
  CycleState, Framework, PodInfo, SchedulerCache, defaultProfile, inTreeRegistry, type Handle, type Profile,
} from '../../src/scheduler/index.js';

type Res = Record<string, string>;
type Term = { topologyKey: string; labelSelector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }; namespaces?: string[]; namespaceSelector?: object };

export class PodWrapper {
  // Built as a mutable plain object, handed out as the wire type.
  p: any = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'uid-p', labels: {} }, spec: { containers: [] }, status: { phase: 'Pending' } };
  name(n: string) { this.p.metadata.name = n; this.p.metadata.uid = `uid-${n}`; return this; }
  namespace(ns: string) { this.p.metadata.namespace = ns; return this; }
  label(k: string, v: string) { this.p.metadata.labels[k] = v; return this; }
  priority(v: number) { this.p.spec.priority = v; return this; }
  node(n: string) { this.p.spec.nodeName = n; return this; }
  nodeNameRequested(n: string) { return this.node(n); }
  startTime(t: string) { this.p.status.startTime = t; return this; }
  terminating() { this.p.metadata.deletionTimestamp = '2024-01-01T00:00:00Z'; return this; }
  container(req: Res = {}, image = 'busybox') {
    this.p.spec.containers.push({ name: `c${this.p.spec.containers.length}`, image, resources: { requests: req } });
    return this;
  }
  req(req: Res) { return this.container(req); }
  init(req: Res, sidecar = false) {
    (this.p.spec.initContainers ??= []).push({ name: `i${this.p.spec.initContainers?.length ?? 0}`, image: 'busybox', resources: { requests: req }, ...(sidecar ? { restartPolicy: 'Always' } : {}) });
    return this;
  }
  overhead(o: Res) { this.p.spec.overhead = o; return this; }
  hostPort(port: number, protocol = 'TCP', hostIP?: string) {
    if (!this.p.spec.containers.length) this.container();
    this.p.spec.containers[0].ports = [...(this.p.spec.containers[0].ports ?? []), { containerPort: port, hostPort: port, protocol, ...(hostIP ? { hostIP } : {}) }];
    return this;
  }
  nodeSelector(sel: Record<string, string>) { this.p.spec.nodeSelector = sel; return this; }
  nodeAffinityIn(key: string, values: string[], op = 'In') {
    const na = ((this.p.spec.affinity ??= {}).nodeAffinity ??= {});
    (na.requiredDuringSchedulingIgnoredDuringExecution ??= { nodeSelectorTerms: [] }).nodeSelectorTerms.push({ matchExpressions: [{ key, operator: op, values }] });
    return this;
  }
  preferredNodeAffinity(weight: number, key: string, values: string[]) {
    const na = ((this.p.spec.affinity ??= {}).nodeAffinity ??= {});
    (na.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({ weight, preference: { matchExpressions: [{ key, operator: 'In', values }] } });
    return this;
  }
  toleration(t: Toleration) { (this.p.spec.tolerations ??= []).push(t); return this; }
  podAffinity(kind: 'podAffinity' | 'podAntiAffinity', term: Term, weight?: number) {
    const a = ((this.p.spec.affinity ??= {})[kind] ??= {});
    if (weight === undefined) (a.requiredDuringSchedulingIgnoredDuringExecution ??= []).push(term);
    else (a.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({ weight, podAffinityTerm: term });
    return this;
  }
  spread(maxSkew: number, topologyKey: string, when: 'DoNotSchedule' | 'ScheduleAnyway', matchLabels: Record<string, string>, extra: Partial<TopologySpreadConstraint> = {}) {
    (this.p.spec.topologySpreadConstraints ??= []).push({ maxSkew, topologyKey, whenUnsatisfiable: when, labelSelector: { matchLabels }, ...extra });
    return this;
  }
  preemptionPolicy(p: string) { this.p.spec.preemptionPolicy = p; return this; }
  nominated(n: string) { this.p.status.nominatedNodeName = n; return this; }
  obj(): Pod { return structuredClone(this.p); }
}

export class NodeWrapper {
  n: any = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: {} }, spec: {}, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } };
  name(n: string) { this.n.metadata.name = n; this.n.metadata.labels['kubernetes.io/hostname'] = n; return this; }
  label(k: string, v: string) { this.n.metadata.labels[k] = v; return this; }
  capacity(r: Res) { this.n.status.allocatable = { ...this.n.status.allocatable, ...r }; this.n.status.capacity = this.n.status.allocatable; return this; }
  taint(t: Taint) { (this.n.spec.taints ??= []).push(t); return this; }
  unschedulable() { this.n.spec.unschedulable = true; return this; }
  images(list: Array<{ names: string[]; sizeBytes: number }>) { this.n.status.images = list; return this; }
  obj(): Node { return structuredClone(this.n); }
}

export const makePod = (name = 'p') => new PodWrapper().name(name);
export const makeNode = (name = 'n') => new NodeWrapper().name(name);

export const pi = (p: Pod) => new PodInfo(p);

/** A cache with these nodes and (assigned) pods. */
export function cacheOf(nodes: Node[], pods: Pod[] = []): SchedulerCache {
  const c = new SchedulerCache();
  for (const n of nodes) c.addNode(n);
  for (const p of pods) c.addPod(pi(p), p.spec!.nodeName!);
  return c;
}

export interface Harness { fw: Framework; cache: SchedulerCache; handle: Handle; evicted: Array<{ node: string; victims: string[] }> }

/** The default profile over a cache; evictions are recorded instead of sent. */
export function harness(nodes: Node[], pods: Pod[] = [], nsLabels: Record<string, Record<string, string>> = {}, profile: Profile = defaultProfile()): Harness {
  const cache = cacheOf(nodes, pods);
  const evicted: Harness['evicted'] = [];
  const handle: Handle = {
    nodes: cache,
    namespaceLabels: ns => nsLabels[ns],
    priorityOf: p => p.spec?.priority ?? 0,
    bindPod: async () => {},
    preemptor: {
      evict: (_p, node, victims) => { evicted.push({ node, victims: victims.map(v => v.metadata!.name!) }); },
      nominatedPods: () => [],
    },
  };
  const fw = new Framework(inTreeRegistry(), profile, handle);
  return { fw, cache, handle, evicted };
}

/** PreFilter then Filter for one node, as the framework runs them. */
export function runFilter(h: Harness, pod: Pod, node: string): { code: number; reasons: readonly string[] } {
  const state = new CycleState();
  const p = pi(pod);
  const pre = h.fw.runPreFilterPlugins(state, p, h.cache.list());
  if (!pre.isSuccess()) return { code: pre.code, reasons: pre.reasons };
  const s = h.fw.runFilterPlugins(state, p, h.cache.get(node)!);
  return { code: s.code, reasons: s.reasons };
}
