/**
 * Per-cycle scratch space plugins share (upstream's CycleState): PreFilter computes once,
 * Filter reads for every node. Preemption clones it to simulate removing pods.
 */
export interface StateData {
  clone(): StateData;
}

/** What the framework caches per cycle: the Filter plugins not skipped, in order. */
export interface FilterList { readonly plugins: readonly unknown[]; readonly skipped: number }

export class CycleState {
  readonly #data = new Map<string, StateData>();
  /** Filter plugins whose PreFilter returned Skip. */
  readonly skipFilter = new Set<string>();
  /** Score plugins whose PreScore returned Skip. */
  readonly skipScore = new Set<string>();
  /**
   * The framework's list of Filter plugins to run on each node, worked out once per cycle
   * (not a skip lookup per plugin per node); rebuilt when skipFilter changed size.
   */
  filters?: FilterList;

  read<T extends StateData>(key: string): T | undefined { return this.#data.get(key) as T | undefined; }
  write(key: string, v: StateData): void { this.#data.set(key, v); }
  delete(key: string): void { this.#data.delete(key); }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.#data) c.#data.set(k, v.clone());
    for (const s of this.skipFilter) c.skipFilter.add(s);
    for (const s of this.skipScore) c.skipScore.add(s);
    c.filters = this.filters;
    return c;
  }
}
