/** PodTopologySpread: maxSkew across topology domains; DoNotSchedule filters, ScheduleAnyway scores. */
import type { CycleState } from '../../framework/cycle-state.js';
import type {
  ClusterEvent, EnqueueExtensions, FilterPlugin, Handle, NodeLister, NodeScore, PreFilterExtensions, PreFilterPlugin,
  PreScorePlugin, ScorePlugin,
} from '../../framework/interface.js';
import type { NodeInfo, PodInfo } from '../../framework/node-info.js';
import { asError, SKIP, SUCCESS, type Status } from '../../framework/status.js';
import { computeFilterState, filterNode, PRE_FILTER_KEY, readFilterState } from './filtering.js';
import { computeScoreState, normalize, PRE_SCORE_KEY, scoreNode, type ScoreState } from './scoring.js';

export const NAME = 'PodTopologySpread';

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  constructor(readonly nodes: NodeLister) {}

  events(): ClusterEvent[] {
    return [
      { resource: 'AssignedPod', action: 'Add' }, { resource: 'AssignedPod', action: 'Delete' },
      { resource: 'AssignedPod', action: 'UpdatePodLabel' },
      { resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'UpdateNodeLabel' }, { resource: 'Node', action: 'UpdateNodeTaint' },
      { resource: 'Node', action: 'Delete' },
    ];
  }

  preFilter(state: CycleState, pod: PodInfo): Status {
    const st = computeFilterState(pod, this.nodes);
    if (!st) return SKIP;
    state.write(PRE_FILTER_KEY, st);
    return SUCCESS;
  }

  preFilterExtensions(): PreFilterExtensions {
    const upd = (d: number) => (state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): Status => {
      const st = readFilterState(state);
      if (!st) return asError(new Error(`${PRE_FILTER_KEY} missing`));
      st.update(pod, other, node, d);
      return SUCCESS;
    };
    return { addPod: upd(1), removePod: upd(-1) };
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const st = readFilterState(state) ?? computeFilterState(pod, this.nodes);
    return st ? filterNode(st, pod, node) : SUCCESS;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    const st = computeScoreState(pod, nodes, this.nodes);
    if (!st) return SKIP;
    state.write(PRE_SCORE_KEY, st);
    return SUCCESS;
  }

  score(state: CycleState, _p: PodInfo, node: NodeInfo): number {
    const st = state.read<ScoreState>(PRE_SCORE_KEY);
    return st ? scoreNode(st, node) : 0;
  }

  normalizeScore(state: CycleState, _p: PodInfo, scores: NodeScore[]): Status {
    const st = state.read<ScoreState>(PRE_SCORE_KEY);
    if (st) normalize(st, scores);
    return SUCCESS;
  }
}

export const newPodTopologySpread = (_a: unknown, h: Handle): PodTopologySpread => new PodTopologySpread(h.nodes);
