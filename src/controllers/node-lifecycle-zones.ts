/**
 * Ready and total node counts per zone, kept up to date from node events, so judging a
 * zone's health costs O(1) per node sync instead of a scan of every node. With thousands
 * of nodes going Unknown at once, the scan made each monitor pass quadratic.
 */
import { conditionStatus, zoneOf } from './node-lifecycle-taints.js';
import type { Obj } from './workload-utils-b.js';

interface Seen { zone: string; ready: boolean }
interface Tally { ready: number; total: number }

export class ZoneTally {
  readonly #nodes = new Map<string, Seen>();
  readonly #zones = new Map<string, Tally>();
  #ready = 0;

  /** Records a node as the informer now has it (add or update). */
  set(node: Obj): void {
    const name = node.metadata!.name!;
    this.remove(name);
    const seen = { zone: zoneOf(node), ready: conditionStatus(node, 'Ready') === 'True' };
    this.#nodes.set(name, seen);
    const t = this.#tally(seen.zone);
    t.total++;
    if (seen.ready) { t.ready++; this.#ready++; }
  }

  remove(name: string): void {
    const seen = this.#nodes.get(name);
    if (!seen) return;
    this.#nodes.delete(name);
    const t = this.#tally(seen.zone);
    t.total--;
    if (seen.ready) { t.ready--; this.#ready--; }
  }

  /** The zone's counts, with `self` counted as ready or not as the controller now sees it. */
  zone(zone: string, self: string, selfReady: boolean): Tally {
    const t = this.#zones.get(zone) ?? { ready: 0, total: 0 };
    const seen = this.#nodes.get(self);
    if (!seen || seen.zone !== zone) return { ready: t.ready + (selfReady ? 1 : 0), total: t.total + 1 };
    return { ready: t.ready - (seen.ready ? 1 : 0) + (selfReady ? 1 : 0), total: t.total };
  }

  /** Whether no node at all is ready, with `self` as the controller now sees it. */
  noneReady(self: string, selfReady: boolean): boolean {
    const seen = this.#nodes.get(self);
    const total = this.#nodes.size + (seen ? 0 : 1);
    const ready = this.#ready - (seen?.ready ? 1 : 0) + (selfReady ? 1 : 0);
    return total > 0 && ready === 0;
  }

  get size(): number { return this.#nodes.size; }

  #tally(zone: string): Tally {
    let t = this.#zones.get(zone);
    if (!t) this.#zones.set(zone, (t = { ready: 0, total: 0 }));
    return t;
  }
}
