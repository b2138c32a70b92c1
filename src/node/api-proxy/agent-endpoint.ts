/**
 * Where the agent of a pod's node listens and how to authenticate to it: node.status
 * InternalIP + daemonEndpoints.kubeletEndpoint.Port (as kube-apiserver finds the kubelet),
 * and the agent's bearer token. Shared by the log and the streaming proxies.
 */
import { networkInterfaces } from 'node:os';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { BadRequestError, NotFoundError, ServiceUnavailableError } from '../../api/errors.js';
import { findResource } from '../../api/resources.js';
import { nodeToken } from '../server/credentials.js';
import type { ProxyContext } from './index.js';

export interface AgentEndpoint { nodeName: string; host: string; port: number; token: string }

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

export async function agentEndpoint(registry: ProxyContext['registry'], pod: Pod): Promise<AgentEndpoint> {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw new BadRequestError(`pod ${pod.metadata?.name} does not have a host assigned`);
  let node: Node;
  try {
    node = await registry.for(findResource('', 'v1', 'nodes')!).get(undefined, nodeName) as Node;
  } catch (e) {
    if (e instanceof NotFoundError) throw new BadRequestError(`pod ${pod.metadata?.name} is on node ${nodeName}, which does not exist`);
    throw e;
  }
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const token = nodeToken(nodeName);
  if (!port || !token) throw new ServiceUnavailableError(`the agent of node ${nodeName} is not reachable`);
  return { nodeName, host: dialHost(node), port, token };
}
