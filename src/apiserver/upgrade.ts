/**
 * HTTP upgrade requests (WebSocket, SPDY) on the API server: `kubectl exec`, `attach` and
 * `port-forward`. The client is authenticated like any request, the address parsed, and
 * the request handed to the handler registered for its subresource (the node room
 * registers exec/attach/portforward, which relay to the pod's node agent). Refusals are
 * plain HTTP responses carrying a Status, which kubectl decodes and prints.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { BadRequestError, NotFoundError, UnauthorizedError } from '../api/errors.js';
import type { UserInfo } from './auth/authenticate.js';
import { errorStatus } from './http-util.js';
import type { Registry } from './registry.js';
import { parseResourcePath, type ResourceRequest } from './request-info.js';

/** What an upgrade handler gets: the raw connection instead of a response. */
export interface UpgradeContext {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  query: URLSearchParams;
  info: ResourceRequest;
  registry: Registry;
  user: UserInfo;
}

/** Owns the socket once called: answers or splices it, and resolves when done with it. */
export type UpgradeHandler = (ctx: UpgradeContext) => Promise<void>;

export interface UpgradeHost {
  registry: Registry;
  upgrades: Map<string, UpgradeHandler>;
  authenticate(req: IncomingMessage): UserInfo | undefined;
}

/** Answers an upgrade request with a Status (no upgrade happens). */
export function refuseUpgrade(socket: Duplex, err: unknown): void {
  const st = errorStatus(err);
  const body = JSON.stringify(st);
  socket.once('error', () => {});
  if (!socket.writable) { socket.destroy(); return; }
  socket.end(`HTTP/1.1 ${st.code} ${st.reason ?? 'Error'}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The 'upgrade' listener of the API server's HTTP(S) server. Never throws. */
export function handleUpgrade(host: UpgradeHost, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => {}); // a client that vanishes mid-handshake must not crash the server
  void route(host, req, socket, head).catch(err => refuseUpgrade(socket, err));
}

async function route(host: UpgradeHost, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  let url: URL;
  try { url = new URL(req.url ?? '/', 'http://x'); } catch { throw new BadRequestError('malformed URL'); }
  const user = host.authenticate(req);
  if (!user) throw new UnauthorizedError('Unauthorized');
  const info = parseResourcePath(url.pathname.replace(/\/+$/, ''));
  const handler = info?.subresource && info.resource?.subresources?.includes(info.subresource as never) && info.name
    ? host.upgrades.get(info.subresource) : undefined;
  if (!info || !handler) throw new NotFoundError('the server could not find the requested resource');
  await handler({ req, socket, head, query: url.searchParams, info, registry: host.registry, user });
}
