/**
 * Which nodes a DaemonSet runs on (NodeShouldRunDaemonPod) and the pod it puts there:
 * node name, nodeSelector and required node affinity, and taints against the template's
 * tolerations plus the ones upstream adds to every daemon pod.
 */
import type { NodeSelectorTerm, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { nodeSelectorTermsMatch } from '../api/selectors/index.js';
import { newControllerRef, podFromTemplate, toleratesAll, type Obj } from './workload-utils-b.js';

export const DS = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;
export const HASH_LABEL = 'controller-revision-hash';
export const GENERATION_LABEL = 'pod-template-generation';
/** Set by upstream's API server on DaemonSets; honoured when present. */
const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';
const templateGeneration = (ds: Obj): string | undefined => ds.metadata?.annotations?.[TEMPLATE_GENERATION];

/** AddOrUpdateDaemonPodTolerations: daemons keep running through node trouble. */
export function daemonTolerations(spec: Obj['spec']): Toleration[] {
  const add: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec?.hostNetwork) add.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const tols: Toleration[] = [...((spec?.tolerations ?? []) as Toleration[])];
  for (const t of add) {
    const same = (x: Toleration) => x.key === t.key && x.effect === t.effect && (x.operator ?? 'Equal') === t.operator && (x.value ?? '') === '';
    if (!tols.some(same)) tols.push(t);
  }
  return tols;
}

/** nodeSelector and requiredDuringSchedulingIgnoredDuringExecution (GetRequiredNodeAffinity). */
export function fitsNodeAffinity(spec: Obj['spec'], node: Obj): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries((spec?.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as NodeSelectorTerm[] | undefined;
  return !terms || nodeSelectorTermsMatch(terms, node);
}

/**
 * shouldRun: a daemon pod belongs on the node. shouldContinueRunning: an existing one may
 * stay (a NoSchedule taint added later does not evict; an untolerated NoExecute does).
 */
export function nodeShouldRunDaemonPod(node: Obj, ds: Obj): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec?.template?.spec ?? {};
  if (spec.nodeName && spec.nodeName !== node.metadata!.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!fitsNodeAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tols = daemonTolerations(spec);
  const taints = (node.spec?.taints ?? []) as Taint[];
  const untolerated = (effects: string[]) => taints.some(t => effects.includes(t.effect) && !toleratesAll(tols, t));
  if (untolerated(['NoSchedule', 'NoExecute'])) return { shouldRun: false, shouldContinueRunning: !untolerated(['NoExecute']) };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The node a daemon pod is for: its nodeName, or the metadata.name term the controller set. */
export function targetNode(pod: Obj): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = (pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) as NodeSelectorTerm[];
  for (const t of terms) {
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/**
 * The pod for one node: the template with daemon tolerations, the revision labels and a
 * required node affinity on metadata.name (the scheduler binds it, as upstream).
 */
export function newDaemonPod(ds: Obj, nodeName: string, hash: string): Obj {
  const pod = podFromTemplate(ds.spec.template, ds.metadata!.name!, newControllerRef(ds, DS.apiVersion, DS.kind));
  pod.metadata!.labels![HASH_LABEL] = hash;
  const gen = templateGeneration(ds);
  if (gen) pod.metadata!.labels![GENERATION_LABEL] = gen;
  pod.spec.tolerations = daemonTolerations(pod.spec);
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const affinity = (pod.spec.affinity ??= {});
  const na = (affinity.nodeAffinity ??= {});
  na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
  return pod;
}

/** IsPodUpdated: at the current hash (or, for old pods, the current template generation). */
export function isPodUpdated(pod: Obj, hash: string, ds: Obj): boolean {
  const l = pod.metadata?.labels ?? {};
  const gen = templateGeneration(ds);
  return l[HASH_LABEL] === hash || (gen !== undefined && l[GENERATION_LABEL] === gen);
}
