/** The runc Runtime: the contract suite, plus what only runc shows (agent restart, leftovers). */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readlink, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { RuncRuntime } from '../../src/node/runtime/runc/runc-runtime.js';
import { eventually, makeEnv, rootSkip, type TestEnv } from './fixture.js';
import { runtimeContract } from './runtime-contract.js';

runtimeContract('runc', async () => {
  const env = await makeEnv();
  return {
    runtime: await env.runtime(), dir: env.dir,
    reopen: () => RuncRuntime.create(env.runtimeOptions()),
    cleanup: () => env.cleanup(),
  };
}, { skip: rootSkip });

function leftovers(env: TestEnv): string[] {
  const o = env.runtimeOptions();
  const found: string[] = [];
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  if (links.includes(o.network.bridge)) found.push(`bridge ${o.network.bridge}`);
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter(l => l.includes(env.dir));
  found.push(...mounts.map(m => `mount ${m}`));
  if (existsSync(o.runcRoot)) {
    found.push(`runc root ${o.runcRoot}`);
    const runc = spawnSync('runc', ['--root', o.runcRoot, 'list', '-q'], { encoding: 'utf8' }).stdout.trim();
    if (runc) found.push(`runc ${runc}`);
  }
  for (const h of readdirSync('/sys/fs/cgroup')) if (existsSync(join("/sys/fs/cgroup", h, o.cgroupParent!))) found.push(`cgroup ${h}${o.cgroupParent}`);
  const shims = spawnSync('pgrep', ['-f', `kubeling-shim run.*${o.runcRoot}`], { encoding: 'utf8' }).stdout.trim();
  if (shims) found.push(`shims ${shims}`);
  return found;
}

describe('runc runtime', { skip: rootSkip }, () => {
  let env: TestEnv;
  before(async () => { env = await makeEnv(); });
  after(async () => { await env?.cleanup(); });

  it('keeps containers running and logging across an agent restart, and still reports their exit', async () => {
    const o = env.runtimeOptions();
    const child = spawnSync(process.execPath, [fileURLToPath(new URL('./agent-child.js', import.meta.url)),
      JSON.stringify({ ...o, images: undefined, imagesRoot: env.images.root, helper: env.helper })], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const { sandboxId, containerId } = JSON.parse(child.stdout) as { sandboxId: string; containerId: string };
    const rt = await env.runtime(); // the "restarted" agent
    const [sb] = await rt.listSandboxes({ labels: { test: 'restart' } });
    assert.deepEqual([sb?.id, sb?.state], [sandboxId, 'ready']);
    const [c] = await rt.listContainers({ labels: { test: 'restart' } });
    assert.equal(c?.id, containerId);
    const done = await rt.waitContainer(containerId);
    assert.deepEqual([done.state, done.exitCode], ['exited', 5]);
    const lines = readFileSync(done.logPath, 'utf8').trim().split('\n');
    assert.equal(lines.length, 15);
    assert.match(lines.at(-1)!, / stdout F tick 14$/);
    await rt.removeSandbox(sandboxId);
  });

  it('keeps its state on a tmpfs, writable layers on disk, rootfs mounts out of the host table, and runs runc from the sealed copy', async () => {
    const rt = await env.runtime();
    const o = env.runtimeOptions();
    const tmpfs = 0x01021994;
    assert.equal((await statfs(rt.runDir)).type, tmpfs, 'run dir');
    assert.equal((await statfs(o.runcRoot)).type, tmpfs, 'runc root');
    const sb = await rt.runSandbox({ name: 'fs', namespace: 'default', uid: 'fs', hostname: 'fs' });
    const c = await rt.createContainer(sb.id, { name: 'c', image: 'busybox', command: ['sh', '-c', 'echo hi > /written; exec sleep 60'] });
    await rt.startContainer(c);
    const { pid } = await rt.containerStatus(c);
    await eventually(async () => existsSync(join(o.stateDir, 'containers', c, 'upper', 'written')), 5000, 'the write in the upper dir on disk');
    assert.ok(existsSync(join(rt.runDir, 'containers', c, 'config.json')), 'the bundle in the run dir');
    // Its rootfs overlay is mounted in the container's namespace only, never in the host's table.
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(c), 'no host mount of the container');
    assert.match(readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').find(l => l.split(' ')[4] === '/')!, / - overlay overlay /);
    // The shim (the container's parent) holds the sealed runc it started runc from.
    const shim = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    assert.match(await readlink(`/proc/${shim}/fd/4`), /^\/memfd:runc/);
    await rt.removeSandbox(sb.id);
  });

  it('creates nothing in a writable layer for the bind-mount targets the image lacks, and keeps the image\'s /etc', async () => {
    const rt = await env.runtime();
    const o = env.runtimeOptions();
    const sb = await rt.runSandbox({ name: 'mt', namespace: 'default', uid: 'mt', hostname: 'mt-host' });
    const c = await rt.createContainer(sb.id, { name: 'c', image: 'busybox', command: ['sleep', '60'] });
    await rt.startContainer(c);
    const upper = join(o.stateDir, 'containers', c, 'upper');
    assert.deepEqual(readdirSync(upper), [], 'no /etc copied up, no hosts, resolv.conf or hostname created');
    const r = await rt.exec(c, { cmd: ['sh', '-c', 'cat /etc/hostname; grep -c localhost /etc/hosts; ls /etc/passwd; stat -c %a /etc; echo x > /etc/written'] });
    assert.equal(r.exitCode, 0, r.stderr.toString());
    assert.deepEqual(r.stdout.toString().trim().split('\n'), ['mt-host', '2', '/etc/passwd', '755']);
    assert.deepEqual(readdirSync(join(upper, 'etc')), ['written'], 'a write to /etc lands in the writable layer');
    await rt.removeSandbox(sb.id);
  });

  it('removes sandboxes completely: veths, mounts, runc state, cgroups, dirs', async () => {
    const rt = await env.runtime();
    const o = env.runtimeOptions();
    const ids = await Promise.all([1, 2, 3].map(async i => {
      const sb = await rt.runSandbox({ name: `c${i}`, namespace: 'default', uid: `c${i}`, hostname: `c${i}`, portMappings: i === 1 ? [{ hostPort: 30000 + (Number.parseInt(env.hex.slice(0, 3), 16) % 2000), containerPort: 80 }] : [] });
      const c = await rt.createContainer(sb.id, { name: 'c', image: 'busybox', command: ['sleep', '60'] });
      await rt.startContainer(c);
      return sb.id;
    }));
    const veths = () => execFileSync('ip', ['-o', 'link', 'show', 'master', o.network.bridge], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
    assert.equal(veths(), 3);
    await Promise.all(ids.map(id => rt.removeSandbox(id)));
    assert.equal(veths(), 0);
    assert.deepEqual(readdirSync(join(rt.runDir, 'sandboxes')), []);
    assert.deepEqual(readdirSync(join(rt.runDir, 'containers')), []);
    assert.deepEqual(readdirSync(join(o.stateDir, 'containers')), [], 'writable layers removed');
    assert.deepEqual(readdirSync(join(rt.runDir, 'cni', 'ipam', o.network.name)).filter(f => /^\d/.test(f)), [], 'IPs released');
    await rt.purge();
    assert.deepEqual(leftovers(env), []);
  });
});
