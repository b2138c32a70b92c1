/**
 * A WebSocket as a byte stream: binary messages in, binary messages out, message
 * boundaries meaningless (client-go's TunnelingConnection on the other end). Ending
 * the stream closes the WebSocket cleanly (1000), which kubectl reads as EOF.
 *
 * ws reads, answers control frames and closes; our bytes go out as whole unmasked binary
 * frames written straight to the connection rather than through ws.send: that skips a layer
 * of buffering and callbacks per chunk, and frames stay whole, so ws's own pings and close
 * frame never land inside one of ours. A chunk read from a pod (read-pool) leaves as one
 * message with its header written in front of it, other chunks in runs of one message each.
 */
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { prependHeader, writeReleasing } from './read-pool.js';

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

/**
 * The messages for a batch of chunks: a pooled chunk becomes one buffer, its header written
 * in front of it (no copy); runs of other chunks become header + chunks, written corked.
 */
function frames(chunks: Buffer[]): (Buffer | Buffer[])[] {
  const out: (Buffer | Buffer[])[] = [];
  let run: Buffer[] = [];
  let runLength = 0;
  const flush = () => {
    if (runLength > 0) out.push([binaryFrameHeader(runLength), ...run]);
    run = [];
    runLength = 0;
  };
  for (const c of chunks) {
    if (c.length === 0) continue;
    const whole = prependHeader(binaryFrameHeader(c.length), c);
    if (whole) {
      flush();
      out.push(whole);
    } else {
      run.push(c);
      runLength += c.length;
    }
  }
  flush();
  return out;
}

/** `socket` is the connection `ws` was set up on (the upgraded request's socket). */
export function webSocketDuplex(ws: WebSocket, socket: Duplex, o: { pingIntervalMs?: number } = {}): Duplex {
  // One message at a time, each written once the one before has left: the socket then never
  // batches ours into one writev, which a TLS socket would first copy into a single buffer.
  const send = (chunks: Buffer[], cb: (e?: Error | null) => void) => {
    const messages = frames(chunks);
    const next = (i: number): void => {
      if (i === messages.length || ws.readyState !== ws.OPEN || socket.destroyed) return cb();
      const m = messages[i]!;
      if (Buffer.isBuffer(m)) { writeReleasing(socket, m, () => next(i + 1)); return; }
      socket.cork();
      for (let j = 0; j < m.length - 1; j++) writeReleasing(socket, m[j]!);
      writeReleasing(socket, m[m.length - 1]!, () => next(i + 1));
      socket.uncork();
    };
    next(0);
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
