/**
 * Port-forward over a SPDY session, as the kubelet serves it: for every forwarded
 * connection the client opens an error stream and a data stream carrying the same
 * `requestID`, `port` and `streamType` headers. Once both are there, the data stream is
 * joined to a TCP connection the caller dials; failures are written to the error stream.
 */
import type { Duplex } from 'node:stream';
import { SpdySession } from './session.js';
import type { SpdyStream } from './stream.js';

export interface PortForwardTarget {
  /** Opens a connection to `port` of the pod (the agent dials inside the pod's network namespace). */
  dial(port: number): Promise<Duplex>;
  /** Names the pod in error messages: `error forwarding port 80 to pod <podName>, uid <uid>: …`. */
  podName?: string;
  uid?: string;
  /** How long the second stream of a pair may lag the first (kubelet: 30 s). */
  streamCreationTimeoutMs?: number;
  /** After the client half-closed, how long the pod may take to close its side. */
  halfCloseTimeoutMs?: number;
  onError?(err: Error): void;
}

interface Pair { data?: SpdyStream; error?: SpdyStream; timer?: NodeJS.Timeout }

/** Serves one port-forward connection (all its forwarded connections) over `conn`. */
export function servePortForwardSpdy(conn: Duplex, t: PortForwardTarget): SpdySession {
  const pairs = new Map<string, Pair>();
  const session = new SpdySession(conn, {
    onError: t.onError,
    onStream(s) {
      const portStr = s.header('port');
      if (!portStr) return '"port" header is required';
      const port = Number(portStr);
      if (!/^\d+$/.test(portStr) || port > 65535) return `unable to parse "${portStr}" as a port`;
      if (port < 1) return `port "${portStr}" must be > 0`;
      const type = s.header('streamType');
      if (!type) return '"streamType" header is required';
      if (type !== 'data' && type !== 'error') return `invalid stream type "${type}"`;
      // Old clients send no requestID: the kubelet derives one from consecutive stream ids.
      const id = s.header('requestID') ?? String(type === 'error' ? s.id : s.id - 2);
      const pair = pairs.get(id) ?? {};
      if (pair[type]) return `received duplicate ${type} stream for request ${id}`;
      pair[type] = s;
      pairs.set(id, pair);
      if (pair.data && pair.error) {
        clearTimeout(pair.timer);
        pairs.delete(id);
        void forward(pair.data, pair.error, port, t);
      } else {
        pair.timer = setTimeout(() => {
          pairs.delete(id);
          pair.error?.end(`timed out waiting for streams of request ${id}`);
          pair.data?.reset();
        }, t.streamCreationTimeoutMs ?? 30_000);
        pair.timer.unref();
      }
      return undefined;
    },
  });
  void session.closed.then(() => { for (const p of pairs.values()) clearTimeout(p.timer); });
  return session;
}

async function forward(data: SpdyStream, error: SpdyStream, port: number, t: PortForwardTarget): Promise<void> {
  error.resume(); // the client closes its side at once; nothing to read
  error.on('error', () => {});
  data.on('error', () => {});
  let sock: Duplex;
  try {
    sock = await t.dial(port);
  } catch (e) {
    error.end(`error forwarding port ${port} to pod ${t.podName ?? ''}, uid ${t.uid ?? ''}: ${(e as Error).message}`);
    data.end();
    return;
  }
  if (data.destroyed) { sock.destroy(); error.end(); return; }
  sock.on('error', () => {});
  // kubectl waits for the error stream's end before it lets go of the local connection,
  // so it ends as soon as the pod side is done (as the kubelet's deferred Close does).
  let linger: NodeJS.Timeout | undefined;
  const finished = new Promise<void>(resolve => {
    const finish = () => {
      clearTimeout(linger);
      if (!error.destroyed && !error.writableEnded) error.end();
      resolve();
    };
    sock.once('end', finish);
    sock.once('close', () => { if (!data.writableEnded) data.end(); finish(); });
    data.once('close', () => { sock.destroy(); finish(); }); // reset, or the connection went away
  });
  // The client half-closed: the pod gets our FIN and a while to answer and close.
  data.once('end', () => { linger = setTimeout(() => sock.destroy(), t.halfCloseTimeoutMs ?? 30_000).unref(); });
  data.pipe(sock);   // client FIN → half-close towards the pod
  sock.pipe(data);   // pod closes → FIN to the client
  await finished;
}
