/**
 * Runs a profile's plugins at each extension point (upstream's frameworkImpl). A plugin
 * listed in the profile takes part in every point it implements (like MultiPoint).
 */
import type { CycleState } from './cycle-state.js';
import {
  MAX_NODE_SCORE, type BindPlugin, type ClusterEvent, type FilterPlugin, type FrameworkRunner, type Handle, type NodeScore,
  type Plugin, type PostFilterPlugin, type PostFilterResult, type PreFilterPlugin, type PreScorePlugin, type QueueSortPlugin,
  type QueuedPodInfo, type ReservePlugin, type ScorePlugin, type PreBindPlugin,
} from './interface.js';
import type { NodeInfo, PodInfo } from './node-info.js';
import type { Registry } from './registry.js';
import { asError, Code, SUCCESS, Status, unschedulable } from './status.js';
import type { Pod } from './types.js';

export interface PluginConfig { name: string; weight?: number; args?: Record<string, unknown> }

export interface Profile {
  schedulerName: string;
  plugins: PluginConfig[];
}

const has = <T extends Plugin>(p: Plugin, method: string): p is T => typeof (p as unknown as Record<string, unknown>)[method] === 'function';

export class Framework implements FrameworkRunner {
  readonly schedulerName: string;
  readonly #queueSort?: QueueSortPlugin;
  readonly #preFilter: PreFilterPlugin[] = [];
  readonly #filter: FilterPlugin[] = [];
  readonly #postFilter: PostFilterPlugin[] = [];
  readonly #preScore: PreScorePlugin[] = [];
  readonly #score: Array<{ p: ScorePlugin; weight: number }> = [];
  readonly #reserve: ReservePlugin[] = [];
  readonly #preBind: PreBindPlugin[] = [];
  readonly #bind: BindPlugin[] = [];
  /** Plugin name → events that may make pods it rejected schedulable. */
  readonly events = new Map<string, ClusterEvent[]>();
  /** scoreTotals' buffers, reused from cycle to cycle. */
  #totals = new Float64Array(0);
  #scores = new Float64Array(0);
  #scoreList: NodeScore[] = [];

