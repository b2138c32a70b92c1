/**
 * Starts a real `kubeling server` as a child process with a fresh data dir and a
 * random port, and runs the real kubectl against it. Everything is removed in stop().
 * Servers run in parallel: one with the agent (so with the service proxy) gets its own
 * chain prefix and service range unless the test gives them; each run registers itself
 * (../proxy/sweep.ts) so an interrupted run's server and rules are removed by the next.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pointsUnder, readMountPoints } from '../../src/node/runtime/mount-table.js';
import { SERVER_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { randomPrefix } from '../../src/proxy/index.js';
import { freeServiceCidr, purgeProxy, registerRun, sweepDeadRuns } from '../proxy/sweep.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface TestServer {
  url: string;
  kubeconfig: string;
  dataDir: string;
  proc: ChildProcess;
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string>; allowFail?: boolean }): Promise<KubectlResult>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
  restart(): Promise<void>;
}

export interface KubectlResult { code: number; stdout: string; stderr: string }

export async function startTestServer(extraArgs: string[] = ['--disable-agent']): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeling-e2e-'));
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const cacheDir = join(dataDir, 'kube-cache');
  await sweepDeadRuns();
  const has = (flag: string) => extraArgs.some(a => a === flag || a.startsWith(`${flag}=`));
  const proxy = !has('--disable-agent') && !has('--disable-kube-proxy');
  const argValue = (flag: string) => extraArgs[extraArgs.indexOf(flag) + 1];
  const prefix = has('--proxy-chain-prefix') ? argValue('--proxy-chain-prefix') : randomPrefix();
  const serviceCidr = has('--service-cidr') ? argValue('--service-cidr') : proxy ? freeServiceCidr() : undefined;
  const ownArgs = [...(has('--proxy-chain-prefix') ? [] : ['--proxy-chain-prefix', prefix!]), ...(has('--service-cidr') || !serviceCidr ? [] : ['--service-cidr', serviceCidr])];
  const unregister = registerRun({ dataDir, ...(proxy ? { prefix, serviceCidr } : {}) });
  let port = 0;
  let proc!: ChildProcess;
  let url = '';

  const launch = () => new Promise<void>((resolve, reject) => {
    proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, MAIN, 'server', '--data-dir', dataDir, '--write-kubeconfig', kubeconfig,
      '--port', String(port), '--bind-address', '127.0.0.1', ...ownArgs, ...extraArgs], {
      env: { ...process.env, KUBELING_LOG_FORMAT: 'json' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let buf = '';
    let done = false;
    proc.stderr!.on('data', (c: Buffer) => {
      buf += c.toString();
      if (process.env.KUBELING_TEST_VERBOSE) process.stderr.write(c);
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        try {
          const ev = JSON.parse(line);
          if (ev.msg === 'api server ready' && !done) { done = true; url = ev.url; port = Number(new URL(url).port); resolve(); }
        } catch { /* not JSON */ }
      }
    });
    // 'close' (not 'exit'): by then stderr is fully read, so a failed start says why.
    proc.on('close', code => { if (!done) { done = true; reject(new Error(`server exited ${code}: ${buf}`)); } });
  });
  await launch();

  const exited = () => new Promise<void>(r => { if (proc.exitCode !== null || proc.signalCode !== null) r(); else proc.once('exit', () => r()); });
  const ts: TestServer = {
    get url() { return url; }, kubeconfig, dataDir, get proc() { return proc; },
    kubectl: (args, opts = {}) => new Promise(resolve => {
      const child = execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
        env: { ...process.env, HOME: dataDir, ...opts.env }, maxBuffer: 64 * 1024 * 1024,
      }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
      if (opts.input !== undefined) child.stdin!.end(opts.input); else child.stdin!.end();
    }),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) { proc.kill('SIGTERM'); await exited(); }
      if (proxy) await purgeProxy(prefix!, serviceCidr); // after kill9 the rules are still there
      // A server with an agent leaves its run dir's tmpfs mounted (it outlives the agent, as /run
      // does): unmount what is below the data dir, deepest first, or removing it fails with EBUSY.
      for (const p of pointsUnder(await readMountPoints(), dataDir)) await new Promise(r => execFile('umount', ['-l', p], r));
      rmSync(dataDir, { recursive: true, force: true });
      unregister();
    },
    async kill9() { proc.kill('SIGKILL'); await exited(); },
    async restart() { await launch(); },
  };
  return ts;
}

/** kubectl that must succeed; returns stdout. */
export async function k(ts: TestServer, args: string[], input?: string): Promise<string> {
  const r = await ts.kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
