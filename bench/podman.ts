/**
 * The comparison row: Debian's podman running the same one-container busybox pod through
 * `podman kube play` (runc, cgroupfs, its CNI bridge on a private subnet), pods one after
 * another. Everything is private to the run — containers.conf and storage.conf (graphroot,
 * runroot, network config) in a temp dir, images copied from the node's image store with
 * skopeo — and removed afterwards, including the CNI firewall chains if the run made them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { undoOnExit } from './util.js';

const sh = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) => new Promise<{ code: number; out: string }>(resolve => {
  execFile(cmd, args, { env: env ?? process.env, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
    resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, out: `${stdout}${stderr}` }));
});

/** podman's cgroup dirs (cgroupfs manager: libpod_parent/...) in every hierarchy, deepest first. */
function podmanCgroups(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try { names = readdirSync(d, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => e.name); } catch { return; }
    for (const n of names) walk(join(d, n));
    out.push(d);
  };
  for (const h of readdirSync('/sys/fs/cgroup')) walk(join('/sys/fs/cgroup', h, 'libpod_parent'));
  return out;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10;
}

const POD = (name: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers:
  - name: c
    image: docker.io/library/busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 100000 & wait"]
`;

/** `count` pods started (and removed) one after another with podman; a skipped row when podman cannot run here. */
export async function benchPodman(imagesDir: string, count = 20): Promise<object> {
  const row = 'podman kube play, one after another';
  if ((await sh('podman', ['--version'])).code !== 0) return { case: row, skipped: 'podman not installed (apt-get install podman catatonit)' };
  const hex = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), `kubeling-podman-${hex}-`));
  const net = `klpm${hex}`;
  const routes = (await sh('ip', ['-4', 'route', 'show'])).out;
  let n = 2;
  while (routes.includes(`10.252.${n}.`)) n++;
  const hadCniChains = (await sh('iptables', ['-S', 'CNI-FORWARD'])).code === 0;
  const cgroupsBefore = new Set(podmanCgroups());
  await writeFile(join(dir, 'containers.conf'), `[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\ninfra_image = "docker.io/kubeling/pause:3.10"\n[network]\nnetwork_backend = "cni"\nnetwork_config_dir = "${dir}/net"\n`);
  await writeFile(join(dir, 'storage.conf'), `[storage]\ndriver = "overlay"\ngraphroot = "${dir}/root"\nrunroot = "${dir}/run"\n`);
  const env = { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf'), CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf') };
  const podman = async (...args: string[]) => {
    const r = await sh('podman', args, env);
    if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: ${r.out.trim()}`);
    return r.out;
  };
  // What undoes the run, as commands: run in `finally`, or synchronously if a signal ends the
  // bench first (a podman pod left running keeps its netns, veth and CNI rules).
  const undo = (): [string, string[], NodeJS.ProcessEnv?][] => [
    ['podman', ['pod', 'rm', '--all', '--force'], env],
    ['podman', ['network', 'rm', '--force', net], env],
    ['podman', ['system', 'reset', '--force'], env],
    ...(hadCniChains ? [] : [
      ['iptables', ['-D', 'FORWARD', '-m', 'comment', '--comment', 'CNI firewall plugin rules', '-j', 'CNI-FORWARD']],
      ['iptables', ['-F', 'CNI-FORWARD']], ['iptables', ['-X', 'CNI-FORWARD']], ['iptables', ['-X', 'CNI-ADMIN']],
    ] as [string, string[]][]),
    ['rm', ['-rf', dir]],
    // podman leaves its pods' empty cgroups in the cgroup2 (unified) tree of this hybrid layout.
    ...podmanCgroups().filter(d => !cgroupsBefore.has(d)).map(d => ['rmdir', [d]] as [string, string[]]),
  ];
  const forget = undoOnExit(() => { for (const [cmd, args, e] of undo()) spawnSync(cmd, args, { env: e ?? process.env, stdio: 'ignore' }); });
  try {
    for (const ref of ['docker.io/library/busybox:latest', 'docker.io/kubeling/pause:3.10']) {
      const r = await sh('skopeo', ['copy', '--quiet', `oci:${imagesDir}:${ref}`, `containers-storage:[overlay@${dir}/root+${dir}/run]${ref}`]);
      if (r.code !== 0) return { case: row, skipped: `skopeo could not copy ${ref}: ${r.out.trim()}` };
    }
    await podman('network', 'create', '--subnet', `10.252.${n}.0/24`, net);
    const starts: number[] = [];
    const deletes: number[] = [];
    for (let i = 0; i < count; i++) {
      const file = join(dir, `pod-${i}.yaml`);
      await writeFile(file, POD(`pm-${hex}-${i}`));
      let t = performance.now();
      await podman('kube', 'play', '--network', net, file); // returns once the containers are started
      starts.push(performance.now() - t);
      t = performance.now();
      await podman('kube', 'down', file);
      deletes.push(performance.now() - t);
    }
    return { case: `${row} (${count})`, p50_ms: pct(starts, 50), p99_ms: pct(starts, 99), delete_p50_ms: pct(deletes, 50) };
  } catch (e) {
    return { case: row, skipped: `podman failed here: ${(e as Error).message.slice(0, 200)}` };
  } finally {
    forget();
    for (const [cmd, args, e] of undo()) await sh(cmd, args, e);
  }
}
