/**
 * NodeResourcesBalancedAllocation: prefers nodes where cpu and memory would be used in
 * equal shares after placing the pod: score = (1 - standard deviation of the shares) * 100.
 */
import type { CycleState } from '../framework/cycle-state.js';
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import { ALLOC_CPU, ALLOC_MEM, REQ_CPU, REQ_MEM } from '../framework/hot-row.js';

export const NAME = 'NodeResourcesBalancedAllocation';

export function balancedScore(fractions: number[]): number {
  if (fractions.length === 0) return MAX_NODE_SCORE;
  const f = fractions.map(x => Math.min(x, 1));
  const mean = f.reduce((a, b) => a + b, 0) / f.length;
  const variance = f.reduce((a, x) => a + (x - mean) ** 2, 0) / f.length;
  return Math.floor((1 - Math.sqrt(variance)) * MAX_NODE_SCORE);
}

export class BalancedAllocation implements ScorePlugin {
  readonly name = NAME;

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const h = node.hot;
    const allocCpu = h[ALLOC_CPU]!, allocMem = h[ALLOC_MEM]!;
    // Real requests (not the non-zero defaults), as upstream does for balance.
    if (allocCpu > 0 && allocMem > 0) {
      // Two resources: the standard deviation is half the difference of the shares.
      const cpu = Math.min((h[REQ_CPU]! + pod.requests.milliCPU) / allocCpu, 1);
      const mem = Math.min((h[REQ_MEM]! + pod.requests.memory) / allocMem, 1);
      return Math.floor((1 - Math.abs(cpu - mem) / 2) * MAX_NODE_SCORE);
    }
    const a = node.allocatable;
    const fr: number[] = [];
    if (a.milliCPU > 0) fr.push((node.requested.milliCPU + pod.requests.milliCPU) / a.milliCPU);
    if (a.memory > 0) fr.push((node.requested.memory + pod.requests.memory) / a.memory);
    return balancedScore(fr);
  }
}

export const newBalancedAllocation = (): BalancedAllocation => new BalancedAllocation();
