/**
 * NodeAffinity: nodeSelector and required node affinity filter nodes; preferred terms
 * score the sum of matching weights, normalized to 0..100.
 */
import type { CycleState } from '../framework/cycle-state.js';
import type {
  ClusterEvent, EnqueueExtensions, FilterPlugin, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin,
} from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import { PreferredNodeAffinity, RequiredNodeAffinity } from '../framework/node-selector.js';
import { SKIP, SUCCESS, unresolvable, type Status } from '../framework/status.js';
import { defaultNormalizeScore } from './helpers.js';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
const PRE_FILTER = 'PreFilter' + NAME;
const PRE_SCORE = 'PreScore' + NAME;

class FilterState { constructor(readonly required: RequiredNodeAffinity) {} clone() { return this; } }
class ScoreState { constructor(readonly preferred: PreferredNodeAffinity) {} clone() { return this; } }

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  events(): ClusterEvent[] {
    return [{ resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'UpdateNodeLabel' }];
  }

  preFilter(state: CycleState, pod: PodInfo): Status {
    const required = new RequiredNodeAffinity(pod.pod);
    if (required.empty) return SKIP;
    state.write(PRE_FILTER, new FilterState(required));
    return SUCCESS;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (!node.node) return unresolvable('node not found');
    const required = state.read<FilterState>(PRE_FILTER)?.required ?? new RequiredNodeAffinity(pod.pod);
    return required.matches(node.node) ? SUCCESS : unresolvable(ERR_REASON_POD);
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    const pref = new PreferredNodeAffinity(pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []);
    if (pref.empty) return SKIP;
    state.write(PRE_SCORE, new ScoreState(pref));
    return SUCCESS;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    if (!node.node) return 0;
    const pref = state.read<ScoreState>(PRE_SCORE)?.preferred
      ?? new PreferredNodeAffinity(pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []);
    return pref.score(node.node);
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): Status {
    defaultNormalizeScore(scores, false);
    return SUCCESS;
  }
}

export const newNodeAffinity = (): NodeAffinity => new NodeAffinity();
