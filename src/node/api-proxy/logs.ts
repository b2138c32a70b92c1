/** GET pods/<name>/log → GET http://<node>:<port>/containerLogs/<ns>/<pod>/<container>?… */
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { BadRequestError, NotFoundError, ServiceUnavailableError } from '../../api/errors.js';
import { findResource } from '../../api/resources.js';
import { nodeToken } from '../server/credentials.js';
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

/** The node's InternalIP, or loopback when that address is this machine's (the agent listens there). */
function dialHost(node: Node): string {
  const ip = node.status?.addresses?.find(a => a.type === 'InternalIP')?.address;
  if (!ip) throw new ServiceUnavailableError(`node ${node.metadata?.name} has no InternalIP`);
  const local = Object.values(networkInterfaces()).flat().some(a => a?.address === ip);
  return local ? '127.0.0.1' : ip;
}

export async function proxyPodLog(ctx: ProxyContext): Promise<void> {
  const ns = ctx.info.namespace ?? 'default';
  const pod = await ctx.registry.for(findResource('', 'v1', 'pods')!).get(ns, ctx.info.name!) as Pod;
  const container = pickContainer(pod, ctx.query.get('container'));
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw new BadRequestError(`pod ${pod.metadata?.name} does not have a host assigned`);
  let node: Node;
  try {
    node = await ctx.registry.for(findResource('', 'v1', 'nodes')!).get(undefined, nodeName) as Node;
  } catch (e) {
    if (e instanceof NotFoundError) throw new BadRequestError(`pod ${pod.metadata?.name} is on node ${nodeName}, which does not exist`);
    throw e;
  }
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const token = nodeToken(nodeName);
  if (!port || !token) throw new ServiceUnavailableError(`the agent of node ${nodeName} is not reachable`);
  const q = new URLSearchParams();
  for (const k of PASS) { const v = ctx.query.get(k); if (v !== null) q.set(k, v); }
  const path = `/containerLogs/${encodeURIComponent(ns)}/${encodeURIComponent(pod.metadata!.name!)}/${encodeURIComponent(container)}?${q}`;
  await new Promise<void>((resolve, reject) => {
    const up = request({ host: dialHost(node), port, path, method: 'GET', headers: { Authorization: `Bearer ${token}` } }, res => {
      ctx.res.writeHead(res.statusCode ?? 502, { 'Content-Type': res.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache' });
      ctx.res.flushHeaders();
      res.pipe(ctx.res);
      res.on('end', resolve);
      res.on('error', () => { ctx.res.destroy(); resolve(); });
    });
    ctx.res.on('close', () => up.destroy());
    up.on('error', e => {
      if (ctx.res.headersSent) { ctx.res.destroy(); resolve(); } else reject(new ServiceUnavailableError(`error dialing the agent of node ${nodeName}: ${e.message}`));
    });
    up.end();
  });
}
