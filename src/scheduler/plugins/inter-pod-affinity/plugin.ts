/** InterPodAffinity: required and preferred pod affinity / anti-affinity over topology domains. */
import type { CycleState } from '../../framework/cycle-state.js';
import type { NamespaceLabels } from '../../framework/affinity-term.js';
import type {
  ClusterEvent, EnqueueExtensions, FilterPlugin, Handle, NodeLister, NodeScore, PreFilterExtensions, PreFilterPlugin,
  PreScorePlugin, ScorePlugin,
} from '../../framework/interface.js';
import type { NodeInfo, PodInfo } from '../../framework/node-info.js';
import { asError, SKIP, SUCCESS, unresolvable, unschedulable, type Status } from '../../framework/status.js';
import {
  computeFilterState, ERR_AFFINITY, ERR_ANTI_AFFINITY, ERR_EXISTING_ANTI_AFFINITY, PRE_FILTER_KEY, readFilterState,
  satisfiesAffinity, satisfiesAntiAffinity, satisfiesExistingAnti,
} from './filtering.js';
import { computeScoreState, normalize, PRE_SCORE_KEY, scoreNode, type ScoreState } from './scoring.js';

export const NAME = 'InterPodAffinity';

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  constructor(readonly nodes: NodeLister, readonly ns: NamespaceLabels) {}

  events(): ClusterEvent[] {
    return [
      { resource: 'AssignedPod', action: 'Add' }, { resource: 'AssignedPod', action: 'Delete' },
      { resource: 'AssignedPod', action: 'UpdatePodLabel' },
      { resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'UpdateNodeLabel' },
      { resource: 'Namespace', action: 'Add' }, { resource: 'Namespace', action: 'Update' },
    ];
  }

  preFilter(state: CycleState, pod: PodInfo): Status {
    if (pod.parseError) return unresolvable(pod.parseError);
    const st = computeFilterState(pod, this.nodes, this.ns);
    if (!st) return SKIP;
    state.write(PRE_FILTER_KEY, st);
    return SUCCESS;
  }

  preFilterExtensions(): PreFilterExtensions {
    const upd = (n: number) => (state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): Status => {
      const st = readFilterState(state);
      if (!st) return asError(new Error(`${PRE_FILTER_KEY} missing`));
      st.update(pod, other, node, n, this.ns);
      return SUCCESS;
    };
    return { addPod: upd(1), removePod: upd(-1) };
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const st = readFilterState(state) ?? computeFilterState(pod, this.nodes, this.ns);
    if (!st) return SUCCESS;
    if (!satisfiesAffinity(st, pod, node, this.ns)) return unresolvable(ERR_AFFINITY);
    if (!satisfiesAntiAffinity(st, pod, node)) return unschedulable(ERR_ANTI_AFFINITY);
    if (!satisfiesExistingAnti(st, node)) return unschedulable(ERR_EXISTING_ANTI_AFFINITY);
    return SUCCESS;
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    const st = computeScoreState(pod, this.nodes, this.ns);
    if (!st) return SKIP;
    state.write(PRE_SCORE_KEY, st);
    return SUCCESS;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const st = state.read<ScoreState>(PRE_SCORE_KEY);
    return st ? scoreNode(st, node) : 0;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): Status {
    normalize(scores);
    return SUCCESS;
  }
}

export const newInterPodAffinity = (_a: unknown, h: Handle): InterPodAffinity => new InterPodAffinity(h.nodes, h.namespaceLabels);
