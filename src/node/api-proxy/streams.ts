/**
 * pods/exec, pods/attach, pods/portforward upgrades → the agent of the pod's node, as
 * kube-apiserver relays them to the kubelet (/exec|/attach/<ns>/<pod>/<container>?…,
 * /portForward/<ns>/<pod>?port=…). The API server checks what it can see in the pod
 * (it exists, the container is one of its, it has a node); the agent checks the rest
 * (the container runs) and speaks the protocol end to end with the client. An agent in
 * this thread is handed the client's connection instead of a relayed one; for an agent in
 * another thread of this process, a port-forward is served here (portforward-here.ts).
 */
import { BadRequestError } from '../../api/errors.js';
import { inProcessAgent } from '../server/agent-server.js';
import { agentEndpoint, getPod, type AgentClientCert } from './agent-endpoint.js';
import type { UpgradeProxyContext } from './index.js';
import { pickContainer } from './logs.js';

/** kubectl's query names → the kubelet's (upstream's streamParams). */
const STREAM_PARAMS: [string, string][] = [['stdin', 'input'], ['stdout', 'output'], ['stderr', 'error'], ['tty', 'tty']];

function streamQuery(q: URLSearchParams, withCommand: boolean): URLSearchParams {
  const out = new URLSearchParams();
  for (const [from, to] of STREAM_PARAMS) if (q.get(from) === 'true' || q.get(from) === '1') out.set(to, '1');
  if (withCommand) {
    const cmd = q.getAll('command');
    if (cmd.length === 0) throw new BadRequestError('you must specify at least one command for the container');
    for (const c of cmd) out.append('command', c);
  }
  return out;
}

export type StreamKind = 'exec' | 'attach' | 'portforward';

/** portforward-here.ts, once a forward was served by this thread for an agent of another. */
let here: typeof import('./portforward-here.js') | undefined;

/** Ends the forwards this thread serves for `nodeName`'s agent (that agent stopped or died). */
export function endPortForwardsHere(nodeName: string): void { here?.endPortForwardsHere(nodeName); }

export async function proxyPodStream(ctx: UpgradeProxyContext, kind: StreamKind, client?: AgentClientCert): Promise<void> {
  const ns = ctx.info.namespace ?? 'default';
  const pod = await getPod(ctx.registry, ns, ctx.info.name!);
  const name = pod.metadata!.name!;
  let path: string;
  if (kind === 'portforward') {
    const q = new URLSearchParams();
    for (const p of [...ctx.query.getAll('ports'), ...ctx.query.getAll('port')]) q.append('port', p);
    path = `/portForward/${encodeURIComponent(ns)}/${encodeURIComponent(name)}${q.size ? `?${q}` : ''}`;
  } else {
    const container = pickContainer(pod, ctx.query.get('container'));
    const q = streamQuery(ctx.query, kind === 'exec');
    path = `/${kind}/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${q}`;
  }
  const agent = await agentEndpoint(ctx.registry, pod, client);
  // An agent in this process serves the client's connection itself; others are relayed to.
  const local = agent.socketPath ? inProcessAgent(agent.socketPath) : undefined;
  if (local) return local.serveUpgradeInProcess(ctx.req, ctx.socket, ctx.head, new URL(path, 'http://agent'));
  // An agent in another thread of this process: a forward is served here, dialled into the pod from here.
  if (kind === 'portforward' && agent.socketPath) {
    here ??= await import('./portforward-here.js');
    if (await here.portForwardHere(ctx, { ...agent, socketPath: agent.socketPath }, ns, name, path)) return;
  }
  // Imported here: a process running only the agent loads this module but never relays (ws stays unloaded).
  const { proxyUpgrade } = await import('../streaming/upgrade-proxy.js');
  await proxyUpgrade(ctx.req, ctx.socket, ctx.head, { host: agent.host, port: agent.port, socketPath: agent.socketPath, path, headers: agent.headers, tls: agent.tls });
}
