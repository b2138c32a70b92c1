/**
 * Port-forward to an agent in another thread of this process (`kubeling server`'s agent
 * thread), served on the API server's thread: the agent only says where the pod's network
 * is (GET /podNetwork/<ns>/<pod> on its local socket) and the connections into the pod's
 * namespace are dialled from here. The forwarded bytes then go client ↔ this thread ↔ pod,
 * as with an agent on this thread, instead of also crossing the agent's unix socket and
 * being read and written once more on each side of it (bench/streaming.ts).
 * Sessions still end when the pod's sandbox goes (PortForwards), and when the agent that
 * answered is revoked (its thread stopped or died), as they would with the agent serving them.
 */
import { dirname, join } from 'node:path';
import { PortForwards, type PodNetwork } from '../server/portforwards.js';
import { NetnsDialer } from '../streaming/netns-dial.js';
import { agentRequest, type AgentEndpoint } from './agent-endpoint.js';
import type { UpgradeProxyContext } from './index.js';

/** Per node: its sessions and the relays dialling into its pods, started by this thread. */
const nodes = new Map<string, PortForwards>();

/** Where the agent says `ns/name`'s forwards go; undefined on any refusal (the caller relays to the agent, which answers it). */
function podNetworkOf(agent: AgentEndpoint, ns: string, name: string): Promise<PodNetwork | undefined> {
  return new Promise(resolve => {
    const req = agentRequest(agent, { path: `/podNetwork/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`, timeout: 10_000 }, res => {
      const body: Buffer[] = [];
      res.on('data', (d: Buffer) => body.push(d));
      res.once('end', () => {
        if (res.statusCode !== 200) return resolve(undefined);
        try { resolve(JSON.parse(Buffer.concat(body).toString()) as PodNetwork); } catch { resolve(undefined); }
      });
      res.once('error', () => resolve(undefined));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
    req.end();
  });
}

/**
 * Serves the port-forward upgrade in `ctx` here, for the agent behind `agent.socketPath`;
 * false (nothing written to the client) when the agent gave no pod network.
 */
export async function portForwardHere(ctx: UpgradeProxyContext, agent: AgentEndpoint & { socketPath: string }, ns: string, name: string, path: string): Promise<boolean> {
  const target = await podNetworkOf(agent, ns, name);
  if (!target) return false;
  let forwards = nodes.get(agent.nodeName);
  if (!forwards) {
    // Beside the agent's own relays' directory (<agent dir>/portforward), not in it: both dialers name their sockets by pid and count.
    forwards = new PortForwards(new NetnsDialer({ runDir: join(dirname(agent.socketPath), 'portforward-api') }));
    nodes.set(agent.nodeName, forwards);
  }
  await forwards.serve(ctx.req, ctx.socket, ctx.head, new URL(path, 'http://agent'), target);
  return true;
}

/** Ends the sessions served here for `nodeName`'s agent and stops their relays (the agent stopped or died). */
export function endPortForwardsHere(nodeName: string): void {
  nodes.get(nodeName)?.closeAll();
  nodes.delete(nodeName);
}
