/**
 * Keeps the previous reading of each cgroup so periodic sampling yields usages (what
 * metrics-server keeps for its two-point rate). Not thread-safe, nothing async: the
 * agent reads all cgroups, then records them in one go.
 */
import type { CgroupReading } from './cgroup.js';
import { usageBetween, type Usage } from './resource-metrics.js';

export class UsageTracker {
  readonly #readings = new Map<string, CgroupReading>();
  readonly #usages = new Map<string, Usage>();

  /** Records `reading` of `key` (a cgroup path or container id); returns the usage since the previous one. */
  record(key: string, reading: CgroupReading): Usage | undefined {
    const prev = this.#readings.get(key);
    this.#readings.set(key, reading);
    const u = prev && usageBetween(prev, reading);
    if (u) this.#usages.set(key, u);
    else if (prev) this.#usages.delete(key); // counter went back: the cgroup is new, start over
    return u;
  }

  /** The latest usage of `key`, once two readings were taken. */
  usage(key: string): Usage | undefined { return this.#usages.get(key); }

  /** Forgets every key not in `keys` (containers and pods that are gone). */
  retain(keys: Iterable<string>): void {
    const keep = new Set(keys);
    for (const k of this.#readings.keys()) if (!keep.has(k)) { this.#readings.delete(k); this.#usages.delete(k); }
  }
}
