/**
 * The scheduler's plugin seam (upstream's framework/interface.go): one interface per
 * extension point; a plugin implements only the points it needs. Every point but Bind is
 * synchronous, so a whole scheduling cycle sees one consistent cache. Plugins return a
 * Status; they throw only on bugs (the framework turns that into an Error status).
 */
import type { CycleState } from './cycle-state.js';
import type { NamespaceLabels } from './affinity-term.js';
import type { NodeInfo, PodInfo } from './node-info.js';
import type { Status } from './status.js';
import type { Pod } from './types.js';
import type { KubeObject } from '../../api/object.js';

export const MAX_NODE_SCORE = 100;

export interface Plugin {
  readonly name: string;
}

/** The pod as the queue holds it. */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When it last entered the active queue (ordering among equal priorities). */
  timestamp: number;
  attempts: number;
  initialAttemptTimestamp?: number;
  /** Plugins that rejected it last time: only events they care about move it back. */
  unschedulablePlugins: Set<string>;
}

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** Lets preemption and nominated pods update a PreFilter's state incrementally. */
export interface PreFilterExtensions {
  addPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): Status;
  removePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): Status;
}

export interface PreFilterPlugin extends Plugin {
  /** Skip: this pod needs nothing of the plugin's Filter. */
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status;
  preFilterExtensions?(): PreFilterExtensions | undefined;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

export interface PostFilterResult {
  status: Status;
  /** Where the pod should go once victims are gone ('' clears a previous nomination). */
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, filtered: ReadonlyMap<string, Status>): PostFilterResult;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status;
}

export interface NodeScore { name: string; score: number }

export interface ScorePlugin extends Plugin {
  /** 0..MAX_NODE_SCORE (or any range if normalizeScore rescales it). */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number | Status;
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): Status;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** Runs in the binding cycle before Bind; may wait (e.g. for volumes to be bound). */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

export interface BindPlugin extends Plugin {
  /** Skip: let the next binder do it. */
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

// --- cluster events: what can make a rejected pod schedulable again ---

export type EventResource = 'Node' | 'AssignedPod' | 'UnscheduledPod' | 'Namespace' | 'PriorityClass'
  | 'PersistentVolumeClaim' | 'PersistentVolume' | 'StorageClass' | '*';
export type ActionType = 'Add' | 'Update' | 'Delete' | 'UpdateNodeLabel' | 'UpdateNodeTaint' | 'UpdateNodeAllocatable'
  | 'UpdateNodeCondition' | 'UpdatePodLabel' | 'UpdatePodScaleDown' | '*';

export interface ClusterEvent { resource: EventResource; action: ActionType; label?: string }

/** Plugins that reject pods say which events may change their mind (upstream's EnqueueExtensions). */
export interface EnqueueExtensions {
  events(): ClusterEvent[];
}

/** The nodes of the current cycle (upstream's SharedLister). */
export interface NodeLister {
  list(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Nodes with at least one pod that has pod (anti-)affinity. */
  havePodsWithAffinity(): readonly NodeInfo[];
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[];
  /** How many nodes report this image (node.status.images). */
  imageNodeCount(image: string): number;
  imageSize(node: string, image: string): number | undefined;
}

/** What the framework runs on plugins' behalf; handed to PostFilter plugins for dry runs. */
export interface FrameworkRunner {
  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  runFilterWithNominated(state: CycleState, pod: PodInfo, node: NodeInfo, nominated: readonly PodInfo[]): Status;
  runPreFilterAddPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): Status;
  runPreFilterRemovePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): Status;
}

/** Victims of preemption and the pod they make room for; the scheduler evicts asynchronously. */
export interface Preemptor {
  evict(preemptor: Pod, nodeName: string, victims: readonly Pod[]): void;
  /** Pods nominated to this node (to clear lower-priority nominations). */
  nominatedPods(nodeName: string): readonly PodInfo[];
}

/** What plugins get at construction. */
export interface Handle {
  readonly nodes: NodeLister;
  readonly namespaceLabels: NamespaceLabels;
  /** Set once the framework is built (PostFilter needs it). */
  framework?: FrameworkRunner;
  readonly preemptor?: Preemptor;
  /** Resolves a pod's priority (spec.priority, else its PriorityClass). */
  readonly priorityOf: (pod: Pod) => number;
  /** spec.preemptionPolicy, else its PriorityClass's, else PreemptLowerPriority. */
  readonly preemptionPolicyOf?: (pod: Pod) => string;
  readonly bindPod?: (pod: Pod, nodeName: string) => Promise<void>;
  /** Claims, volumes and classes, and the writes that bind them (the VolumeBinding plugin). */
  readonly volumes?: VolumeAccess;
}

/** Storage objects as the scheduler's informers see them, plus the binding writes. */
export interface VolumeAccess {
  claim(namespace: string, name: string): KubeObject | undefined;
  volume(name: string): KubeObject | undefined;
  volumes(): readonly KubeObject[];
  storageClass(name: string): KubeObject | undefined;
  /** Volumes promised to claims by pods in their binding cycle (not to be offered to others). */
  readonly assumed: Map<string, string>;
  /** PreBind's writes: claimRef on statically matched volumes, selected-node on claims to provision. */
  bind(claimRefs: ReadonlyArray<{ volume: string; claim: KubeObject }>, provision: readonly KubeObject[], node: string): Promise<void>;
  /** Resolves true once every claim is Bound, false when `timeoutMs` passes first. */
  waitForBound(claims: ReadonlyArray<{ namespace: string; name: string }>, timeoutMs: number): Promise<boolean>;
}

export type PluginFactory = (args: Record<string, unknown>, handle: Handle) => Plugin;
