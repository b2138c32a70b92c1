/**
 * Pods nominated to a node by preemption (status.nominatedNodeName), so later cycles
 * keep the room free for them (upstream's nominator).
 */
import type { PodInfo } from '../framework/node-info.js';

/** What podsOn answers for most nodes: one shared empty list, not a new one per call (nodes × pods calls). */
const NONE: readonly PodInfo[] = Object.freeze([]);

export class Nominator {
  readonly #byNode = new Map<string, PodInfo[]>();
  readonly #nodeOf = new Map<string, string>();

  /** Records (or moves) a nomination; '' or undefined removes it. */
  set(pi: PodInfo, node: string | undefined): void {
    this.delete(pi.key);
    if (!node) return;
    this.#nodeOf.set(pi.key, node);
    let list = this.#byNode.get(node);
    if (!list) this.#byNode.set(node, (list = []));
    list.push(pi);
  }

  delete(key: string): void {
    const node = this.#nodeOf.get(key);
    if (node === undefined) return;
    this.#nodeOf.delete(key);
    const list = (this.#byNode.get(node) ?? []).filter(p => p.key !== key);
    if (list.length) this.#byNode.set(node, list); else this.#byNode.delete(node);
  }

  nodeOf(key: string): string | undefined { return this.#nodeOf.get(key); }

  /** Pods nominated anywhere: a cycle with none skips the lookup per node. */
  get size(): number { return this.#nodeOf.size; }

  podsOn(node: string): readonly PodInfo[] { return this.#byNode.get(node) ?? NONE; }
}
