/**
 * The API server's side of node subresources: `pods/log` is proxied to the agent of the
 * pod's node (node.status InternalIP + daemonEndpoints.kubeletEndpoint.Port), as
 * kube-apiserver does, and so are the `exec`, `attach` and `portforward` upgrades and
 * `nodes/proxy`; metrics.k8s.io asks the agents for their Summary (metrics.ts).
 * Validation of the container parameter happens here, like upstream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { BadRequestError, NotFoundError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { AgentClientCert } from './agent-endpoint.js';
import { proxyPodLog } from './logs.js';
import { proxyPodStream, type StreamKind } from './streams.js';
import { proxyToNode } from './node-proxy.js';
import { agentMetricsSource, type AgentMetricsSource, type ListingRegistry } from './metrics.js';

interface PodGetter { for(ri: ResourceInfo): { get(ns: string | undefined, name: string): Promise<KubeObject> } }

/** What the proxies need of a request (structurally the API server's RequestContext). */
export interface ProxyContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  info: { namespace?: string; name?: string; rest?: string[] };
  /** The addressed resource (its kind picks the proxy target). */
  ri?: { kind: string };
  registry: PodGetter;
}

/** What the upgrade proxies need (structurally the API server's UpgradeContext). */
export interface UpgradeProxyContext {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  query: URLSearchParams;
  info: { namespace?: string; name?: string };
  registry: PodGetter;
}

export interface NodeProxyHost {
  streams: Map<string, (ctx: ProxyContext) => Promise<void>>;
  upgrades?: Map<string, (ctx: UpgradeProxyContext) => Promise<void>>;
  /** metrics.k8s.io's data (structurally the API server's ResourceMetricsSource). */
  metricsSource?: AgentMetricsSource;
  registry: ListingRegistry;
}

export type { AgentClientCert } from './agent-endpoint.js';
// For `kubeling server`'s agent thread: its agent's token and socket, registered on the API server's thread.
export { registeredAgent, registerInProcessAgent, revokeNodeToken } from '../server/credentials.js';
export { endPortForwardsHere } from './streams.js';

/**
 * Registers the node subresource handlers (pods/log, exec, attach, portforward, nodes/proxy)
 * and metrics.k8s.io's source on an API server. `client`: the certificate agents in other
 * processes or machines accept (agents in this process are reached with their token without it).
 */
export function registerNodeProxies(api: NodeProxyHost, client?: AgentClientCert): void {
  api.streams.set('log', ctx => proxyPodLog(ctx, client));
  for (const kind of ['exec', 'attach', 'portforward'] satisfies StreamKind[]) {
    api.upgrades?.set(kind, ctx => proxyPodStream(ctx, kind, client));
    // A plain request (no Upgrade header) cannot carry a stream: upstream's answer.
    api.streams.set(kind, async ctx => { ctx.req.resume(); throw new BadRequestError('Upgrade request required'); });
  }
  api.metricsSource = agentMetricsSource(api.registry, client);
  // nodes/proxy goes to the agent; another room's proxy (pods, services) keeps the rest.
  const other = api.streams.get('proxy');
  api.streams.set('proxy', ctx => {
    if (ctx.ri?.kind === 'Node') return proxyToNode(ctx, client);
    if (other) return other(ctx);
    throw new NotFoundError('the server could not find the requested resource');
  });
}
