/**
 * Matching claims to volumes (upstream's pkg/controller/volume/persistentvolume/util):
 * shared by the PV controller (binding) and the scheduler (VolumeBinding plugin), so
 * both agree on which volume a claim may use.
 */
import type { KubeObject } from '../object.js';
import { labelSelectorFromObject, nodeSelectorTermsMatch, type NodeSelectorTermLike } from '../selectors/index.js';
import { tryParseQuantity } from '../validation/quantity.js';

export const ANN_BETA_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** A class whose volumes are only created by hand (upstream's "kubernetes.io/no-provisioner"). */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

type Obj = KubeObject;

/** GetPersistentVolumeClaimClass: the beta annotation wins, then spec.storageClassName, else "". */
export function claimClass(pvc: Obj): string {
  return pvc.metadata?.annotations?.[ANN_BETA_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

export function volumeClass(pv: Obj): string {
  return pv.metadata?.annotations?.[ANN_BETA_CLASS] ?? pv.spec?.storageClassName ?? '';
}

/** IsVolumeBoundToClaim: the volume's claimRef names this claim (and its uid, when set). */
export function isVolumeBoundToClaim(pv: Obj, pvc: Obj): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== pvc.metadata?.name || ref.namespace !== pvc.metadata?.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata?.uid;
}

/** CheckNodeAffinity: a volume without node affinity is reachable from every node. */
export function volumeNodeAffinityMatches(pv: Obj, node: Obj): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms as NodeSelectorTermLike[] | undefined;
  return !terms || nodeSelectorTermsMatch(terms, node);
}

/** StorageClass allowedTopologies against a node (no topologies: anywhere). */
export function classAllowsNode(sc: Obj | undefined, node: Obj): boolean {
  const topo = (sc?.allowedTopologies ?? []) as Array<{ matchLabelExpressions?: Array<{ key: string; values?: string[] }> }>;
  if (!topo.length) return true;
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  return topo.some(t => (t.matchLabelExpressions ?? []).every(e => (e.values ?? []).includes(labels[e.key] ?? '\0')));
}

const storageOf = (q: unknown) => tryParseQuantity(q);

/** Every access mode the claim asks for is offered by the volume. */
function accessModesOffered(pvc: Obj, pv: Obj): boolean {
  const offered = new Set<string>(pv.spec?.accessModes ?? []);
  return ((pvc.spec?.accessModes ?? []) as string[]).every(m => offered.has(m));
}

export interface MatchOptions {
  /** Scheduler path: the node the pod is going to (volumes must be reachable from it). */
  node?: Obj;
  /** Volume names already taken by other claims in this decision. */
  excluded?: ReadonlySet<string>;
  /** The claim's class binds on first consumer: without a node, only pre-bound volumes match. */
  delayBinding?: boolean;
}

/**
 * FindMatchingVolume: a volume pre-bound to the claim wins; otherwise the smallest
 * Available, unclaimed volume of the claim's class that is big enough, offers the access
 * modes and volume mode, matches the claim's selector and (with a node) is reachable.
 */
export function findMatchingVolume(pvc: Obj, volumes: Iterable<Obj>, o: MatchOptions = {}): Obj | undefined {
  const requested = storageOf(pvc.spec?.resources?.requests?.storage);
  if (!requested) return undefined;
  const wantClass = claimClass(pvc);
  const wantMode = pvc.spec?.volumeMode ?? 'Filesystem';
  const selector = pvc.spec?.selector ? labelSelectorFromObject(pvc.spec.selector) : undefined;
  let best: Obj | undefined;
  let bestSize: ReturnType<typeof storageOf>;
  for (const pv of volumes) {
    const name = pv.metadata?.name ?? '';
    if (o.excluded?.has(name) || pv.metadata?.deletionTimestamp) continue;
    const size = storageOf(pv.spec?.capacity?.storage);
    if (!size || (pv.spec?.volumeMode ?? 'Filesystem') !== wantMode) continue;
    const reachable = !o.node || volumeNodeAffinityMatches(pv, o.node);
    if (isVolumeBoundToClaim(pv, pvc)) {
      if (size.cmp(requested) < 0 || !reachable) return undefined;
      return pv;
    }
    if (!o.node && o.delayBinding) continue;
    if (size.cmp(requested) < 0 || pv.status?.phase !== 'Available' || pv.spec?.claimRef) continue;
    if (selector && !selector.matches(pv.metadata?.labels ?? {})) continue;
    if (volumeClass(pv) !== wantClass || !reachable || !accessModesOffered(pvc, pv)) continue;
    if (!best || bestSize!.cmp(size) > 0) { best = pv; bestSize = size; }
  }
  return best;
}
