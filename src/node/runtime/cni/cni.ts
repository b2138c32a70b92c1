/**
 * The pod network through CNI plugins executed directly (no libcni): a conflist per node
 * with `bridge` (host-local IPAM on the node's pod subnet) and `portmap`, run as the CNI
 * spec says (config on stdin, CNI_* in the environment, result JSON on stdout).
 * `portmap` runs only for pods with host ports and `loopback` only when asked: runc
 * already brings `lo` up in a new network namespace, and every plugin is a process start.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CniError } from '../errors.js';
import { run, type RunResult } from '../proc.js';
import { withGoEnv, type Spawner } from '../spawner.js';

export interface CniNetworkOptions {
  /** CNI network name; also names host-local's data dir. */
  name: string;
  bridge: string;
  /** The node's pod CIDR, e.g. `10.42.0.0/24`. */
  subnet: string;
  /** Default: the subnet's first address. */
  gateway?: string;
  isGateway?: boolean;
  /** Default false: pod traffic stays on this machine, and masquerading costs iptables runs per pod. */
  ipMasq?: boolean;
  hairpinMode?: boolean;
  mtu?: number;
  /** Plugin directory (CNI_PATH), default /usr/lib/cni. */
  cniPath?: string;
  /** Per-node directory for the conflist and IPAM state. */
  dir: string;
  /** Also run the `loopback` plugin (default false: runc brings lo up). */
  loopbackPlugin?: boolean;
}

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol?: 'tcp' | 'udp' | 'sctp';
  hostIP?: string;
}

export interface CniResult {
  /** Pod addresses without prefix length, IPv4 first. */
  ips: string[];
  /** The bridge plugin's result, kept as prevResult for DEL. */
  raw: Record<string, unknown>;
}

interface PluginConf { type: string; [k: string]: unknown }

const CNI_VERSION = '1.0.0';

function firstHost(subnet: string): string {
  const [ip] = subnet.split('/');
  const p = ip!.split('.').map(Number);
  p[3] = p[3]! + 1;
  return p.join('.');
}

export class CniNetwork {
  readonly opts: CniNetworkOptions;
  readonly conflistPath: string;
  readonly #plugins: PluginConf[];
  #bridgeReady?: Promise<unknown>;
  readonly #spawner?: Spawner;

