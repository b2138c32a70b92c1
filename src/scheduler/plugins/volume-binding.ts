/**
 * VolumeBinding: a pod's PersistentVolumeClaims decide where it may go (upstream's
 * volumebinding plugin, without storage capacity).
 *  - PreFilter: every claim must exist and not be going away; an unbound claim whose class
 *    binds Immediately must be bound first (the PV controller does that).
 *  - Filter: volumes of bound claims must be reachable from the node (PV node affinity);
 *    each unbound WaitForFirstConsumer claim needs an Available volume reachable from the
 *    node, or a class that can provision there (not kubernetes.io/no-provisioner, allowed topology).
 *  - Reserve: volumes picked for the pod are promised to it, so no other pod takes them.
 *  - PreBind: writes the decisions — claimRef on picked volumes, `volume.kubernetes.io/selected-node`
 *    on claims to provision — and waits until the PV controller reports every claim Bound.
 */
import type { KubeObject } from '../../api/object.js';
import {
  NO_PROVISIONER, claimClass, classAllowsNode, findMatchingVolume, volumeNodeAffinityMatches,
} from '../../api/storage/volume-match.js';
import type { CycleState, StateData } from '../framework/cycle-state.js';
import type {
  ClusterEvent, EnqueueExtensions, FilterPlugin, Handle, PreBindPlugin, PreFilterPlugin, ReservePlugin, VolumeAccess,
} from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import { Code, SKIP, SUCCESS, Status, unresolvable } from '../framework/status.js';
import type { Pod } from '../framework/types.js';

export const NAME = 'VolumeBinding';
export const ERR_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
const STATE_KEY = 'PreFilter' + NAME;
/** How long PreBind waits for the claims to be bound (upstream's bindTimeoutSeconds). */
const BIND_TIMEOUT_MS = 600_000;

type Obj = KubeObject;

interface NodePlan {
  /** Available volumes picked for unbound claims. */
  static: Array<{ volume: string; claim: Obj }>;
  /** Claims the class's provisioner will make a volume for on this node. */
  provision: Obj[];
}

class VolumeState implements StateData {
  constructor(
    readonly boundVolumes: Obj[],
    readonly toBind: Obj[],
    readonly byNode = new Map<string, NodePlan>(),
  ) {}
  clone(): VolumeState { return this; } // read-only after PreFilter; per-node plans are keyed by node
}

const claimKey = (c: Obj) => `${c.metadata!.namespace}/${c.metadata!.name}`;

/** The claim names a pod uses: persistentVolumeClaim volumes and generic ephemeral volumes (`<pod>-<volume>`). */
export function podClaimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name}-${v.name}`);
  }
  return out;
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin, EnqueueExtensions {
  readonly name = NAME;
  readonly #v?: VolumeAccess;

  constructor(handle: Handle) { this.#v = handle.volumes; }

  events(): ClusterEvent[] {
    return [
      { resource: 'PersistentVolumeClaim', action: 'Add' }, { resource: 'PersistentVolumeClaim', action: 'Update' },
      { resource: 'PersistentVolume', action: 'Add' }, { resource: 'PersistentVolume', action: 'Update' },
      { resource: 'StorageClass', action: 'Add' }, { resource: 'StorageClass', action: 'Update' },
      { resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'UpdateNodeLabel' },
    ];
  }

  preFilter(state: CycleState, pi: PodInfo): Status {
    const names = podClaimNames(pi.pod);
    if (!names.length || !this.#v) return SKIP;
    const ns = pi.pod.metadata?.namespace ?? 'default';
    const bound: Obj[] = [], toBind: Obj[] = [];
    for (const name of names) {
      const c = this.#v.claim(ns, name);
      if (!c) return unresolvable(`persistentvolumeclaim "${name}" not found`);
      if (c.metadata?.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
      if (c.spec?.volumeName) {
        const pv = this.#v.volume(c.spec.volumeName);
        if (!pv) return unresolvable(ERR_PV_NOT_EXIST);
        bound.push(pv);
        continue;
      }
      const sc = this.#v.storageClass(claimClass(c));
      if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') return unresolvable(ERR_UNBOUND_IMMEDIATE);
      toBind.push(c);
    }
    state.write(STATE_KEY, new VolumeState(bound, toBind));
    return SUCCESS;
  }

  filter(state: CycleState, _pi: PodInfo, ni: NodeInfo): Status {
    const st = state.read<VolumeState>(STATE_KEY);
    if (!st || !this.#v || !ni.node) return SUCCESS;
    const node = ni.node as Obj;
    for (const pv of st.boundVolumes) if (!volumeNodeAffinityMatches(pv, node)) return unresolvable(ERR_NODE_CONFLICT);
    if (!st.toBind.length) return SUCCESS;
    const plan: NodePlan = { static: [], provision: [] };
    const taken = new Set(this.#v.assumed.keys());
    const all = this.#v.volumes();
    for (const c of st.toBind) {
      const pv = findMatchingVolume(c, all, { node, excluded: taken, delayBinding: true });
      if (pv) {
        taken.add(pv.metadata!.name!);
        plan.static.push({ volume: pv.metadata!.name!, claim: c });
        continue;
      }
      const sc = this.#v.storageClass(claimClass(c));
      if (!sc || sc.provisioner === NO_PROVISIONER || !classAllowsNode(sc, node)) return unresolvable(ERR_BIND_CONFLICT);
      plan.provision.push(c);
    }
    st.byNode.set(ni.name, plan);
    return SUCCESS;
  }

  reserve(state: CycleState, _pi: PodInfo, node: string): Status {
    const plan = state.read<VolumeState>(STATE_KEY)?.byNode.get(node);
    for (const s of plan?.static ?? []) this.#v!.assumed.set(s.volume, claimKey(s.claim));
    return SUCCESS;
  }

  unreserve(state: CycleState, _pi: PodInfo, node: string): void {
    this.#forget(state.read<VolumeState>(STATE_KEY)?.byNode.get(node));
  }

  async preBind(state: CycleState, _pod: Pod, node: string): Promise<Status> {
    const st = state.read<VolumeState>(STATE_KEY);
    if (!st?.toBind.length || !this.#v) return SUCCESS;
    const plan = st.byNode.get(node) ?? { static: [], provision: [] };
    try {
      await this.#v.bind(plan.static, plan.provision, node);
      const ok = await this.#v.waitForBound(st.toBind.map(c => ({ namespace: c.metadata!.namespace!, name: c.metadata!.name! })), BIND_TIMEOUT_MS);
      return ok ? SUCCESS : new Status(Code.Error, ['binding volumes: timed out waiting for the condition']);
    } catch (e) {
      return new Status(Code.Error, [`binding volumes: ${e instanceof Error ? e.message : String(e)}`]);
    } finally {
      this.#forget(plan);
    }
  }

  #forget(plan: NodePlan | undefined): void {
    for (const s of plan?.static ?? []) if (this.#v?.assumed.get(s.volume) === claimKey(s.claim)) this.#v.assumed.delete(s.volume);
  }
}

export const newVolumeBinding = (_args: Record<string, unknown>, handle: Handle): VolumeBinding => new VolumeBinding(handle);
