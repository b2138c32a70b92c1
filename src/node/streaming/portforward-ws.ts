/**
 * Channel-framed port-forward (the kubelet's WebSocket variant, used by
 * @kubernetes/client-node): for the i-th requested port, channel 2i carries data both
 * ways and 2i+1 errors; the first message on each starts with the port, uint16 LE.
 * One TCP connection per port per WebSocket; the WebSocket closes when all have ended.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { ChannelConnection } from './channels.js';
import type { PortForwardTarget } from './spdy/portforward.js';

/** `socket`: the connection `ws` runs on (pod reads then leave without a copy, see ChannelConnection). */
export async function servePortForwardChannels(
  ws: WebSocket, protocol: string, ports: readonly number[], t: PortForwardTarget & { pingIntervalMs?: number }, socket?: Duplex,
): Promise<void> {
  const conn = new ChannelConnection(ws, protocol, { pingIntervalMs: t.pingIntervalMs, socket });
  const socks: (Duplex | undefined)[] = [];
  const early: Buffer[][] = ports.map(() => []);
  ports.forEach((port, i) => {
    const le = Buffer.alloc(2);
    le.writeUInt16LE(port);
    conn.send(2 * i, le);
    conn.send(2 * i + 1, le);
  });
  conn.onData = (channel, data) => {
    if (channel % 2 !== 0 || channel / 2 >= ports.length) return;
    const sock = socks[channel / 2];
    if (!sock) { early[channel / 2]!.push(data); return; }
    if (!sock.write(data)) {
      conn.pause();
      sock.once('drain', () => conn.resume());
    }
  };
  void conn.closed.then(() => { for (const s of socks) s?.destroy(); });

  await Promise.all(ports.map(async (port, i) => {
    let sock: Duplex;
    try {
      sock = await t.dial(port);
    } catch (e) {
      conn.send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${t.podName ?? ''}, uid ${t.uid ?? ''}: ${(e as Error).message}`));
      return;
    }
    if (conn.isClosed) { sock.destroy(); return; }
    socks[i] = sock;
    sock.on('error', () => {});
    for (const b of early[i]!.splice(0)) sock.write(b);
    sock.pipe(conn.writable(2 * i), { end: false });
    await new Promise<void>(r => sock.once('close', () => r()));
  }));
  conn.close(1000);
  await conn.closed;
}
