/**
 * A WebSocket as a byte stream: binary messages in, binary messages out, message
 * boundaries meaningless (client-go's TunnelingConnection on the other end). Ending
 * the stream closes the WebSocket cleanly (1000), which kubectl reads as EOF.
 *
 * ws reads, answers control frames and closes; our bytes go out as whole unmasked binary
 * frames written straight to the connection (header + the chunks as they are), one per
 * batch of queued writes, rather than through ws.send: that skips a layer of buffering and
 * callbacks per chunk, and frames stay whole, so ws's own pings and close frame never land
 * inside one of ours.
 */
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { writeReleasing } from './read-pool.js';

/** The header of an unmasked, final binary frame carrying `length` bytes (RFC 6455 §5.2). */
export function binaryFrameHeader(length: number): Buffer {
  if (length < 126) return Buffer.of(0x82, length);
  if (length < 0x10000) {
    const h = Buffer.allocUnsafe(4);
    h[0] = 0x82;
    h[1] = 126;
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.allocUnsafe(10);
  h[0] = 0x82;
  h[1] = 127;
  h.writeUInt32BE(Math.floor(length / 0x100000000), 2);
  h.writeUInt32BE(length >>> 0, 6);
  return h;
}

/** `socket` is the connection `ws` was set up on (the upgraded request's socket). */
export function webSocketDuplex(ws: WebSocket, socket: Duplex, o: { pingIntervalMs?: number } = {}): Duplex {
  const send = (chunks: Buffer[], cb: (e?: Error | null) => void) => {
    if (ws.readyState !== ws.OPEN || socket.destroyed) return cb();
    let length = 0;
    for (const c of chunks) length += c.length;
    if (length === 0) return cb();
    socket.cork();
    socket.write(binaryFrameHeader(length));
    let ok = true;
    for (const c of chunks) ok = writeReleasing(socket, c);
    socket.uncork();
    if (ok) return cb();
    // The connection's buffer is full: later chunks gather here and leave as one frame.
    const done = () => { socket.off('drain', done); socket.off('close', done); cb(); };
    socket.on('drain', done).on('close', done);
  };
  const d = new Duplex({
    allowHalfOpen: false,
    highWaterMark: 256 * 1024,
    read: () => ws.resume(),
    write: (chunk: Buffer, _enc, cb) => send([chunk], cb),
    writev: (chunks, cb) => send(chunks.map(c => c.chunk as Buffer), cb),
    final: cb => { ws.close(1000); cb(); },
    destroy: (err, cb) => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      cb(err);
    },
  });
  ws.on('message', (m: Buffer | ArrayBuffer | Buffer[]) => {
    const b = Buffer.isBuffer(m) ? m : Array.isArray(m) ? Buffer.concat(m) : Buffer.from(m);
    if (!d.push(b)) ws.pause();
  });
  ws.on('error', () => ws.terminate());
  ws.once('close', () => {
    clearInterval(timer);
    d.push(null);
    d.destroy();
  });
  let alive = true;
  const interval = o.pingIntervalMs ?? 30_000;
  const timer = interval > 0 ? setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, interval).unref() : undefined;
  ws.on('pong', () => { alive = true; });
  ws.on('message', () => { alive = true; });
  return d;
}