  constructor(registry: Registry, profile: Profile, handle: Handle) {
    this.schedulerName = profile.schedulerName;
    handle.framework = this;
    const seen = new Set<string>();
    for (const cfg of profile.plugins) {
      if (seen.has(cfg.name)) throw new Error(`plugin ${cfg.name} is listed twice in profile ${profile.schedulerName}`);
      seen.add(cfg.name);
      const p = registry.get(cfg.name)(cfg.args ?? {}, handle);
      if (has<QueueSortPlugin>(p, 'less')) {
        if (this.#queueSort) throw new Error(`only one queue sort plugin may be enabled, got ${this.#queueSort.name} and ${p.name}`);
        this.#queueSort = p;
      }
      if (has<PreFilterPlugin>(p, 'preFilter')) this.#preFilter.push(p);
      if (has<FilterPlugin>(p, 'filter')) this.#filter.push(p);
      if (has<PostFilterPlugin>(p, 'postFilter')) this.#postFilter.push(p);
      if (has<PreScorePlugin>(p, 'preScore')) this.#preScore.push(p);
      if (has<ScorePlugin>(p, 'score')) this.#score.push({ p, weight: cfg.weight ?? 1 });
      if (has<ReservePlugin>(p, 'reserve')) this.#reserve.push(p);
      if (has<PreBindPlugin>(p, 'preBind')) this.#preBind.push(p);
      if (has<BindPlugin>(p, 'bind')) this.#bind.push(p);
      const ev = (p as Partial<{ events(): ClusterEvent[] }>).events?.();
      if (ev) this.events.set(p.name, ev);
    }
    if (!this.#queueSort) throw new Error(`profile ${profile.schedulerName} has no queue sort plugin`);
    if (this.#bind.length === 0) throw new Error(`profile ${profile.schedulerName} has no bind plugin`);
  }

  queueLess = (a: QueuedPodInfo, b: QueuedPodInfo): boolean => this.#queueSort!.less(a, b);

  hasPostFilter(): boolean { return this.#postFilter.length > 0; }

  /** First rejection wins, as upstream; Skip marks the plugin's Filter as not needed. */
  runPreFilterPlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    for (const p of this.#preFilter) {
      const s = guard(() => p.preFilter(state, pod, nodes));
      if (s.isSkip()) { state.skipFilter.add(p.name); continue; }
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return SUCCESS;
  }

  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    // Hot path (nodes × plugins per cycle): no closures, no allocation on success, and the
    // plugins PreFilter skipped dropped once per cycle rather than looked up per node.
    let fl = state.filters;
    if (!fl || fl.skipped !== state.skipFilter.size) {
      const skip = state.skipFilter;
      fl = state.filters = { plugins: skip.size ? this.#filter.filter(p => !skip.has(p.name)) : this.#filter, skipped: skip.size };
    }
    const list = fl.plugins as readonly FilterPlugin[];
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      let s: Status;
      try { s = p.filter(state, pod, node); } catch (e) { s = asError(e); }
      if (s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return SUCCESS;
  }

  /**
   * Filters with the pods already nominated to this node (of at least this priority)
   * counted as if they ran there, so a preemptor's room is not taken by lower pods.
   * Like upstream, the pod must fit both with and without them.
   */
  runFilterWithNominated(state: CycleState, pod: PodInfo, node: NodeInfo, nominated: readonly PodInfo[]): Status {
    if (nominated.length === 0) return this.runFilterPlugins(state, pod, node);
    const relevant = nominated.filter(n => n.key !== pod.key && n.priority >= pod.priority);
    if (relevant.length === 0) return this.runFilterPlugins(state, pod, node);
    const st = state.clone();
    const ni = node.clone();
    for (const n of relevant) {
      ni.addPod(n);
      const s = this.runPreFilterAddPod(st, pod, n, ni);
      if (!s.isSuccess()) return s;
    }
    const s = this.runFilterPlugins(st, pod, ni);
    if (!s.isSuccess()) return s;
    return this.runFilterPlugins(state, pod, node);
  }

  runPreFilterAddPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): Status {
    for (const p of this.#preFilter) {
      if (state.skipFilter.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      if (!ext) continue;
      const s = guard(() => ext.addPod(state, pod, toAdd, node));
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return SUCCESS;
  }

  runPreFilterRemovePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): Status {
    for (const p of this.#preFilter) {
      if (state.skipFilter.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      if (!ext) continue;
      const s = guard(() => ext.removePod(state, pod, toRemove, node));
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return SUCCESS;
  }

  /** The first plugin that succeeds wins; otherwise the rejections' reasons, joined. */
  runPostFilterPlugins(state: CycleState, pod: PodInfo, filtered: ReadonlyMap<string, Status>): PostFilterResult {
    const reasons: string[] = [];
    let nominated: string | undefined;
    for (const p of this.#postFilter) {
      let r: PostFilterResult;
      try { r = p.postFilter(state, pod, filtered); } catch (e) { return { status: asError(e).withPlugin(p.name) }; }
      if (r.status.isSuccess()) return r;
      if (r.status.code === Code.UnschedulableAndUnresolvable || r.status.code === Code.Error) return { ...r, status: r.status.withPlugin(p.name) };
      reasons.push(...r.status.reasons);
      if (r.nominatedNodeName !== undefined) nominated = r.nominatedNodeName;
    }
    return { status: unschedulable(...reasons), nominatedNodeName: nominated };
  }

  runPreScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    for (const p of this.#preScore) {
      const s = guard(() => p.preScore(state, pod, nodes));
      if (s.isSkip()) { state.skipScore.add(p.name); continue; }
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return SUCCESS;
  }

  /** Weighted sum per node of every score plugin's (normalized) score. */
  runScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): NodeScore[] | Status {
    const totals = this.scoreTotals(state, pod, nodes);
    if (totals instanceof Status) return totals;
    return nodes.map((n, i) => ({ name: n.name, score: totals[i]! }));
  }

  /**
   * runScorePlugins' totals by node index, for the scheduling cycle: plain numbers in an
   * array this framework reuses (valid until its next call), not an object per node.
   * (5,000 nodes, 10 % of them scored per pod: two objects per node scored were most of
   * a cycle's garbage.) Plugins that normalize get NodeScore objects, also reused.
   */
  scoreTotals(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Float64Array | Status {
    const n = nodes.length;
    if (this.#totals.length < n) {
      const size = Math.max(n, this.#totals.length * 2, 64);
      this.#totals = new Float64Array(size);
      this.#scores = new Float64Array(size);
    }
    const totals = this.#totals.subarray(0, n);
    const scores = this.#scores;
    totals.fill(0);
    for (const { p, weight } of this.#score) {
      if (state.skipScore.has(p.name)) continue;
      for (let i = 0; i < n; i++) {
        let r: number | Status;
        try { r = p.score(state, pod, nodes[i]!); } catch (e) { r = asError(e); }
        if (typeof r !== 'number') return r.withPlugin(p.name);
        scores[i] = r;
      }
      if (p.normalizeScore) {
        const list = this.#nodeScores(nodes, scores);
        const s = guard(() => p.normalizeScore!(state, pod, list));
        if (!s.isSuccess()) return s.withPlugin(p.name);
        for (let i = 0; i < n; i++) scores[i] = list[i]!.score;
      }
      for (let i = 0; i < n; i++) {
        const v = scores[i]!;
        if (v < 0 || v > MAX_NODE_SCORE) return new Status(Code.Error, [`plugin ${p.name} returns an invalid score ${v}`], p.name);
        totals[i] += v * weight;
      }
    }
    return totals;
  }

  /** `scores` as the NodeScore list normalizeScore takes (objects reused from cycle to cycle). */
  #nodeScores(nodes: readonly NodeInfo[], scores: Float64Array): NodeScore[] {
    const list = this.#scoreList;
    const n = nodes.length;
    for (let i = list.length; i < n; i++) list.push({ name: '', score: 0 });
    list.length = n;
    for (let i = 0; i < n; i++) { const e = list[i]!; e.name = nodes[i]!.name; e.score = scores[i]!; }
    return list;
  }

  runReservePlugins(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const p of this.#reserve) {
      const s = guard(() => p.reserve(state, pod, nodeName));
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return SUCCESS;
  }

  runUnreservePlugins(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const p of [...this.#reserve].reverse()) {
      try { p.unreserve(state, pod, nodeName); } catch { /* best effort, as upstream */ }
    }
  }

  /** Every PreBind plugin in order; the first failure wins. */
  async runPreBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    for (const p of this.#preBind) {
      let s: Status;
      try { s = await p.preBind(state, pod, nodeName); } catch (e) { s = asError(e); }
      if (!s.isSuccess() && !s.isSkip()) return s.withPlugin(p.name);
    }
    return SUCCESS;
  }

  async runBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    for (const p of this.#bind) {
      let s: Status;
      try { s = await p.bind(state, pod, nodeName); } catch (e) { s = asError(e); }
      if (s.isSkip()) continue;
      return s.withPlugin(p.name);
    }
    return new Status(Code.Error, ['no bind plugin bound the pod']);
  }
}

function guard(f: () => Status): Status {
  try { return f(); } catch (e) { return asError(e); }
}
