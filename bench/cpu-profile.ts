/**
 * Reading a V8 CPU profile (`node --cpu-prof`) for one time window: the functions with
 * the most self and inclusive time, and the call tree, in µs per unit of work.
 */
interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] }

export interface SummaryOptions {
  /** Rows of the self / inclusive tables. */
  self?: number; inclusive?: number;
  /** Depth of the call tree printed (nodes under 2% of the window are left out). */
  treeDepth?: number;
  /** Unit name for the column header. */
  unit?: string;
}

/** Prints where the samples in [from, to] (µs, the monotonic clock) went, per `units`. */
export function summariseProfile(p: CpuProfile, from: number, to: number, units: number, o: SummaryOptions = {}): void {
  const unit = o.unit ?? 'write';
  const byId = new Map(p.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => {
    const f = n.callFrame;
    const file = f.url.replace(/^.*\/(dist|node_modules)\//, '').replace(/^node:/, '');
    return `${f.functionName || '(anon)'} ${file}:${f.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const nodeTime = new Map<number, number>();
  let t = p.startTime;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i];
    t += dt;
    if (t < from || t > to) continue;
    const leaf = byId.get(p.samples[i])!;
    if (leaf.callFrame.functionName === '(idle)') continue;
    total += dt;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      nodeTime.set(id, (nodeTime.get(id) ?? 0) + dt);
      const l = label(byId.get(id)!);
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + dt);
    }
  }
  if (total === 0) { console.log('no samples in the window'); return; }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, v]) => ({ function: k.slice(0, 90), [`µs/${unit}`]: Math.round(v / units), '%': Math.round((v / total) * 1000) / 10 }));
  console.log(`profiled CPU in window: ${Math.round(total / units)} µs/${unit}`);
  console.log('\nself time');
  console.table(top(self, o.self ?? 30));
  console.log('\ninclusive time');
  console.table(top(incl, o.inclusive ?? 45));
  console.log(`\ncall tree (µs/${unit}, >= 2%)`);
  const maxDepth = o.treeDepth ?? 14;
  const show = (ids: number[], depth: number) => {
    const merged = new Map<string, { t: number; kids: number[] }>();
    for (const id of ids) {
      const n = byId.get(id)!;
      const m = merged.get(label(n)) ?? { t: 0, kids: [] };
      m.t += nodeTime.get(id) ?? 0;
      m.kids.push(...(n.children ?? []));
      merged.set(label(n), m);
    }
    for (const [l, m] of [...merged].sort((a, b) => b[1].t - a[1].t)) {
      if (m.t < total * 0.02) continue;
      console.log(`${String(Math.round(m.t / units)).padStart(6)} ${'  '.repeat(depth)}${l.slice(0, 100)}`);
      if (depth < maxDepth) show(m.kids, depth + 1);
    }
  };
  show([p.nodes[0].id], 0);
}
