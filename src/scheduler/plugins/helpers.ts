/** Shared score helpers (upstream's helper.DefaultNormalizeScore). */
import { MAX_NODE_SCORE, type NodeScore } from '../framework/interface.js';

/** Scales scores to 0..max by the highest one; `reverse` makes low raw scores best. */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean, max = MAX_NODE_SCORE): void {
  let top = 0;
  for (const s of scores) if (s.score > top) top = s.score;
  if (top === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    let v = Math.floor((max * s.score) / top);
    if (reverse) v = max - v;
    s.score = v;
  }
}
