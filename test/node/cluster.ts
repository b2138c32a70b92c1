/**
 * A private one-node cluster for a node test file: a `kubeling server` child process with
 * its own data dir, port, bridge, pod CIDR, cluster CIDR, runc root and cgroup parent, and
 * a shared prebuilt image store, its own service range and proxy chain prefix (proxy and
 * cluster DNS run only when a test asks). `destroy()` stops it and removes everything
 * (purgeNode, purgeProxy); `leftovers()` lists what would remain on the machine. Every
 * cluster registers itself (../proxy/sweep.ts), so an interrupted run is cleaned up by the
 * next one.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '../../src/client/index.js';
import { SERVER_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { AGENT_NODE_FLAGS, purgeNode, type AgentOptionsInput } from '../../src/node/index.js';
import { RuncRuntime } from '../../src/node/runtime/index.js';
import { openImageStore, runtimeOptions } from '../../src/node/setup.js';
import { resolveAgentOptions } from '../../src/node/options.js';
import type { ServerFlags } from '../../src/cli/server.js';
import type { AgentFlags } from '../../src/cli/wire-agent.js';
import type { ServicesOptions } from '../../src/cli/wire-services.js';
import { randomPrefix } from '../../src/proxy/index.js';
import { freeServiceCidr, ourRulesSync, purgeProxy, registerRun, sweepDeadRuns } from '../proxy/sweep.js';

const MAIN = fileURLToPath(new URL('./server-main.js', import.meta.url));
const AGENT_MAIN = fileURLToPath(new URL('./agent-main.js', import.meta.url));
export const isRoot = process.getuid?.() === 0;
export const rootSkip = isRoot ? false : 'needs root (runc, overlayfs, CNI)';
const silent = { info() {}, warn() {}, error() {} };

/**
 * One image store for every node test file (a cache kept between runs): built once in a
 * temp dir and renamed into place, so test files starting together never build into it at once.
 */
const SHARED_ROOT = join(tmpdir(), 'kubeling-node-test-images');
export const SHARED_IMAGES = join(SHARED_ROOT, 'images');

export async function ensureSharedImages(): Promise<void> {
  if (existsSync(join(SHARED_IMAGES, 'index.json'))) {
    await openImageStore(SHARED_IMAGES, silent);
    return;
  }
  const tmp = `${SHARED_ROOT}.tmp-${randomBytes(3).toString('hex')}`;
  await openImageStore(join(tmp, 'images'), silent);
  try {
    renameSync(tmp, SHARED_ROOT);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another file won the race
  }
}

function freeCidrs(): { cluster: string; pod: string } {
  const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  for (;;) {
    const n = 2 * (randomBytes(1)[0]! % 127);
    if (!routes.includes(`10.251.${n}.`) && !routes.includes(`10.251.${n + 1}.`)) return { cluster: `10.251.${n}.0/23`, pod: `10.251.${n}.0/24` };
  }
}

export interface KubectlResult { code: number; stdout: string; stderr: string }

export class NodeCluster {
  readonly hex = randomBytes(3).toString('hex');
  readonly dataDir = mkdtempSync(join(tmpdir(), `kubeling-node-${this.hex}-`));
  readonly nodeName = `node-${this.hex}`;
  readonly bridge = `kln${this.hex}`;
  readonly cidrs = freeCidrs();
  readonly runcRoot = `/run/kubeling-test-${this.hex}`;
  readonly cgroupParent = `/kubeling-test-${this.hex}`;
  readonly kubeconfig = join(this.dataDir, 'kubeconfig.yaml');
  readonly serviceCidr = freeServiceCidr();
  readonly chainPrefix = randomPrefix();
  #unregister?: () => void;
  proc?: ChildProcess;
  /** The agent's own process, when started with `agentProcess`. */
  agentProc?: ChildProcess;
  url = '';
  port = 0;
  /** The server's worker threads by name ("node-agent", "control-plane") → OS thread id (/proc/<pid>/task/<tid>). */
  readonly threads = new Map<string, number>();
  #client?: Client;

  agentInput(): AgentOptionsInput {
    return {
      client: undefined as never, informers: undefined as never, nodeName: this.nodeName, dataDir: this.dataDir,
      clusterCidr: this.cidrs.cluster, podCidr: this.cidrs.pod, bridge: this.bridge, runcRoot: this.runcRoot,
      cgroupParent: this.cgroupParent, imagesDir: SHARED_IMAGES, ipMasq: false, logger: silent,
    };
  }

