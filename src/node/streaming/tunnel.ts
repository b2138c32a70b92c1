/**
 * A WebSocket as a byte stream: binary messages in, binary messages out, message
 * boundaries meaningless (client-go's TunnelingConnection on the other end). Ending
 * the stream closes the WebSocket cleanly (1000), which kubectl reads as EOF.
 */
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

export function webSocketDuplex(ws: WebSocket, o: { pingIntervalMs?: number } = {}): Duplex {
  const d = new Duplex({
    allowHalfOpen: false,
    highWaterMark: 256 * 1024,
    read: () => ws.resume(),
    write: (chunk: Buffer, _enc, cb) => {
      if (ws.readyState !== ws.OPEN) return cb();
      ws.send(chunk, { binary: true }, () => cb());
    },
    // Buffered chunks leave as the fragments of one message: no copy, one read for the peer.
    writev: (chunks, cb) => {
      if (ws.readyState !== ws.OPEN) return cb();
      chunks.forEach(({ chunk }, i) => {
        const last = i === chunks.length - 1;
        ws.send(chunk as Buffer, { binary: true, fin: last }, last ? () => cb() : undefined);
      });
    },
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
