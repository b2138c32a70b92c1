/**
 * Test plumbing: an HTTP server that hands upgrades to a handler, a fake exec target
 * that is a plain child process on the host (no container), and a channel-protocol
 * WebSocket client that records every message.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { ProcessSession } from '../../src/node/streaming/index.js';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void | Promise<void>;

export async function upgradeServer(handler: UpgradeHandler): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((_req, res) => { res.writeHead(404); res.end(); });
  server.on('upgrade', (req, socket, head) => void handler(req, socket, head, new URL(req.url ?? '/', 'http://x')));
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    server, port,
    close: () => new Promise<void>(r => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/**
 * A host child process shaped like the runtime's ExecSession; with tty it runs under
 * `script` on a real pty, sized to `size` before the command starts.
 */
export function childSession(cmd: string[], tty: boolean, size?: { width: number; height: number }): ProcessSession {
  const quoted = cmd.map(a => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const sized = size ? `stty rows ${size.height} cols ${size.width}; exec ${quoted}` : quoted;
  const child = tty
    ? spawn('script', ['-qefc', sized, '/dev/null'], { stdio: 'pipe' })
    : spawn(cmd[0]!, cmd.slice(1), { stdio: 'pipe' });
  const exited = new Promise<number>(resolve => {
    child.on('exit', (code, sig) => resolve(code ?? 128 + (sig === 'SIGKILL' ? 9 : 15)));
    child.on('error', () => resolve(127));
  });
  return {
    stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited,
    kill: sig => { child.kill(sig); },
    resize: (cols, rows) => {
      const pts = ptsOf(child.pid!);
      if (pts?.startsWith('/dev/pts/')) execFileSync('stty', ['-F', pts, 'rows', String(rows), 'cols', String(cols)]);
    },
  };
}

/** The pty slave of `script`'s child (its stdin). */
function ptsOf(scriptPid: number): string | undefined {
  try {
    const kid = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').trim().split(' ')[0];
    return kid ? readlinkSync(`/proc/${kid}/fd/0`) : undefined;
  } catch { return undefined; }
}

export interface ChannelClient {
  ws: WebSocket;
  protocol: string;
  /** Every message, decoded: [channel, payload]. */
  messages: [number, Buffer][];
  send(channel: number, data: Buffer | string): void;
  /** Output of one channel so far. */
  text(channel: number): string;
  /** Resolves with the close code once the server closed. */
  closed: Promise<number>;
  waitFor(pred: () => boolean, ms?: number): Promise<void>;
}

export async function channelClient(url: string, protocols: string[]): Promise<ChannelClient> {
  const ws = new WebSocket(url, protocols);
  const messages: [number, Buffer][] = [];
  const closed = new Promise<number>(r => ws.on('close', code => r(code)));
  // Listen before 'open': the server's first messages can arrive with the handshake.
  ws.on('message', (d: Buffer, binary) => {
    if (ws.protocol.includes('base64') && !binary) messages.push([d[0]! - 48, Buffer.from(d.subarray(1).toString(), 'base64')]);
    else messages.push([d[0]!, d.subarray(1)]);
  });
  await new Promise<void>((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); ws.once('unexpected-response', (_r, res) => reject(new Error(`HTTP ${res.statusCode}`))); });
  const b64 = ws.protocol.includes('base64');
  return {
    ws, protocol: ws.protocol, messages, closed,
    send(channel, data) {
      const buf = Buffer.from(data);
      if (b64) ws.send(String.fromCharCode(48 + channel) + buf.toString('base64'));
      else ws.send(Buffer.concat([Buffer.of(channel), buf]));
    },
    text: channel => Buffer.concat(messages.filter(m => m[0] === channel).map(m => m[1])).toString(),
    waitFor: (pred, ms = 5000) => waitFor(pred, ms),
  };
}

export async function waitFor(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 10));
  }
}
