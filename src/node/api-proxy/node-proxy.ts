/**
 * GET nodes/<name>/proxy/<path> → GET <agent>/<path>, as kube-apiserver proxies to the
 * kubelet (`kubectl get --raw /api/v1/nodes/N/proxy/metrics` reads the agent's /metrics,
 * `…/proxy/stats/summary` its Summary). Read-only: other methods are refused.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { MethodNotAllowedError, ServiceUnavailableError } from '../../api/errors.js';
import { findResource } from '../../api/resources.js';
import type { ProxyContext } from './index.js';
import { agentRequest, nodeAgent, type AgentClientCert } from './agent-endpoint.js';

export async function proxyToNode(ctx: ProxyContext & { info: { rest?: string[] } }, client?: AgentClientCert): Promise<void> {
  if (ctx.req.method !== 'GET') throw new MethodNotAllowedError('the server does not allow this method on the requested resource');
  const name = ctx.info.name!;
  const node = await ctx.registry.for(findResource('', 'v1', 'nodes')!).get(undefined, name) as Node;
  const agent = nodeAgent(node, client);
  const q = ctx.query.toString();
  const path = `/${(ctx.info.rest ?? []).map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}`;
  await new Promise<void>((resolve, reject) => {
    const up = agentRequest(agent, { path }, res => {
      ctx.res.writeHead(res.statusCode ?? 502, { 'Content-Type': res.headers['content-type'] ?? 'text/plain' });
      res.pipe(ctx.res);
      res.on('end', resolve);
      res.on('error', () => { ctx.res.destroy(); resolve(); });
    });
    ctx.res.on('close', () => up.destroy());
    up.on('error', e => {
      if (ctx.res.headersSent) { ctx.res.destroy(); resolve(); } else reject(new ServiceUnavailableError(`error dialing the agent of node ${name}: ${e.message}`));
    });
    up.end();
  });
}