  /** `spawner`: plugins start through it instead of forking the agent. */
  constructor(opts: CniNetworkOptions, spawner?: Spawner) {
    this.opts = opts;
    this.#spawner = spawner;
    this.conflistPath = join(opts.dir, `${opts.name}.conflist`);
    this.#plugins = [
      {
        type: 'bridge', bridge: opts.bridge, isGateway: opts.isGateway ?? true, ipMasq: opts.ipMasq ?? false,
        hairpinMode: opts.hairpinMode ?? true, ...(opts.mtu ? { mtu: opts.mtu } : {}),
        ipam: {
          type: 'host-local', dataDir: join(opts.dir, 'ipam'),
          ranges: [[{ subnet: opts.subnet, gateway: opts.gateway ?? firstHost(opts.subnet) }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ];
  }

  /** Writes the conflist (for people and tools; execution uses the same objects). */
  async init(): Promise<void> {
    await mkdir(join(this.opts.dir, 'ipam'), { recursive: true });
    await writeFile(this.conflistPath, JSON.stringify({ cniVersion: CNI_VERSION, name: this.opts.name, plugins: this.#plugins }, null, 2));
  }

  async #exec(plugin: PluginConf, command: 'ADD' | 'DEL', id: string, netns: string, extra: Record<string, unknown>): Promise<Record<string, unknown>> {
    const conf = { cniVersion: CNI_VERSION, name: this.opts.name, ...plugin, ...extra };
    const cniPath = this.opts.cniPath ?? '/usr/lib/cni';
    const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...withGoEnv({ GOMAXPROCS: process.env.GOMAXPROCS, GOGC: process.env.GOGC }), CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: netns, CNI_IFNAME: 'eth0', CNI_PATH: cniPath };
    let r: RunResult;
    try {
      r = await run(join(cniPath, plugin.type), [], { env, input: JSON.stringify(conf), allowFailure: true, spawner: this.#spawner });
    } catch (e) {
      throw new CniError(`cni ${plugin.type}: ${(e as Error).message}`);
    }
    const text = r.stdout.toString();
    let body: Record<string, unknown> = {};
    try { body = text.trim() ? JSON.parse(text) : {}; } catch { /* reported below */ }
    if (r.code === 0) return body;
    const msg = (body.msg as string | undefined) ?? (r.stderr.toString().trim() || text.trim());
    throw new CniError(`cni ${plugin.type} ${command} failed: ${msg}${body.details ? ` (${String(body.details)})` : ''}`, { causes: [{ reason: String(body.code ?? r.code), message: msg }] });
  }

  /** Attaches `netns` (e.g. /proc/PID/ns/net) to the pod network; returns its addresses. */
  async add(id: string, netns: string, portMappings: PortMapping[] = []): Promise<CniResult> {
    // The first ADD creates the bridge; the bridge plugin races with itself doing that.
    const first = !this.#bridgeReady;
    const go = async () => {
      if (this.opts.loopbackPlugin) await this.#exec({ type: 'loopback' }, 'ADD', id, netns, {});
      let result = await this.#exec(this.#plugins[0]!, 'ADD', id, netns, {});
      if (portMappings.length) {
        result = await this.#exec(this.#plugins[1]!, 'ADD', id, netns, { prevResult: result, runtimeConfig: { portMappings: portMappings.map(p => ({ protocol: 'tcp', ...p })) } });
      }
      return result;
    };
    let result: Record<string, unknown>;
    if (first) {
      const p = go();
      this.#bridgeReady = p.catch(() => { this.#bridgeReady = undefined; });
      result = await p;
    } else {
      await this.#bridgeReady;
      result = await go();
    }
    const ips = ((result.ips as { address: string }[] | undefined) ?? []).map(i => i.address.split('/')[0]!);
    ips.sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));
    return { ips, raw: result };
  }

  /** Detaches; idempotent. `netns` may be '' when the namespace is already gone. */
  async del(id: string, netns: string, portMappings: PortMapping[] = [], prevResult?: Record<string, unknown>): Promise<void> {
    const extra = prevResult ? { prevResult } : {};
    if (portMappings.length) {
      await this.#exec(this.#plugins[1]!, 'DEL', id, netns, { ...extra, runtimeConfig: { portMappings: portMappings.map(p => ({ protocol: 'tcp', ...p })) } });
    }
    await this.#exec(this.#plugins[0]!, 'DEL', id, netns, extra);
    if (this.opts.loopbackPlugin && netns) await this.#exec({ type: 'loopback' }, 'DEL', id, netns, {}).catch(() => {});
  }

  /** Removes the bridge, conflist and IPAM state: the node leaves no network behind. */
  async destroy(): Promise<void> {
    await run('ip', ['link', 'del', this.opts.bridge], { allowFailure: true });
    await removeIdlePortmapChains();
    await rm(this.opts.dir, { recursive: true, force: true });
    this.#bridgeReady = undefined;
  }
}

const ipt = (...a: string[]) => run('iptables', ['-w', '-t', 'nat', ...a], { allowFailure: true });

/**
 * portmap's machine-wide chains (CNI-HOSTPORT-*) outlive every pod; once no pod on the
 * machine has a host port (DNAT chain empty) they are removed with their jumps.
 */
export async function removeIdlePortmapChains(): Promise<void> {
  const dnat = await ipt('-S', 'CNI-HOSTPORT-DNAT');
  if (dnat.code !== 0 || dnat.stdout.toString().trim().split('\n').length > 1) return;
  await ipt('-D', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT');
  await ipt('-D', 'OUTPUT', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT');
  await ipt('-D', 'POSTROUTING', '-m', 'comment', '--comment', 'CNI portfwd requiring masquerade', '-j', 'CNI-HOSTPORT-MASQ');
  for (const chain of ['CNI-HOSTPORT-MASQ', 'CNI-HOSTPORT-SETMARK', 'CNI-HOSTPORT-DNAT']) {
    await ipt('-F', chain);
    await ipt('-X', chain);
  }
}
