/**
 * The server side of `kubectl exec` / `attach` over WebSocket (v5/v4/legacy channel
 * protocols): channel 0 stdin, 1 stdout, 2 stderr, 3 final status, 4 resize JSON.
 * Runtime-agnostic: the caller's `start` runs the command against the streams it gets.
 */
import type { IncomingMessage } from 'node:http';
import { Readable, type Duplex, type Writable } from 'node:stream';
import { ChannelConnection } from './channels.js';
import type { StreamOptions } from './options.js';
import { acceptWebSocket, EXEC_PROTOCOLS, negotiate, offeredProtocols, rejectUpgrade } from './protocols.js';
import { encodeStatus, exitStatus, internalErrorStatus, successStatus, type ExecStatus } from './status.js';

export interface TerminalSize { width: number; height: number }

/** What `start` gets. Streams are present only when the client asked for them. */
export interface RemoteCommandStreams {
  readonly protocol: string;
  readonly tty: boolean;
  /** Client input; ends on the v5 close signal (`[255,0]`) or when the connection goes. */
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  /**
   * With a tty: the client's terminal size when it came before the start (kubectl sends it
   * at once), so the pty can be made that size before the command looks at it.
   */
  readonly initialSize?: TerminalSize;
  /** Terminal sizes in arrival order; a size that came before the listener is replayed to it. */
  onResize(listener: (size: TerminalSize) => void): void;
  /** Aborted when the client went away before `start` finished: kill the command. */
  readonly signal: AbortSignal;
}

/**
 * Runs the command. Resolve with the exit code (or a ready Status) only after the
 * command's output has been written to stdout/stderr: the status follows at once.
 * A throw becomes an InternalError status.
 */
export type RemoteCommandStarter = (streams: RemoteCommandStreams) => Promise<number | ExecStatus>;

export interface RemoteCommandOptions extends StreamOptions {
  /** The argv, for the NonZeroExitCode message; attach has none. */
  command?: readonly string[];
  /** Prefix of the InternalError message (the kubelet's wording differs for attach). */
  faultPrefix?: string;
  pingIntervalMs?: number;
  /** With a tty, how long to wait for the first terminal size before starting (default 250 ms). */
  initialSizeWaitMs?: number;
}

export interface RemoteCommandResult {
  protocol?: string;
  status?: ExecStatus;
  /** The client disconnected before the status could be sent. */
  aborted: boolean;
}

/** Serves exec over an upgrade request ('upgrade' event of an http/https server). */
export async function serveExecWebSocket(
  req: IncomingMessage, socket: Duplex, head: Buffer, opts: RemoteCommandOptions, start: RemoteCommandStarter,
): Promise<RemoteCommandResult> {
  const offered = offeredProtocols(req);
  const protocol = negotiate(offered, EXEC_PROTOCOLS);
  if (protocol === undefined) {
    rejectUpgrade(socket, 400, `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${EXEC_PROTOCOLS.join(' ')}]`);
    return { aborted: true };
  }
  let conn: ChannelConnection;
  try {
    conn = new ChannelConnection(await acceptWebSocket(req, socket, head, protocol), protocol, { pingIntervalMs: opts.pingIntervalMs });
  } catch {
    return { aborted: true };
  }
  return run(conn, opts, start);
}

/** attach is the same protocol; only the fault wording differs. */
export function serveAttachWebSocket(
  req: IncomingMessage, socket: Duplex, head: Buffer, opts: RemoteCommandOptions, start: RemoteCommandStarter,
): Promise<RemoteCommandResult> {
  return serveExecWebSocket(req, socket, head, { faultPrefix: 'error attaching to container', ...opts }, start);
}

async function run(conn: ChannelConnection, opts: RemoteCommandOptions, start: RemoteCommandStarter): Promise<RemoteCommandResult> {
  // The kubelet's "connection established" notice: an empty message on the lowest writable channel.
  conn.send(opts.stdout ? 1 : opts.stderr ? 2 : 3, Buffer.alloc(0));

  const ac = new AbortController();
  const stdin = opts.stdin ? new Readable({ read: () => conn.resume() }) : undefined;
  let stdinOpen = !!stdin;
  const endStdin = () => { if (stdinOpen) { stdinOpen = false; stdin!.push(null); } };

  let lastSize: TerminalSize | undefined;
  let resizeListener: ((s: TerminalSize) => void) | undefined;
  conn.onData = (channel, data) => {
    if (channel === 0 && stdinOpen) {
      if (!stdin!.push(data)) conn.pause();
    } else if (channel === 4) {
      const size = parseSize(data);
      if (!size) return;
      lastSize = size;
      resizeListener?.(size);
    }
  };
  conn.onCloseChannel = channel => { if (channel === 0) endStdin(); };

  let finished = false;
  void conn.closed.then(() => {
    endStdin();
    if (!finished) ac.abort(new Error('client disconnected'));
  });

  if (opts.tty && !lastSize) {
    // kubectl sends the terminal size right after connecting: start on it, not before.
    await new Promise<void>(resolve => {
      const timer = setTimeout(done, opts.initialSizeWaitMs ?? 250);
      function done() { clearTimeout(timer); resizeListener = undefined; resolve(); }
      resizeListener = done;
      void conn.closed.then(done);
    });
  }

  const streams: RemoteCommandStreams = {
    protocol: conn.protocol, tty: opts.tty, stdin, initialSize: lastSize,
    stdout: opts.stdout ? conn.writable(1) : undefined,
    stderr: opts.stderr ? conn.writable(2) : undefined,
    onResize(listener) {
      resizeListener = listener;
      if (lastSize) listener(lastSize);
    },
    signal: ac.signal,
  };

  let status: ExecStatus;
  try {
    const r = await start(streams);
    status = typeof r !== 'number' ? r : r === 0 ? successStatus() : exitStatus(opts.command ?? [], r);
  } catch (e) {
    status = internalErrorStatus(opts.faultPrefix ?? 'error executing command in container', e);
  }
  finished = true;
  if (conn.isClosed) return { protocol: conn.protocol, status, aborted: true };
  const bytes = encodeStatus(conn.protocol, status);
  if (bytes) conn.send(3, bytes);
  conn.close(1000);
  await conn.closed;
  return { protocol: conn.protocol, status, aborted: false };
}

/** `{"Width":100,"Height":30}` (uint16s, like remotecommand.TerminalSize). */
function parseSize(data: Buffer): TerminalSize | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff;
    return ok(v.Width) && ok(v.Height) ? { width: v.Width, height: v.Height } : undefined;
  } catch {
    return undefined;
  }
}
