/**
 * exec/attach over a plain SPDY/3.1 upgrade (remotecommand v2–v4): the client opens one
 * stream per channel, named by the `streamType` header (error, stdin, stdout, stderr,
 * resize); once all expected ones are there the command starts. Output streams are
 * half-closed when done, then the status goes on the error stream.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RemoteCommandOptions, RemoteCommandResult, RemoteCommandStarter, RemoteCommandStreams, TerminalSize } from '../channel-ws.js';
import { encodeStatus, exitStatus, internalErrorStatus, successStatus, type ExecStatus } from '../status.js';
import { SpdySession } from './session.js';
import type { SpdyStream } from './stream.js';
import { acceptSpdyUpgrade } from './upgrade.js';

/** The kubelet's SPDY remotecommand protocols (v5 is WebSocket-only). */
export const SPDY_EXEC_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io'] as const;

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

export async function serveExecSpdy(
  req: IncomingMessage, socket: Duplex, head: Buffer, opts: RemoteCommandOptions & { streamCreationTimeoutMs?: number }, start: RemoteCommandStarter,
): Promise<RemoteCommandResult> {
  // remotecommand v1 (no negotiation at all) is not served.
  const protocol = acceptSpdyUpgrade(req, socket, head, SPDY_EXEC_PROTOCOLS);
  if (!protocol) return { aborted: true };
  const expected: StreamType[] = ['error'];
  if (opts.stdin) expected.push('stdin');
  if (opts.stdout) expected.push('stdout');
  if (opts.stderr) expected.push('stderr');
  if (opts.tty && protocol !== 'v2.channel.k8s.io') expected.push('resize');

  const streams = new Map<StreamType, SpdyStream>();
  let allThere!: () => void;
  const ready = new Promise<void>(r => { allThere = r; });
  const session = new SpdySession(socket, {
    onStream(s) {
      const type = s.header('streamType') as StreamType | undefined;
      if (!type || !expected.includes(type)) return `unexpected stream type "${type ?? ''}"`;
      if (streams.has(type)) return `duplicate stream type "${type}"`;
      streams.set(type, s);
      s.on('error', () => {});
      if (streams.size === expected.length) allThere();
      return undefined;
    },
  });
  const timer = setTimeout(() => session.destroy(), opts.streamCreationTimeoutMs ?? 30_000);
  const gone = session.closed.then(() => 'gone' as const);
  if (await Promise.race([ready.then(() => 'ready' as const), gone]) === 'gone') {
    clearTimeout(timer);
    return { protocol, aborted: true };
  }
  clearTimeout(timer);

  const ac = new AbortController();
  void session.closed.then(() => ac.abort(new Error('client disconnected')));
  let resizeListener: ((s: TerminalSize) => void) | undefined;
  let lastSize: TerminalSize | undefined;
  const resize = streams.get('resize');
  if (resize) {
    let buf = '';
    resize.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const size = parseSize(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (size) { lastSize = size; resizeListener?.(size); }
      }
    });
  }
  if (resize && !lastSize) {
    // As over WebSocket: start on the client's first terminal size, not before.
    await new Promise<void>(resolve => {
      const t = setTimeout(done, opts.initialSizeWaitMs ?? 250);
      function done() { clearTimeout(t); resizeListener = undefined; resolve(); }
      resizeListener = done;
      void session.closed.then(done);
    });
  }
  const rs: RemoteCommandStreams = {
    protocol, tty: opts.tty, stdin: streams.get('stdin'), stdout: streams.get('stdout'), stderr: streams.get('stderr'),
    initialSize: lastSize,
    onResize(l) { resizeListener = l; if (lastSize) l(lastSize); },
    signal: ac.signal,
  };
  let status: ExecStatus;
  try {
    const r = await start(rs);
    status = typeof r !== 'number' ? r : r === 0 ? successStatus() : exitStatus(opts.command ?? [], r);
  } catch (e) {
    status = internalErrorStatus(opts.faultPrefix ?? 'error executing command in container', e);
  }
  if (ac.signal.aborted) return { protocol, status, aborted: true };
  const error = streams.get('error')!;
  error.resume();
  const bytes = encodeStatus(protocol, status);
  await new Promise<void>(r => (bytes ? error.end(bytes, r) : error.end(r)));
  for (const s of streams.values()) if (s !== error && !s.writableEnded) s.end();
  session.goAway();
  await Promise.race([session.closed, new Promise(r => setTimeout(r, 5000).unref())]);
  session.destroy();
  return { protocol, status, aborted: false };
}

function parseSize(line: string): TerminalSize | undefined {
  try {
    const v = JSON.parse(line) as { Width?: unknown; Height?: unknown };
    return typeof v.Width === 'number' && typeof v.Height === 'number' ? { width: v.Width, height: v.Height } : undefined;
  } catch {
    return undefined;
  }
}
