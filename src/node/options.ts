/**
 * What the node agent is told: who it is, where it keeps state, and the node's slice of
 * the pod network. Everything per-node is an option so tests run agents side by side
 * (own bridge, pod CIDR, runc root, cgroup parent, data dir) and remove them afterwards.
 */
import { join } from 'node:path';
import type { Client, Logger, SharedInformerFactory } from '../client/index.js';
import type { Runtime } from './runtime/index.js';

export interface AgentOptions {
  client: Client;
  informers: SharedInformerFactory;
  nodeName: string;
  /** The agent's state: `<dir>/runtime`, `<dir>/pods`, `<dir>/logs`. */
  dir: string;
  /** The image store (setup images are built into it when missing). */
  imagesDir: string;
  /** The whole pod network (an `unreachable` route covers it; traffic never leaves). */
  clusterCidr: string;
  /** This node's part of it (spec.podCIDR, the bridge subnet). */
  podCidr: string;
  bridge: string;
  runcRoot: string;
  cgroupParent: string;
  /** The agent's HTTP endpoint (logs); port 0 picks a free one. */
  serverAddress: string;
  serverPort: number;
  /** Default: the address of the interface holding the default route. */
  nodeIP?: string;
  /** Masquerade pod traffic leaving the node (CNI bridge ipMasq). */
  ipMasq: boolean;
  /** Add/remove the unreachable route (tests sharing a cluster CIDR may turn it off). */
  manageRoute: boolean;
  /** The cluster domain for pods' DNS search path (default cluster.local). */
  clusterDomain?: string;
  logger: Logger;
  /** Injected runtime (tests); default a RuncRuntime over the paths above. */
  runtime?: Runtime;
  /** Node status and lease periods (ms). */
  statusIntervalMs: number;
  leaseIntervalMs: number;
  /** How often every pod is re-synced even without events (ms). */
  resyncIntervalMs: number;
}

export type AgentOptionsInput = Pick<AgentOptions, 'client' | 'informers' | 'nodeName'> & Partial<AgentOptions> & { dataDir: string };

/** Fills defaults: state under `<dataDir>/agent`, images in `<dataDir>/images`, podCidr = the first /24 of the cluster CIDR. */
export function resolveAgentOptions(i: AgentOptionsInput): AgentOptions {
  const clusterCidr = i.clusterCidr ?? '10.42.0.0/16';
  return {
    ...i,
    dir: i.dir ?? join(i.dataDir, 'agent'),
    imagesDir: i.imagesDir ?? join(i.dataDir, 'images'),
    clusterCidr,
    podCidr: i.podCidr ?? firstSubnet(clusterCidr, 24),
    bridge: i.bridge ?? 'kubeling0',
    runcRoot: i.runcRoot ?? '/run/kubeling/runc',
    cgroupParent: i.cgroupParent ?? '/kubeling',
    serverAddress: i.serverAddress ?? '127.0.0.1',
    serverPort: i.serverPort ?? 10250,
    ipMasq: i.ipMasq ?? true,
    manageRoute: i.manageRoute ?? true,
    logger: i.logger ?? { info() {}, warn() {}, error() {} },
    statusIntervalMs: i.statusIntervalMs ?? 10_000,
    leaseIntervalMs: i.leaseIntervalMs ?? 10_000,
    resyncIntervalMs: i.resyncIntervalMs ?? 10_000,
  };
}

/** The first subnet of `bits` inside `cidr` (10.42.0.0/16, 24 → 10.42.0.0/24). */
export function firstSubnet(cidr: string, bits: number): string {
  const [ip, len] = cidr.split('/');
  return Number(len) >= bits ? cidr : `${ip}/${bits}`;
}

/**
 * V8 flags for a process that runs only the node agent (agent-main, what `kubeling agent`
 * will be):
 * - a 4 MB young-generation semi-space instead of 16 MB. The agent's garbage is small and
 *   short-lived, and during a burst of pod starts the larger young generation alone held
 *   ~17 MB more RSS (bench/node.ts: 114 → 97 MB with 100 pods).
 * - --optimize-for-size: V8 keeps the heap tighter (committed heap after a burst of 100 pods
 *   30-31 → 24-25 MB). bench/node.ts remote agent, back to back: RSS idle 68 → 64 MB, with
 *   100 pods 93-95 → 82-83 MB, for 1-3 ms more agent CPU per burst pod. A 1 MB semi-space
 *   instead saved nothing measurable and cost 2-3 ms of agent CPU per pod.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--optimize-for-size'];
