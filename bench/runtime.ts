/**
 * Runtime benchmark (real runc, real CNI): pod = sandbox (pause + bridge ADD) + one busybox
 * container started. Sequential p50/p99 over 20 pods, then 50 pods at once; removal too.
 * Needs root; uses its own runc root, bridge, subnet and cgroup parent, and removes them.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSetupImages, ensurePause, ImageStore, RuncRuntime } from '../src/node/runtime/index.js';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10;
}

export async function benchRuntime(): Promise<object[]> {
  if (process.getuid?.() !== 0) return [{ case: 'runtime', skipped: 'needs root' }];
  const hex = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'kubeling-bench-'));
  const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  let n = 1;
  while (routes.includes(`10.251.${n}.`)) n++;
  const pause = join(dir, 'bin', 'pause');
  const helper = join(dir, 'bin', 'kubeling-shim');
  await ensurePause(pause);
  await buildSetupImages({ store: join(dir, 'images'), pause, shim: helper });
  const images = await ImageStore.open({ root: join(dir, 'images'), helper });
  const rt = await RuncRuntime.create({
    stateDir: join(dir, 'state'), runcRoot: `/run/kubeling-bench-${hex}`, images, cgroupParent: `/kubeling-bench-${hex}`,
    network: { name: `klb${hex}`, bridge: `klb${hex}`, subnet: `10.251.${n}.0/24`, ipMasq: false },
  });
  let i = 0;
  const startPod = async () => {
    const k = ++i;
    const sb = await rt.runSandbox({ name: `b${k}`, namespace: 'bench', uid: `b${k}`, hostname: `b${k}` });
    const c = await rt.createContainer(sb.id, { name: 'c', image: 'busybox', command: ['sleep', '600'] });
    await rt.startContainer(c);
    return sb.id;
  };
  const timed = async <T>(fn: () => Promise<T>) => { const t = performance.now(); const v = await fn(); return [v, performance.now() - t] as const; };
  const rows: object[] = [];
  try {
    await rt.removeSandbox(await startPod()); // warm-up: creates the bridge, loads runc into the page cache
    const seq: number[] = [];
    const ids: string[] = [];
    for (let k = 0; k < 20; k++) { const [id, ms] = await timed(startPod); seq.push(ms); ids.push(id); }
    rows.push({ case: 'pod start, sequential', pods: 20, p50_ms: pct(seq, 50), p99_ms: pct(seq, 99), total_ms: Math.round(seq.reduce((a, b) => a + b, 0)) });
    const del: number[] = [];
    for (const id of ids) { const [, ms] = await timed(() => rt.removeSandbox(id)); del.push(ms); }
    rows.push({ case: 'pod remove, sequential', pods: 20, p50_ms: pct(del, 50), p99_ms: pct(del, 99), total_ms: Math.round(del.reduce((a, b) => a + b, 0)) });
    const each: number[] = [];
    const [burst, total] = await timed(() => Promise.all(Array.from({ length: 50 }, () => timed(startPod).then(([id, ms]) => { each.push(ms); return id; }))));
    rows.push({ case: 'pod start, 50 at once', pods: 50, p50_ms: pct(each, 50), p99_ms: pct(each, 99), total_ms: Math.round(total) });
    const [, delTotal] = await timed(() => Promise.all(burst.map(id => rt.removeSandbox(id))));
    rows.push({ case: 'pod remove, 50 at once', pods: 50, total_ms: Math.round(delTotal) });
  } finally {
    await rt.purge();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  benchRuntime().then(rows => console.table(rows), e => { console.error(e); process.exit(1); });
}
