/**
 * Starts the node agent (kubelet) for this machine. Owned by the node room.
 * Per-node settings are `kubeling server` flags (see `kubeling server --help`); tests give
 * every server its own bridge, pod CIDR, runc root, cgroup root and image store.
 */
import { NodeAgent } from '../node/index.js';
import type { Component, ComponentContext } from './components.js';
import { log } from './log.js';

/** The node agent's part of `kubeling server`'s flags; unset = the agent's default. */
export interface AgentFlags {
  /** --node-ip (default: the address of the interface holding the default route). */
  nodeIP?: string;
  /** --kubelet-address / --kubelet-port (127.0.0.1:10250; port 0 = any free port). */
  address?: string;
  port?: number;
  /** --pod-cidr (default: the first /24 of --cluster-cidr). */
  podCidr?: string;
  /** --cni-bridge (kubeling0). */
  bridge?: string;
  /** --cgroup-root (/kubeling). */
  cgroupRoot?: string;
  /** --runc-root (/run/kubeling/runc). */
  runcRoot?: string;
  /** --images-dir (<data-dir>/images). */
  imagesDir?: string;
  /** --no-ip-masq turns masquerading of pod traffic leaving the node off. */
  ipMasq?: boolean;
  /** --no-unreachable-route: do not add the unreachable route over the cluster CIDR. */
  unreachableRoute?: boolean;
  /** --node-status-update-frequency / --node-lease-renew-interval, in ms (10000). */
  statusIntervalMs?: number;
  leaseIntervalMs?: number;
}

export async function startAgent(ctx: ComponentContext, f: AgentFlags = {}): Promise<Component[]> {
  const agent = await NodeAgent.start({
    client: ctx.client, informers: ctx.informers, nodeName: ctx.nodeName, dataDir: ctx.dataDir,
    clusterCidr: ctx.config.clusterCidr, podCidr: f.podCidr, bridge: f.bridge,
    runcRoot: f.runcRoot, cgroupParent: f.cgroupRoot, imagesDir: f.imagesDir,
    serverPort: f.port, serverAddress: f.address,
    leaseIntervalMs: f.leaseIntervalMs, statusIntervalMs: f.statusIntervalMs,
    nodeIP: f.nodeIP, ipMasq: f.ipMasq, manageRoute: f.unreachableRoute, clusterDomain: ctx.config.clusterDomain,
    logger: log,
  });
  return [{ name: 'node-agent', stop: () => agent.stop() }];
}

/** A Go-style duration ("10s", "500ms", "1m30s") or plain milliseconds, in ms. */
export function parseDurationMs(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const rest = s.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_, n: string, u: string) => { total += Number(n) * units[u]!; return ''; });
  if (rest !== '' || s === '') throw new Error(`invalid duration ${JSON.stringify(s)} (want e.g. 10s, 500ms)`);
  return total;
}
