/**
 * The API server's side of node subresources: `pods/log` is proxied to the agent of the
 * pod's node (node.status InternalIP + daemonEndpoints.kubeletEndpoint.Port), as
 * kube-apiserver does. Validation of the container parameter happens here, like upstream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';
import { proxyPodLog } from './logs.js';

/** What the proxies need of a request (structurally the API server's RequestContext). */
export interface ProxyContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  info: { namespace?: string; name?: string };
  registry: { for(ri: ResourceInfo): { get(ns: string | undefined, name: string): Promise<KubeObject> } };
}

export interface NodeProxyHost {
  streams: Map<string, (ctx: ProxyContext) => Promise<void>>;
}

/** Registers the node subresource handlers (today: pods/log) on an API server. */
export function registerNodeProxies(api: NodeProxyHost): void {
  api.streams.set('log', ctx => proxyPodLog(ctx));
}
