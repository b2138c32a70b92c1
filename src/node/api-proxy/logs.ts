/** GET pods/<name>/log → GET http://<node>:<port>/containerLogs/<ns>/<pod>/<container>?… */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { BadRequestError, ServiceUnavailableError } from '../../api/errors.js';
import { agentEndpoint, agentRequest, getPod, type AgentClientCert } from './agent-endpoint.js';
import type { ProxyContext } from './index.js';

const PASS = ['follow', 'previous', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes'];

export function pickContainer(pod: Pod, wanted: string | null): string {
  const name = pod.metadata?.name;
  const cs = (pod.spec?.containers ?? []).map(c => c.name);
  const inits = (pod.spec?.initContainers ?? []).map(c => c.name);
  const eph = (pod.spec?.ephemeralContainers ?? []).map(c => c.name);
  if (!wanted) {
    if (cs.length === 1) return cs[0]!;
    let msg = `a container name must be specified for pod ${name}, choose one of: [${cs.join(' ')}]`;
    if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`;
    if (eph.length) msg += ` or one of the ephemeral containers: [${eph.join(' ')}]`;
    throw new BadRequestError(msg);
  }
  if (![...cs, ...inits, ...eph].includes(wanted)) throw new BadRequestError(`container ${wanted} is not valid for pod ${name}`);
  return wanted;
}

export async function proxyPodLog(ctx: ProxyContext, client?: AgentClientCert): Promise<void> {
  const ns = ctx.info.namespace ?? 'default';
  const pod = await getPod(ctx.registry, ns, ctx.info.name!);
  const container = pickContainer(pod, ctx.query.get('container'));
  const agent = await agentEndpoint(ctx.registry, pod, client);
  const q = new URLSearchParams();
  for (const k of PASS) { const v = ctx.query.get(k); if (v !== null) q.set(k, v); }
  const path = `/containerLogs/${encodeURIComponent(ns)}/${encodeURIComponent(pod.metadata!.name!)}/${encodeURIComponent(container)}?${q}`;
  await new Promise<void>((resolve, reject) => {
    const up = agentRequest(agent, { path }, res => {
      ctx.res.writeHead(res.statusCode ?? 502, { 'Content-Type': res.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache' });
      ctx.res.flushHeaders();
      res.pipe(ctx.res);
      res.on('end', resolve);
      res.on('error', () => { ctx.res.destroy(); resolve(); });
    });
    ctx.res.on('close', () => up.destroy());
    up.on('error', e => {
      if (ctx.res.headersSent) { ctx.res.destroy(); resolve(); } else reject(new ServiceUnavailableError(`error dialing the agent of node ${agent.nodeName}: ${e.message}`));
    });
    up.end();
  });
}
