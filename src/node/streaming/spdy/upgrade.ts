/**
 * The plain SPDY/3.1 upgrade (no WebSocket) that clients before 1.30, and kubectl when a
 * WebSocket upgrade is refused, use: `Upgrade: SPDY/3.1` with the subprotocols in
 * `X-Stream-Protocol-Version`, answered 101 with the chosen one, as httpstream.Handshake.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'spdy/3.1';
}

/**
 * Negotiates and answers the upgrade. Returns the protocol ('' when the client named
 * none and `allowNone`), or undefined after answering 403. `head` bytes are put back on
 * the socket, which then carries SPDY frames.
 */
export function acceptSpdyUpgrade(
  req: IncomingMessage, socket: Duplex, head: Buffer, supported: readonly string[], allowNone = false,
): string | undefined {
  const h = req.headers['x-stream-protocol-version'];
  const offered = (Array.isArray(h) ? h : h ? [h] : []).flatMap(v => v.split(',')).map(s => s.trim()).filter(Boolean);
  const protocol = offered.length === 0 && allowNone ? '' : offered.find(p => supported.includes(p));
  if (protocol === undefined) {
    const body = `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${supported.join(' ')}]`;
    socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n${supported.map(p => `X-Accepted-Stream-Protocol-Versions: ${p}\r\n`).join('')}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    return undefined;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n${protocol ? `X-Stream-Protocol-Version: ${protocol}\r\n` : ''}\r\n`);
  if (head.length) socket.unshift(head);
  return protocol;
}
