/**
 * Where the agent of a pod's node listens and how to authenticate to it: node.status
 * InternalIP + daemonEndpoints.kubeletEndpoint.Port over HTTPS (as kube-apiserver finds
 * the kubelet), with the API server's kubelet-client certificate — and the agent's bearer
 * token when the agent runs in this process. The agent's self-signed serving certificate
 * is not verified, like kube-apiserver without --kubelet-certificate-authority.
 * Shared by the log and the streaming proxies.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { networkInterfaces } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { BadRequestError, NotFoundError, ServiceUnavailableError } from '../../api/errors.js';
import { findResource } from '../../api/resources.js';
import { nodeLocalSocket, nodeToken } from '../server/credentials.js';
import type { ProxyContext } from './index.js';

/** The API server's client certificate for agents (upstream's --kubelet-client-certificate/-key). */
export interface AgentClientCert { cert: string; key: string }

export interface AgentEndpoint {
  nodeName: string;
  host: string;
  port: number;
  /** The agent's plain-HTTP unix socket, when it runs in this process (then no TLS). */
  socketPath?: string;
  /** Authorization header, when the agent runs in this process. */
  headers: Record<string, string>;
  /** HTTPS options; undefined over the local socket. */
  tls?: ConnectionOptions;
}

/** A request to the agent (HTTPS, or plain HTTP over its local socket). */
export function agentRequest(a: AgentEndpoint, o: { path: string; method?: string; timeout?: number }, cb?: (res: IncomingMessage) => void): ClientRequest {
  const base = { path: o.path, method: o.method ?? 'GET', headers: a.headers, ...(o.timeout ? { timeout: o.timeout } : {}) };
  return a.socketPath ? httpRequest({ ...base, socketPath: a.socketPath }, cb) : httpsRequest({ ...base, host: a.host, port: a.port, ...a.tls }, cb);
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
  const socketPath = token ? nodeLocalSocket(nodeName) : undefined;
  if (socketPath) return { nodeName, host: 'localhost', port, socketPath, headers: { authorization: `Bearer ${token}` } };
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
