/**
 * The port-forward endpoint: one upgrade request, answered with whichever variant the
 * client offers first — kubectl's SPDY/3.1-in-WebSocket tunnel or the channel protocol.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { BadRequestError } from '../../api/errors.js';
import { parsePorts } from './options.js';
import { servePortForwardChannels } from './portforward-ws.js';
import {
  acceptWebSocket, negotiate, offeredProtocols, PORTFORWARD_CHANNEL_PROTOCOLS, rejectUpgrade, SPDY_PORTFORWARD_TUNNEL,
} from './protocols.js';
import { servePortForwardSpdy, type PortForwardTarget } from './spdy/portforward.js';
import { acceptSpdyUpgrade, isSpdyUpgrade } from './spdy/upgrade.js';
import { webSocketDuplex } from './tunnel.js';

export interface PortForwardOptions extends PortForwardTarget {
  /** WebSocket keepalive pings; 0 disables (kubectl pings on its own every 10 s). */
  pingIntervalMs?: number;
}

const SUPPORTED = [SPDY_PORTFORWARD_TUNNEL, ...PORTFORWARD_CHANNEL_PROTOCOLS];

/**
 * Serves a port-forward upgrade request. `url` carries `ports` (or the kubelet's `port`),
 * needed by the channel variant only: SPDY clients name the port per stream.
 * Resolves when the forward is over.
 */
export async function servePortForward(
  req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, o: PortForwardOptions,
): Promise<void> {
  if (isSpdyUpgrade(req)) {
    // Clients before 1.31, or kubectl with KUBECTL_PORT_FORWARD_WEBSOCKETS=false.
    if (acceptSpdyUpgrade(req, socket, head, ['portforward.k8s.io'], true) === undefined) return;
    await servePortForwardSpdy(socket, o).closed;
    return;
  }
  const offered = offeredProtocols(req);
  const protocol = negotiate(offered, SUPPORTED);
  if (protocol === undefined) {
    rejectUpgrade(socket, 400, `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${SUPPORTED.join(' ')}]`);
    return;
  }
  let ports: number[] = [];
  if (protocol !== SPDY_PORTFORWARD_TUNNEL) {
    try {
      ports = parsePorts(url.searchParams);
    } catch (e) {
      const status = e instanceof BadRequestError ? e.toStatus() : String(e);
      rejectUpgrade(socket, 400, status);
      return;
    }
  }
  let ws;
  try {
    ws = await acceptWebSocket(req, socket, head, protocol);
  } catch {
    return;
  }
  if (protocol === SPDY_PORTFORWARD_TUNNEL) {
    const session = servePortForwardSpdy(webSocketDuplex(ws, socket, { pingIntervalMs: o.pingIntervalMs }), o);
    await session.closed;
  } else {
    await servePortForwardChannels(ws, protocol, ports, o, socket);
  }
}
