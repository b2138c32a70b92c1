/**
 * The agent's streaming endpoints (upstream's kubelet server): upgrade requests on
 * /exec/<ns>/<pod>/<container>?command=…&input=1&output=1&error=1&tty=1,
 * /attach/<ns>/<pod>/<container>?… and /portForward/<ns>/<pod>, served with the
 * protocols of ../streaming against the runtime. Errors before the upgrade use the
 * kubelet's wording and codes (404 "pod does not exist", 500 `container not found ("c")`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { KubelingError } from '../../api/errors.js';
import type { Logger } from '../../client/index.js';
import { POD_UID } from '../labels.js';
import { runsByName } from '../pods/pod-view.js';
import type { ContainerStatus, Runtime } from '../runtime/index.js';
import type { NetnsDialer } from '../streaming/netns-dial.js';
import { attachSession } from './attach.js';
import { HttpError, type AgentServer } from './agent-server.js';
import { podNetwork, PortForwards } from './portforwards.js';

export interface StreamSource {
  pod(namespace: string, name: string): Pod | undefined;
  runtime: Runtime;
  dialer: NetnsDialer;
  logger: Logger;
}

class Refusal extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

const EXEC = /^\/(exec|attach)\/([^/]+)\/([^/]+)\/([^/]+)$/;
const PORT_FORWARD = /^\/portForward\/([^/]+)\/([^/]+)$/;
const POD_NETWORK = /^\/podNetwork\/([^/]+)\/([^/]+)$/;

/** Adds exec, attach and port-forward to the agent's server; returns the forwards (to close them). */
/**
 * The streaming protocols (ws, SPDY, zlib: ~3 MB of the agent's RSS) load on the first
 * exec/attach/port-forward, not with the agent: most agents never serve one.
 */
const streaming = () => import('../streaming/index.js');

export function registerStreamEndpoints(server: AgentServer, src: StreamSource): PortForwards {
  const forwards = new PortForwards(src.dialer);
  const fail = async (socket: Duplex, e: unknown) => {
    const { rejectUpgrade } = await streaming();
    if (e instanceof Refusal) return rejectUpgrade(socket, e.code, e.message, e.code === 404 ? 'Not Found' : 'Internal Server Error');
    if (e instanceof KubelingError) return rejectUpgrade(socket, e.httpStatus, e.toStatus(), e.reason);
    src.logger.error('stream request failed', { error: (e as Error).message });
    rejectUpgrade(socket, 500, (e as Error).message, 'Internal Server Error');
  };
  server.upgrade((req, socket, head, url) => {
    const m = EXEC.exec(url.pathname);
    if (m) {
      const [, kind, ns, name, container] = m.map(decodeURIComponent) as [string, 'exec' | 'attach', string, string, string];
      serveCommand(src, kind, req, socket, head, url, ns, name, container).catch(e => fail(socket, e));
      return true;
    }
    const pf = PORT_FORWARD.exec(url.pathname);
    if (pf) {
      const pod = src.pod(decodeURIComponent(pf[1]!), decodeURIComponent(pf[2]!));
      if (!pod) { void fail(socket, new Refusal(404, 'pod does not exist')); return true; }
      podNetwork(src.runtime, pod).then(target => forwards.serve(req, socket, head, url, target)).catch(e => fail(socket, e));
      return true;
    }
    return false;
  });
  // Not upstream's: where a pod's port-forward connections go (PodNetwork), for the API server
  // of this process, which then serves a forward itself (api-proxy/portforward-here.ts).
  server.route('GET', POD_NETWORK, async (_req, res, m) => {
    const pod = src.pod(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
    if (!pod) throw new HttpError(404, 'NotFound', 'pod does not exist');
    let target;
    try { target = await podNetwork(src.runtime, pod); } catch (e) { throw new HttpError(500, 'InternalError', (e as Error).message); }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(target));
  });
  return forwards;
}

async function runningContainer(src: StreamSource, pod: Pod, container: string): Promise<ContainerStatus> {
  const containers = await src.runtime.listContainers({ labels: { [POD_UID]: pod.metadata!.uid! } });
  const run = runsByName({ sandboxes: [], containers }).get(container)?.[0];
  if (!run || run.state !== 'running') throw new Refusal(500, `container not found ("${container}")`);
  return run;
}

async function serveCommand(
  src: StreamSource, kind: 'exec' | 'attach', req: IncomingMessage, socket: Duplex, head: Buffer, url: URL,
  ns: string, name: string, container: string,
): Promise<void> {
  const pod = src.pod(ns, name);
  if (!pod) throw new Refusal(404, 'pod does not exist');
  const { bridgeSession, parseExecRequest, parseStreamOptions, serveAttach, serveExec } = await streaming();
  if (kind === 'exec') {
    const r = parseExecRequest(url.searchParams);
    const run = await runningContainer(src, pod, container);
    await serveExec(req, socket, head, r, s => {
      const size = s.initialSize && { cols: s.initialSize.width, rows: s.initialSize.height };
      return bridgeSession(s, src.runtime.execStream(run.id, { cmd: r.command, tty: r.tty, ...(size ? { consoleSize: size } : {}) }));
    });
    return;
  }
  const o = parseStreamOptions(url.searchParams);
  const spec = pod.spec?.containers?.find(c => c.name === container) ?? pod.spec?.initContainers?.find(c => c.name === container);
  const run = await runningContainer(src, pod, container);
  // Like the kubelet: without stdin/tty in the container's spec there is nothing to write to or size.
  const opts = { ...o, stdin: o.stdin && !!spec?.stdin, tty: o.tty && !!spec?.tty };
  await serveAttach(req, socket, head, opts, s => attachSession(src.runtime, run, s));
}
