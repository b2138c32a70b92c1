/**
 * Streaming protocols of the node agent (upstream's kubelet streaming server): exec and
 * attach over the WebSocket channel protocols or plain SPDY/3.1; port-forward over
 * SPDY-in-WebSocket, plain SPDY or channel framing; the API server's upgrade relay; the
 * dial into a pod's network namespace. Runtime-agnostic: callers supply the process or the dial.
 */
export { serveAttach, serveExec } from './exec.js';
export { serveExecWebSocket, serveAttachWebSocket } from './channel-ws.js';
export { serveExecSpdy, SPDY_EXEC_PROTOCOLS } from './spdy/exec.js';
export { acceptSpdyUpgrade, isSpdyUpgrade } from './spdy/upgrade.js';
export type { RemoteCommandOptions, RemoteCommandResult, RemoteCommandStarter, RemoteCommandStreams, TerminalSize } from './channel-ws.js';
export { bridgeSession, type ProcessSession } from './bridge.js';
export { parseExecRequest, parsePorts, parseStreamOptions, type ExecRequest, type StreamOptions } from './options.js';
export { exitStatus, internalErrorStatus, successStatus, type ExecStatus } from './status.js';
export {
  BASE64_CHANNEL, CHANNEL, EXEC_PROTOCOLS, isWebSocketUpgrade, negotiate, offeredProtocols, rejectUpgrade,
  PORTFORWARD_CHANNEL_PROTOCOLS, SPDY_PORTFORWARD_TUNNEL, V4_BASE64_CHANNEL, V4_CHANNEL, V5_CHANNEL,
} from './protocols.js';
export { servePortForward, type PortForwardOptions } from './portforward.js';
export type { PortForwardTarget } from './spdy/portforward.js';
export { proxyUpgrade, type UpgradeTarget } from './upgrade-proxy.js';
export { NetnsDialer, NetnsDialError, type NetnsDialerOptions } from './netns-dial.js';
export { pooledOnread } from './read-pool.js';
