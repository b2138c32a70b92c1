/**
 * TaintToleration: NoSchedule/NoExecute taints must be tolerated (filter); fewer
 * untolerated PreferNoSchedule taints score higher.
 */
import type { CycleState } from '../framework/cycle-state.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, NodeScore, PreScorePlugin, ScorePlugin } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import { SUCCESS, unresolvable, type Status } from '../framework/status.js';
import { firstUntolerated, toleratedBy } from '../framework/taints.js';
import type { Toleration } from '../framework/types.js';
import { defaultNormalizeScore } from './helpers.js';

export const NAME = 'TaintToleration';
const HARD = ['NoSchedule', 'NoExecute'];
const KEY = 'PreScore' + NAME;

class PreScoreState { constructor(readonly tolerations: Toleration[]) {} clone() { return this; } }

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  events(): ClusterEvent[] {
    return [{ resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'UpdateNodeTaint' }];
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (node.taints.length === 0) return SUCCESS;
    const taint = firstUntolerated(node.taints, pod.pod.spec?.tolerations, HARD);
    if (!taint) return SUCCESS;
    return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    // Only tolerations that can matter for PreferNoSchedule.
    const tols = (pod.pod.spec?.tolerations ?? []).filter(t => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(KEY, new PreScoreState(tols));
    return SUCCESS;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const taints = node.taints;
    // Most nodes have no taints: no state lookup for them (nodes × pods calls a run).
    if (taints.length === 0) return 0;
    const tols = state.read<PreScoreState>(KEY)?.tolerations ?? pod.pod.spec?.tolerations ?? [];
    let n = 0;
    for (const taint of taints) {
      if (taint.effect === 'PreferNoSchedule' && !toleratedBy(tols, taint)) n++;
    }
    return n;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): Status {
    defaultNormalizeScore(scores, true);
    return SUCCESS;
  }
}

export const newTaintToleration = (): TaintToleration => new TaintToleration();