  get client(): Client {
    this.#client ??= Client.fromKubeconfig(this.kubeconfig);
    return this.#client;
  }

  /** This node's `kubeling server` agent flags (what --pod-cidr, --cni-bridge, ... set). */
  agentFlags(): AgentFlags {
    return {
      podCidr: this.cidrs.pod, bridge: this.bridge, runcRoot: this.runcRoot, cgroupRoot: this.cgroupParent,
      imagesDir: SHARED_IMAGES, port: 0, ipMasq: false,
    };
  }

  /** The same as command-line flags, for a `kubeling server` started through the CLI. */
  agentArgs(): string[] {
    return [
      '--pod-cidr', this.cidrs.pod, '--cni-bridge', this.bridge, '--runc-root', this.runcRoot, '--cgroup-root', this.cgroupParent,
      '--images-dir', SHARED_IMAGES, '--kubelet-port', '0', '--no-ip-masq', '--node-name', this.nodeName, '--cluster-cidr', this.cidrs.cluster,
    ];
  }

  /** Starts (or restarts) the server; resolves when the API answers. */
  async start(o: {
    agent?: boolean; agentProcess?: boolean; agentFlags?: AgentFlags; env?: Record<string, string>;
    /** Run the controller manager / scheduler too (default: no; tests set spec.nodeName). */
    controllers?: boolean; scheduler?: boolean;
    /** Service networking; proxy and DNS are off unless set here (chain prefix and range are always this cluster's). */
    services?: Partial<ServicesOptions>;
    /** More server flags (e.g. agentThread). */
    server?: Partial<ServerFlags>;
  } = {}): Promise<void> {
    await sweepDeadRuns();
    this.threads.clear();
    this.#unregister ??= registerRun({
      prefix: this.chainPrefix, serviceCidr: this.serviceCidr, dataDir: this.dataDir,
      node: { ...this.agentInput(), client: undefined, informers: undefined, logger: undefined },
    });
    await ensureSharedImages();
    const env = { ...process.env, KUBELING_LOG_FORMAT: 'json', ...o.env };
    const flags: ServerFlags = {
      dataDir: this.dataDir, writeKubeconfig: this.kubeconfig, port: this.port, bindAddress: '127.0.0.1', disableAgent: o.agent === false || !!o.agentProcess,
      tlsSan: [], nodeName: this.nodeName, clusterCidr: this.cidrs.cluster, serviceCidr: this.serviceCidr,
      disableControllers: !o.controllers, disableScheduler: !o.scheduler,
      agent: { ...this.agentFlags(), ...o.agentFlags },
      services: { proxy: false, dns: false, ...o.services, chainPrefix: this.chainPrefix },
      // KUBELING_TEST_AGENT_THREAD=main|control-plane|own: where the server runs its agent (A/B runs of tests and benches).
      ...(process.env.KUBELING_TEST_AGENT_THREAD ? { agentThread: process.env.KUBELING_TEST_AGENT_THREAD as ServerFlags['agentThread'] } : {}),
      ...o.server,
    };
    this.proc = await this.#spawn(MAIN, [JSON.stringify(flags)], env, 'test server wired');
    if (o.agentProcess) {
      const { client: _c, informers: _i, logger: _l, ...input } = this.agentInput();
      this.agentProc = await this.#spawn(AGENT_MAIN, [JSON.stringify({ kubeconfig: this.kubeconfig, input: { ...input, serverPort: 0 } })], env, 'agent process ready');
    }
  }

  async #spawn(main: string, args: string[], env: NodeJS.ProcessEnv, readyMsg: string): Promise<ChildProcess> {
    const nodeArgs = [
      // Each process runs with the V8 flags its real launcher gives it.
      ...(main === AGENT_MAIN ? AGENT_NODE_FLAGS : SERVER_NODE_FLAGS),
      ...env.KUBELING_TEST_NODE_ARGS?.split(' ').filter(Boolean) ?? [], // e.g. --cpu-prof
    ];
    // KUBELING_TEST_NODE_STDOUT=FILE: the process's stdout (where V8's --trace-opt/--trace-deopt print) to FILE.server / FILE.agent.
    const out = env.KUBELING_TEST_NODE_STDOUT ? openSync(`${env.KUBELING_TEST_NODE_STDOUT}.${main === AGENT_MAIN ? 'agent' : 'server'}`, 'a') : 'ignore';
    const proc = spawn(process.execPath, [...nodeArgs, main, ...args], { env, stdio: ['ignore', out, 'pipe'] });
    if (typeof out === 'number') closeSync(out);
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      let done = false;
      proc.stderr!.on('data', (c: Buffer) => {
        buf += c.toString();
        if (process.env.KUBELING_TEST_VERBOSE) process.stderr.write(c);
        for (let i; (i = buf.indexOf('\n')) >= 0;) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          try {
            const ev = JSON.parse(line);
            // Until ready, warnings show (e.g. node registration retrying): a start that cannot finish says why.
            if (!done && !process.env.KUBELING_TEST_VERBOSE && (ev.level === 'warn' || ev.level === 'error')) process.stderr.write(`${line}\n`);
            if (ev.msg === 'api server ready') { this.url = ev.url; this.port = Number(new URL(ev.url).port); }
            if (typeof ev.msg === 'string' && ev.msg.endsWith(' thread started') && ev.tid) this.threads.set(ev.msg.slice(0, -' thread started'.length), ev.tid);
            if (ev.msg === readyMsg && !done) { done = true; resolve(); }
          } catch { /* not JSON */ }
        }
      });
      proc.on('exit', code => { if (!done) { done = true; reject(new Error(`${main} exited ${code}: ${buf}`)); } });
    });
    return proc;
  }

  /** SIGTERM (or SIGKILL, a crash): the agent stops, pods keep running. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    for (const p of [this.agentProc, this.proc]) {
      if (!p || p.exitCode !== null || p.signalCode !== null) continue;
      const exited = new Promise<void>(r => p.once('exit', () => r()));
      p.kill(signal);
      await exited;
    }
    this.#client?.close();
    this.#client = undefined;
  }

  kubectl(args: string[], input?: string): Promise<KubectlResult> {
    return new Promise(resolve => {
      const child = execFile('kubectl', ['--kubeconfig', this.kubeconfig, '--cache-dir', join(this.dataDir, 'kube-cache'), ...args], {
        env: { ...process.env, HOME: this.dataDir }, maxBuffer: 64 * 1024 * 1024,
      }, (err, stdout, stderr) => resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr }));
      child.stdin!.end(input ?? '');
    });
  }

  async k(args: string[], input?: string): Promise<string> {
    const r = await this.kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  /** A runtime over the agent's state, for looking at what runs (pids, namespaces). */
  async runtime(): Promise<RuncRuntime> {
    const o = resolveAgentOptions(this.agentInput());
    return RuncRuntime.create(runtimeOptions(o, await openImageStore(SHARED_IMAGES, silent)));
  }

  /** Stops the server and removes everything of this node. */
  async destroy(): Promise<void> {
    this.#client?.close();
    await this.stop();
    try {
      await purgeNode(this.agentInput());
    } finally {
      await purgeProxy(this.chainPrefix, this.serviceCidr); // a killed server leaves its rules
      // A server that died early can make the purge fail: the data dir must still go (never with mounts inside).
      if (!readFileSync('/proc/self/mountinfo', 'utf8').includes(this.dataDir)) rmSync(this.dataDir, { recursive: true, force: true });
    }
    this.#unregister?.();
  }

  /** What of this node is still on the machine (should be empty after destroy). */
  leftovers(): string[] {
    const out: string[] = ourRulesSync(this.chainPrefix).map(r => `rule ${r}`);
    if (execFileSync('ip', ['-4', 'route', 'show', 'type', 'unreachable'], { encoding: 'utf8' }).includes(this.serviceCidr)) out.push('service route');
    const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
    if (links.includes(this.bridge)) out.push(`link ${this.bridge} or its veths`);
    if (execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' }).includes(this.cidrs.cluster.split('/')[0]!)) out.push('routes');
    if (existsSync(this.runcRoot)) out.push(`runc root ${this.runcRoot}`);
    if (readFileSync('/proc/self/mountinfo', 'utf8').includes(this.dataDir)) out.push('mounts');
    if (existsSync(`/sys/fs/cgroup/memory${this.cgroupParent}`) || existsSync(`/sys/fs/cgroup/pids${this.cgroupParent}`)) out.push('cgroups');
    if (existsSync(this.dataDir)) out.push('data dir');
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    if (ps.includes(this.runcRoot)) out.push('processes');
    return out;
  }
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`). */
export async function eventually<T>(fn: () => Promise<T | undefined | false | null>, ms = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

/** Adds `spec.nodeName` to every Pod document of a manifest (no scheduler runs in these tests). */
export function onNode(yaml: string, node: string): string {
  return yaml.replace(/^spec:\n/gm, `spec:\n  nodeName: ${node}\n`);
}
