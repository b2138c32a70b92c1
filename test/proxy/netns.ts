/**
 * TEST ONLY — stand-in pods with real network stacks: one bridge per test run (its own
 * name and /24), one network namespace per "pod" with a veth on the bridge (hairpin on,
 * as the CNI bridge plugin sets it), and a small Node server inside answering HTTP and
 * UDP with the pod's name. destroy() removes every netns, link and process it made.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { execRunner } from '../../src/proxy/index.js';
import { registerRun, sweepDeadRuns } from './sweep.js';

/** node:test `skip` value for suites that program the kernel (netns, iptables, routes). */
export const needsRoot: string | false = process.getuid?.() === 0 ? false : 'needs root (netns, iptables, routes)';

export interface TestPod { name: string; netns: string; ip: string; hostVeth: string; server?: ChildProcess }

const SERVER = `
const http = require('http'), dgram = require('dgram');
const name = process.argv[1], port = Number(process.argv[2]);
http.createServer((q, s) => { s.setHeader('connection', 'close'); s.end(name + ' ' + q.socket.remoteAddress.replace('::ffff:', '')); }).listen(port, () => console.log('ready'));
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => u.send(name + ' ' + r.address.replace('::ffff:', ''), r.port, r.address));
u.bind(port);
`;

/** HTTP GETs `count` times (new connection each) from wherever it runs; prints bodies as JSON. */
const CLIENT = `
const http = require('http');
const [url, count] = [process.argv[1], Number(process.argv[2])];
(async () => {
  const out = [];
  for (let i = 0; i < count; i++) {
    out.push(await new Promise(r => {
      const req = http.get(url, { agent: false, timeout: 2000 }, res => { let b = ''; res.on('data', c => b += c); res.on('end', () => r(b)); });
      req.on('timeout', () => { req.destroy(); r('ERR timeout'); });
      req.on('error', e => r('ERR ' + e.code));
    }));
  }
  console.log(JSON.stringify(out));
})();
`;

async function sh(cmd: string, args: string[]): Promise<string> {
  const r = await execRunner(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

export class TestNet {
  readonly id: string;
  readonly bridge: string;
  /** The pod network: a /24 with the bridge on .1. */
  readonly cidr: string;
  readonly gateway: string;
  readonly pods: TestPod[] = [];
  readonly #base: string;
  #unregister: () => void = () => {};

  private constructor() {
    this.id = randomBytes(3).toString('hex');
    this.bridge = `klbr${this.id}`;
    const b = randomBytes(2);
    this.#base = `10.${200 + (b[0] % 50)}.${b[1]}`;
    this.cidr = `${this.#base}.0/24`;
    this.gateway = `${this.#base}.1`;
  }

  static async create(pods: number): Promise<TestNet> {
    await sweepDeadRuns();
    const net = new TestNet();
    net.#unregister = registerRun({ netId: net.id }); // removed by the next run if this one is killed
    try {
      await sh('ip', ['link', 'add', net.bridge, 'type', 'bridge']);
      await sh('ip', ['addr', 'add', `${net.gateway}/24`, 'dev', net.bridge]);
      await sh('ip', ['link', 'set', net.bridge, 'up']);
      for (let i = 0; i < pods; i++) await net.addPod();
    } catch (e) {
      await net.destroy();
      throw e;
    }
    return net;
  }

  async addPod(): Promise<TestPod> {
    const i = this.pods.length;
    const pod: TestPod = { name: `pod-${i}`, netns: `kl-${this.id}-${i}`, ip: `${this.#base}.${i + 10}`, hostVeth: `klv${this.id}${i}` };
    this.pods.push(pod);
    await sh('ip', ['netns', 'add', pod.netns]);
    await sh('ip', ['link', 'add', pod.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.netns]);
    await sh('ip', ['link', 'set', pod.hostVeth, 'master', this.bridge, 'up']);
    await sh('ip', ['link', 'set', pod.hostVeth, 'type', 'bridge_slave', 'hairpin', 'on']);
    await sh('ip', ['-n', pod.netns, 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0']);
    await sh('ip', ['-n', pod.netns, 'link', 'set', 'eth0', 'up']);
    await sh('ip', ['-n', pod.netns, 'link', 'set', 'lo', 'up']);
    await sh('ip', ['-n', pod.netns, 'route', 'add', 'default', 'via', this.gateway]);
    return pod;
  }

  /** Starts the pod's HTTP+UDP server on `port`; resolves once it listens. */
  async serve(i: number, port = 8080): Promise<void> {
    const pod = this.pods[i];
    const child = spawn('ip', ['netns', 'exec', pod.netns, process.execPath, '-e', SERVER, pod.name, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    pod.server = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', c => reject(new Error(`server in ${pod.netns} exited ${c}`)));
    });
  }

  /** `count` HTTP GETs of `url`, each on a new connection, from pod `i` (or the node when undefined). */
  async get(url: string, count = 1, from?: number): Promise<string[]> {
    const args = from === undefined ? [process.execPath, '-e', CLIENT, url, String(count)]
      : ['ip', 'netns', 'exec', this.pods[from].netns, process.execPath, '-e', CLIENT, url, String(count)];
    return JSON.parse(await sh(args[0], args.slice(1))) as string[];
  }

  /** The pod's /etc/resolv.conf (`ip netns exec` bind-mounts /etc/netns/<name>/resolv.conf). */
  setResolvConf(i: number, text: string): void {
    const dir = `/etc/netns/${this.pods[i].netns}`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/resolv.conf`, text);
  }

  /** Runs a command inside pod `i`'s network namespace. */
  exec(i: number, args: string[]): Promise<string> {
    return sh('ip', ['netns', 'exec', this.pods[i].netns, ...args]);
  }

  async destroy(): Promise<void> {
    for (const p of this.pods) {
      if (p.server && p.server.exitCode === null) {
        p.server.kill('SIGKILL');
        await new Promise(r => p.server!.once('exit', r));
      }
      await execRunner('ip', ['netns', 'del', p.netns]);
      rmSync(`/etc/netns/${p.netns}`, { recursive: true, force: true });
      await execRunner('ip', ['link', 'del', p.hostVeth]);
    }
    await execRunner('ip', ['link', 'del', this.bridge]);
    this.#unregister();
  }
}

/** Names of leftovers from this run: netns and links (for clean-up assertions). */
export async function leftovers(id: string): Promise<string[]> {
  const ns = (await sh('ip', ['netns', 'list'])).split('\n').filter(l => l.includes(`kl-${id}-`));
  const etc = (await sh('ls', ['/etc/netns']).catch(() => '')).split('\n').filter(l => l.includes(`kl-${id}-`));
  const links = (await sh('ip', ['-o', 'link'])).split('\n').filter(l => l.includes(id));
  return [...ns, ...etc, ...links];
}
