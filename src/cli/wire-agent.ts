/**
 * Starts the node agent (kubelet) for this machine. Owned by the node room.
 *
 * Per-node settings come from the environment until they become flags (tests give every
 * server its own network and directories):
 *   KUBELING_POD_CIDR (default: the first /24 of --cluster-cidr), KUBELING_BRIDGE (kubeling0),
 *   KUBELING_RUNC_ROOT (/run/kubeling/runc), KUBELING_CGROUP_PARENT (/kubeling),
 *   KUBELING_IMAGES (<data-dir>/images), KUBELING_AGENT_PORT (10250; 0 = any),
 *   KUBELING_AGENT_ADDRESS (127.0.0.1), KUBELING_NODE_IP, KUBELING_IP_MASQ (true),
 *   KUBELING_UNREACHABLE_ROUTE (true), KUBELING_AGENT_LEASE_MS / KUBELING_AGENT_STATUS_MS (10000).
 */
import { NodeAgent } from '../node/index.js';
import type { Component, ComponentContext } from './components.js';
import { log } from './log.js';

const env = (k: string) => process.env[k] || undefined;
const num = (k: string) => (env(k) === undefined ? undefined : Number(env(k)));
const bool = (k: string) => (env(k) === undefined ? undefined : !/^(0|false|no)$/i.test(env(k)!));

export async function startAgent(ctx: ComponentContext): Promise<Component[]> {
  const port = env('KUBELING_AGENT_PORT');
  const agent = await NodeAgent.start({
    client: ctx.client, informers: ctx.informers, nodeName: ctx.nodeName, dataDir: ctx.dataDir,
    clusterCidr: ctx.config.clusterCidr, podCidr: env('KUBELING_POD_CIDR'), bridge: env('KUBELING_BRIDGE'),
    runcRoot: env('KUBELING_RUNC_ROOT'), cgroupParent: env('KUBELING_CGROUP_PARENT'), imagesDir: env('KUBELING_IMAGES'),
    serverPort: port === undefined ? undefined : Number(port), serverAddress: env('KUBELING_AGENT_ADDRESS'),
    leaseIntervalMs: num('KUBELING_AGENT_LEASE_MS'), statusIntervalMs: num('KUBELING_AGENT_STATUS_MS'),
    nodeIP: env('KUBELING_NODE_IP'), ipMasq: bool('KUBELING_IP_MASQ'), manageRoute: bool('KUBELING_UNREACHABLE_ROUTE'),
    logger: log,
  });
  return [{ name: 'node-agent', stop: () => agent.stop() }];
}
