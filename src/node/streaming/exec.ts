/**
 * One entry for exec and attach upgrades: WebSocket (kubectl ≥ 1.30, client libraries)
 * or plain SPDY/3.1 (older clients, or kubectl when the WebSocket upgrade is refused).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { serveExecWebSocket, type RemoteCommandOptions, type RemoteCommandResult, type RemoteCommandStarter } from './channel-ws.js';
import { isWebSocketUpgrade, rejectUpgrade } from './protocols.js';
import { serveExecSpdy } from './spdy/exec.js';
import { isSpdyUpgrade } from './spdy/upgrade.js';

export function serveExec(
  req: IncomingMessage, socket: Duplex, head: Buffer, opts: RemoteCommandOptions, start: RemoteCommandStarter,
): Promise<RemoteCommandResult> {
  if (isWebSocketUpgrade(req)) return serveExecWebSocket(req, socket, head, opts, start);
  if (isSpdyUpgrade(req)) return serveExecSpdy(req, socket, head, opts, start);
  rejectUpgrade(socket, 400, 'Upgrade request required');
  return Promise.resolve({ aborted: true });
}

/** attach: the same protocols; only the fault wording differs. */
export function serveAttach(
  req: IncomingMessage, socket: Duplex, head: Buffer, opts: RemoteCommandOptions, start: RemoteCommandStarter,
): Promise<RemoteCommandResult> {
  return serveExec(req, socket, head, { faultPrefix: 'error attaching to container', ...opts }, start);
}
