/** Taint/toleration matching (upstream's v1helper.TolerationsTolerateTaint). */
import type { Taint, Toleration } from './types.js';

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return !t.key || t.key === taint.key;
  // Equal (the default): key and value must both match.
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

export function toleratedBy(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some(t => tolerates(t, taint));
}

/** The first taint with one of `effects` that no toleration covers. */
export function firstUntolerated(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined,
  effects: readonly string[]): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!effects.includes(taint.effect)) continue;
    if (!toleratedBy(tolerations, taint)) return taint;
  }
  return undefined;
}
