/**
 * Where the agent of a pod's node listens and how to authenticate to it: node.status
 * InternalIP + daemonEndpoints.kubeletEndpoint.Port over HTTPS (as kube-apiserver finds
 * the kubelet), with the API server's kubelet-client certificate — and the agent's bearer
 * token when the agent runs in this process. The agent's self-signed serving certificate
 * is not verified, like kube-apiserver without --kubelet-certificate-authority.
 * Shared by the log and the streaming proxies.
 */
import { networkInterfaces } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { BadRequestError, NotFoundError, ServiceUnavailableError } from '../../api/errors.js';
import { findResource } from '../../api/resources.js';
import { nodeToken } from '../server/credentials.js';
import type { ProxyContext } from './index.js';

/** The API server's client certificate for agents (upstream's --kubelet-client-certificate/-key). */
export interface AgentClientCert { cert: string; key: string }

export interface AgentEndpoint {
  nodeName: string;
  host: string;
  port: number;
  /** Authorization header, when the agent runs in this process. */
  headers: Record<string, string>;
  tls: ConnectionOptions;
}

/** The node's InternalIP, or loopback when that address is this machine's (the agent listens there). */
export function dialHost(node: Node): string {
  const ip = node.status?.addresses?.find(a => a.type === 'InternalIP')?.address;
  if (!ip) throw new ServiceUnavailableError(`node ${node.metadata?.name} has no InternalIP`);
  const local = Object.values(networkInterfaces()).flat().some(a => a?.address === ip);
  return local ? '127.0.0.1' : ip;
}

export async function getPod(registry: ProxyContext['registry'], ns: string, name: string): Promise<Pod> {
  return await registry.for(findResource('', 'v1', 'pods')!).get(ns, name) as Pod;
}

export async function agentEndpoint(registry: ProxyContext['registry'], pod: Pod, client?: AgentClientCert): Promise<AgentEndpoint> {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw new BadRequestError(`pod ${pod.metadata?.name} does not have a host assigned`);
  let node: Node;
  try {
    node = await registry.for(findResource('', 'v1', 'nodes')!).get(undefined, nodeName) as Node;
  } catch (e) {
    if (e instanceof NotFoundError) throw new BadRequestError(`pod ${pod.metadata?.name} is on node ${nodeName}, which does not exist`);
    throw e;
  }
  return nodeAgent(node, client);
}

/** How to reach the agent of `node`, or undefined when it advertises no port or cannot be authenticated to. */
export function nodeAgentIfReachable(node: Node, client?: AgentClientCert): AgentEndpoint | undefined {
  const nodeName = node.metadata!.name!;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const token = nodeToken(nodeName);
  if (!port || (!token && !client)) return undefined;
  return {
    nodeName, host: dialHost(node), port,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    tls: { rejectUnauthorized: false, ...(client ? { cert: client.cert, key: client.key } : {}) },
  };
}

export function nodeAgent(node: Node, client?: AgentClientCert): AgentEndpoint {
  const a = nodeAgentIfReachable(node, client);
  if (!a) throw new ServiceUnavailableError(`the agent of node ${node.metadata?.name} is not reachable`);
  return a;
}
