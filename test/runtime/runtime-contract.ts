/**
 * The contract every Runtime implementation passes (run by runc.test.ts; a crun or CRI
 * runtime would run it too). It needs the setup images (pause, busybox) in the runtime's
 * store and a pod network the test process can reach.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, readlink, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ContainerConfig, Runtime, SandboxConfig } from '../../src/node/runtime/runtime.js';
import { eventually } from './fixture.js';

export interface ContractHarness {
  runtime: Runtime;
  /** A scratch directory for host paths. */
  dir: string;
  /** A fresh Runtime over the same state (an agent restart). */
  reopen(): Promise<Runtime>;
  cleanup(): Promise<void>;
}

let podN = 0;
const pod = (extra: Partial<SandboxConfig> = {}): SandboxConfig => ({ name: `p${++podN}`, namespace: 'default', uid: `uid-${podN}`, hostname: `p${podN}`, ...extra });
const sh = (script: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({ name: 'c', image: 'busybox', command: ['sh', '-c', script], ...extra });
const ns = (pid: number, t: string) => readlink(`/proc/${pid}/ns/${t}`);
const log = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean).map(l => l.split(' ').slice(3).join(' '));

export function runtimeContract(name: string, make: () => Promise<ContractHarness>, opts: { skip?: string | false } = {}): void {
  describe(`Runtime contract: ${name}`, { skip: opts.skip }, () => {
    let h: ContractHarness;
    let rt: Runtime;
    before(async () => { h = await make(); rt = h.runtime; });
    after(async () => { await h?.cleanup(); });

    const run = async (sandboxId: string, cfg: ContainerConfig) => {
      const id = await rt.createContainer(sandboxId, cfg);
      await rt.startContainer(id);
      return id;
    };

    it('gives a pod one IP shared by its containers, which talk over localhost', async () => {
      const sb = await rt.runSandbox(pod({ hostname: 'webpod', labels: { test: 'net' } }));
      assert.equal(sb.state, 'ready');
      assert.match(sb.ips[0] ?? '', /^\d+\.\d+\.\d+\.\d+$/);
      const web = await run(sb.id, sh('mkdir -p /www && echo hello-from-web > /www/index.html && ip -4 -o addr show eth0 && hostname && exec httpd -f -p 8080 -h /www', { name: 'web' }));
      const client = await run(sb.id, sh('ip -4 -o addr show eth0; hostname; for i in $(seq 100); do wget -qO- http://127.0.0.1:8080/ && exit 0; sleep 0.1; done; exit 1', { name: 'client' }));
      const done = await rt.waitContainer(client);
      assert.equal(done.exitCode, 0, (await log(done.logPath)).join('\n'));
      const clientLog = await log(done.logPath);
      assert.ok(clientLog.includes('hello-from-web'));
      assert.ok(clientLog.includes('webpod'));
      assert.ok(clientLog.some(l => l.includes(`inet ${sb.ips[0]}/`)), 'client sees the pod IP');
      const webSt = await rt.containerStatus(web);
      assert.equal(webSt.state, 'running');
      assert.ok((await log(webSt.logPath)).some(l => l.includes(`inet ${sb.ips[0]}/`)), 'web sees the same IP');
      for (const t of ['net', 'ipc', 'uts']) assert.equal(await ns(webSt.pid!, t), await ns(sb.pid!, t), `${t} namespace shared`);
      assert.notEqual(await ns(webSt.pid!, 'pid'), await ns(sb.pid!, 'pid'), 'pid namespace private');
      const res = await fetch(`http://${sb.ips[0]}:8080/`, { signal: AbortSignal.timeout(5000) });
      assert.equal((await res.text()).trim(), 'hello-from-web', 'the node reaches the pod IP');
      await rt.removeSandbox(sb.id);
      await assert.rejects(rt.containerStatus(web), (e: Error & { code?: string }) => e.code === 'KL_RUNTIME_NOT_FOUND');
    });

    it('shares the pid namespace with shareProcessNamespace (pause is PID 1)', async () => {
      const sb = await rt.runSandbox(pod({ shareProcessNamespace: true }));
      const c = await run(sb.id, sh('cat /proc/1/cmdline; echo; exec sleep 30'));
      const st = await rt.containerStatus(c);
      assert.equal(await ns(st.pid!, 'pid'), await ns(sb.pid!, 'pid'));
      // startContainer returns once the process exists, not once `cat` has run: stopping with
      // no grace period at once (SIGKILL) left an empty log under load. Wait for the line.
      const first = await eventually(async () => (await log(st.logPath))[0], 10_000, 'the cat line in the log');
      await rt.stopContainer(c, 0);
      assert.equal(first.replace(/\0/g, ''), '/pause');
      await rt.removeSandbox(sb.id);
    });

    it('kills what an exited container left behind in a shared pid namespace when it is removed', async () => {
      const sb = await rt.runSandbox(pod({ shareProcessNamespace: true }));
      const secs = String(7000 + Math.floor(Math.random() * 1000)); // names the orphan among the host's processes
      const c = await run(sb.id, sh(`sleep ${secs} & exit 0`));
      assert.equal((await rt.waitContainer(c)).exitCode, 0);
      const orphan = await eventually(async () => {
        for (const p of await readdir('/proc')) {
          if (/^\d+$/.test(p) && (await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')) === `sleep\0${secs}\0`) return Number(p);
        }
        return undefined;
      }, 10_000, 'the orphaned sleep (now a child of pause)');
      assert.equal(await ns(orphan, 'pid'), await ns(sb.pid!, 'pid'));
      await rt.removeContainer(c);
      await eventually(async () => !(await readFile(`/proc/${orphan}/cmdline`, 'utf8').catch(() => '')).startsWith('sleep') || undefined, 10_000, 'the orphan killed');
      await rt.removeSandbox(sb.id);
    });

    it('reports exit codes and writes CRI-format logs', async () => {
      const sb = await rt.runSandbox(pod());
      const bad = await run(sb.id, sh('echo out; echo err >&2; printf partial; exit 3'));
      const good = await run(sb.id, sh('exit 0'));
      const b = await rt.waitContainer(bad);
      assert.equal(b.state, 'exited');
      assert.equal(b.exitCode, 3);
      assert.equal(b.reason, 'Error');
      assert.ok(b.finishedAt! >= b.startedAt!);
      const lines = (await readFile(b.logPath, 'utf8')).trim().split('\n');
      for (const l of lines) {
        assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z (stdout|stderr) [FP] /);
        assert.ok(!Number.isNaN(Date.parse(l.split(' ')[0]!)));
      }
      assert.deepEqual(lines.map(l => l.split(' ').slice(1).join(' ')).sort(), ['stderr F err', 'stdout F out', 'stdout F partial']);
      const g = await rt.waitContainer(good);
      assert.deepEqual([g.exitCode, g.reason], [0, 'Completed']);
      const missing = await rt.createContainer(sb.id, { name: 'nope', image: 'busybox', command: ['/no/such/binary'] });
      await assert.rejects(rt.startContainer(missing), (e: Error & { reason?: string }) => e.reason === 'StartError' && /no such file|not found/i.test(e.message));
      const m = await rt.containerStatus(missing);
      assert.deepEqual([m.state, m.exitCode, m.reason], ['exited', 128, 'StartError']);
      await assert.rejects(rt.createContainer(sb.id, { name: 'x', image: 'no-such-image:1' }), (e: Error & { code?: string }) => e.code === 'KL_IMAGE_NOT_FOUND');
      await rt.removeSandbox(sb.id);
    });

    it('ends a container over its memory limit as OOMKilled', async () => {
      const sb = await rt.runSandbox(pod());
      const c = await run(sb.id, sh('head -c 300m /dev/zero | tail', { resources: { memoryLimitBytes: 32 << 20 } }));
      const st = await rt.waitContainer(c);
      assert.equal(st.reason, 'OOMKilled');
      assert.equal(st.exitCode, 137);
      await rt.removeSandbox(sb.id);
    });

    it('execs in a running container, with input, exit code and timeout', async () => {
      const sb = await rt.runSandbox(pod({ hostname: 'exechost' }));
      const c = await run(sb.id, sh('exec sleep 60'));
      const r = await rt.exec(c, { cmd: ['sh', '-c', 'echo $((1+2)); hostname; exit 4'] });
      assert.deepEqual([r.exitCode, r.stdout.toString(), r.timedOut], [4, '3\nexechost\n', false]);
      const cat = await rt.exec(c, { cmd: ['cat'], input: 'abc' });
      assert.equal(cat.stdout.toString(), 'abc');
      const slow = await rt.exec(c, { cmd: ['sleep', '10'], timeoutMs: 300 });
      assert.ok(slow.timedOut);
      const s = rt.execStream(c, { cmd: ['sh', '-c', 'read x; echo got $x'] });
      let out = '';
      s.stdout.on('data', (b: Buffer) => { out += b; });
      s.stdin.end('line\n');
      assert.equal(await s.exited, 0);
      assert.equal(out, 'got line\n');
      // runc starts the process as soon as it has sent the pty master to the console socket, so
      // a size set by a resize after execStream (kubectl sends it the same way) cannot be
      // promised to the process's first instructions: under load `stty size` saw 0x0 (busybox
      // then prints a stale errno, 'No child processes'). The output relayed from the pty comes
      // after the shim has taken the master and applied the early resize, so stty runs after it.
      const t = rt.execStream(c, { cmd: ['sh', '-c', 'tty; read x; stty size; echo got $x; exit 3'], tty: true });
      let tout = '';
      t.stdout.on('data', (b: Buffer) => { tout += b; });
      t.resize(100, 40);
      await eventually(async () => tout.includes('/dev/pts/'), 5000, 'a pty');
      t.stdin.write('typed\r');
      assert.equal(await t.exited, 3);
      assert.match(tout, /\/dev\/pts\/\d+/);
      assert.match(tout, /40 100/);
      assert.match(tout, /got typed/);
      await rt.stopContainer(c, 0);
      await assert.rejects(rt.exec(c, { cmd: ['true'] }));
      await rt.removeSandbox(sb.id);
    });

    it('stops with the stop signal, then SIGKILL after the grace period', async () => {
      const sb = await rt.runSandbox(pod());
      const polite = await run(sb.id, sh('trap "echo term; exit 0" TERM; while :; do sleep 0.1; done'));
      const stubborn = await run(sb.id, sh('exec sleep 60'));
      await new Promise(r => setTimeout(r, 200)); // let the trap be installed
      await rt.stopContainer(polite, 10);
      const p = await rt.containerStatus(polite);
      assert.deepEqual([p.state, p.exitCode], ['exited', 0]);
      assert.ok((await log(p.logPath)).includes('term'));
      const t0 = Date.now();
      await rt.stopContainer(stubborn, 1);
      const s = await rt.containerStatus(stubborn);
      assert.deepEqual([s.state, s.exitCode], ['exited', 137]);
      assert.ok(Date.now() - t0 < 5000);
      await rt.removeSandbox(sb.id);
    });

    it('applies user, read-only rootfs, mounts, capabilities, no_new_privs and limits', async () => {
      const sb = await rt.runSandbox(pod());
      const data = join(h.dir, 'data');
      const rw = join(h.dir, 'rw');
      await mkdir(data, { recursive: true });
      await mkdir(rw, { recursive: true });
      await chmod(rw, 0o777);
      await writeFile(join(data, 'hello'), 'from-host\n');
      const c = await run(sb.id, sh('id -u; id -g; cat /data/hello; touch /x 2>/dev/null || echo rofs; touch /data/f 2>/dev/null || echo ro-data; echo w > /rw/f && echo rw-ok; grep -E "^(CapBnd|CapEff|NoNewPrivs)" /proc/self/status; cat /sys/fs/cgroup/memory/memory.limit_in_bytes; cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us', {
        mounts: [{ containerPath: '/data', hostPath: data, readonly: true }, { containerPath: '/rw', hostPath: rw }],
        security: { runAsUser: 65534, runAsGroup: 65534, readonlyRootfs: true, noNewPrivileges: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
        resources: { memoryLimitBytes: 64 << 20, cpuQuota: 50000, cpuPeriod: 100000 },
      }));
      const st = await rt.waitContainer(c);
      const out = await log(st.logPath);
      assert.equal(st.exitCode, 0, out.join('\n'));
      assert.deepEqual(out.slice(0, 6), ['65534', '65534', 'from-host', 'rofs', 'ro-data', 'rw-ok']);
      assert.ok(out.includes('CapBnd:\t0000000000000400'), 'only CAP_NET_BIND_SERVICE in the bounding set');
      assert.ok(out.includes('CapEff:\t0000000000000000'));
      assert.ok(out.includes('NoNewPrivs:\t1'));
      assert.ok(out.includes(String(64 << 20)) && out.includes('50000'), 'cgroup limits');
      await assert.rejects(rt.createContainer(sb.id, sh('id -u', { security: { runAsNonRoot: true } })), /runAsNonRoot/);
      await rt.removeSandbox(sb.id);
    });

    it('runs privileged containers and reopens a rotated log', async () => {
      const sb = await rt.runSandbox(pod());
      const c = await run(sb.id, sh('grep CapEff /proc/self/status; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo after-rotate', { security: { privileged: true } }));
      const st = await rt.containerStatus(c);
      const ours = /CapBnd:\s*(\w+)/.exec(await readFile('/proc/self/status', 'utf8'))![1];
      await eventually(async () => (await log(st.logPath)).includes(`CapEff:\t${ours}`), 5000, 'every capability we have');
      await rename(st.logPath, `${st.logPath}.1`);
      await rt.reopenContainerLog(c);
      await rt.exec(c, { cmd: ['touch', '/tmp/go'] });
      const done = await rt.waitContainer(c);
      assert.equal(done.exitCode, 0);
      assert.deepEqual(await log(st.logPath), ['after-rotate']);
      await rt.removeSandbox(sb.id);
    });

    it('honours hostNetwork', async () => {
      const sb = await rt.runSandbox(pod({ hostNetwork: true }));
      assert.deepEqual(sb.ips, []);
      const c = await run(sb.id, sh('exec sleep 30'));
      const st = await rt.containerStatus(c);
      assert.equal(await ns(st.pid!, 'net'), await readlink('/proc/self/ns/net'));
      await rt.removeSandbox(sb.id);
    });

    it('lists by labels and is adopted by a fresh runtime over the same state', async () => {
      const sb = await rt.runSandbox(pod({ labels: { app: 'adopt', n: '1' } }));
      const c = await run(sb.id, sh('exec sleep 60', { labels: { app: 'adopt', c: 'yes' } }));
      const again = await h.reopen();
      const sbs = await again.listSandboxes({ labels: { app: 'adopt' } });
      assert.deepEqual(sbs.map(s => [s.id, s.state]), [[sb.id, 'ready']]);
      const cs = await again.listContainers({ labels: { c: 'yes' } });
      assert.deepEqual(cs.map(s => [s.id, s.state, s.sandboxId]), [[c, 'running', sb.id]]);
      assert.deepEqual(await again.listContainers({ labels: { c: 'no' } }), []);
      await again.stopContainer(c, 0);
      assert.equal((await rt.containerStatus(c)).exitCode, 137);
      await again.removeSandbox(sb.id);
      assert.deepEqual(await again.listSandboxes({ labels: { app: 'adopt' } }), []);
    });
  });
}
