/**
 * Subprotocol names and the WebSocket handshake shared by exec, attach and port-forward.
 * Negotiation follows apimachinery's wsstream: the first protocol the CLIENT offers that
 * we support wins; no offer at all means the legacy binary protocol.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** exec/attach channel protocols (kubelet's list plus v5, which adds the 255 close signal). */
export const V5_CHANNEL = 'v5.channel.k8s.io';
export const V4_CHANNEL = 'v4.channel.k8s.io';
export const V4_BASE64_CHANNEL = 'v4.base64.channel.k8s.io';
export const CHANNEL = 'channel.k8s.io';
export const BASE64_CHANNEL = 'base64.channel.k8s.io';
/** kubectl ≥ 1.31 port-forward: raw SPDY/3.1 frames inside binary WebSocket messages. */
export const SPDY_PORTFORWARD_TUNNEL = 'SPDY/3.1+portforward.k8s.io';

export const EXEC_PROTOCOLS = [V5_CHANNEL, V4_CHANNEL, V4_BASE64_CHANNEL, CHANNEL, BASE64_CHANNEL] as const;
/** Channel-framed port-forward, as the kubelet serves it (client-node offers v5 first and gets v4). */
export const PORTFORWARD_CHANNEL_PROTOCOLS = [V4_CHANNEL, V4_BASE64_CHANNEL] as const;

export const isBase64Protocol = (p: string): boolean => p.includes('base64.');

/** Offered subprotocols, in the client's order. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const h = req.headers['sec-websocket-protocol'];
  return (Array.isArray(h) ? h.join(',') : h ?? '').split(',').map(s => s.trim()).filter(Boolean);
}

/**
 * The protocol to answer with: '' when the client offered none (legacy binary),
 * undefined when nothing offered is supported.
 */
export function negotiate(offered: readonly string[], supported: readonly string[]): string | undefined {
  if (offered.length === 0) return '';
  return offered.find(p => supported.includes(p));
}

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** Answers an upgrade request with a plain HTTP error (kubectl then falls back or reports it). */
export function rejectUpgrade(socket: Duplex, code: number, body: string | object, reason = 'Bad Request'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  }
  socket.once('error', () => {});
}

const kProtocol = Symbol('kubeling.protocol');
type TaggedRequest = IncomingMessage & { [kProtocol]?: string };

/**
 * One noServer WebSocketServer performs every handshake. ws refuses subprotocols that are
 * not RFC tokens ('SPDY/3.1+portforward.k8s.io' has a '/'), so we negotiate ourselves,
 * hide the offer from ws and add our answer to its response headers.
 */
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: 64 << 20 });
wss.on('headers', (headers: string[], req: IncomingMessage) => {
  const p = (req as TaggedRequest)[kProtocol];
  if (p) headers.push(`Sec-WebSocket-Protocol: ${p}`);
});

/**
 * Completes the WebSocket handshake answering with `protocol` (already negotiated;
 * '' sends no Sec-WebSocket-Protocol header). Rejects when the request is not a valid
 * WebSocket handshake (ws has then answered 400 itself).
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('websocket handshake failed'));
    socket.once('close', onClose);
    (req as TaggedRequest)[kProtocol] = protocol;
    delete req.headers['sec-websocket-protocol'];
    wss.handleUpgrade(req, socket, head, ws => {
      socket.off('close', onClose);
      resolve(ws);
    });
  });
}
