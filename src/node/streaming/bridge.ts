/**
 * Joins the streams of a remote command to a running process (the runtime's
 * ExecSession, or any child with the same shape) and resolves with its exit code
 * once the process has exited AND all of its output has been sent.
 */
import { finished } from 'node:stream/promises';
import type { RemoteCommandStreams } from './channel-ws.js';

/** Structurally the runtime's ExecSession (src/node/runtime/runtime.ts). */
export interface ProcessSession {
  stdin: NodeJS.WritableStream;
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  exited: Promise<number>;
  kill(signal?: NodeJS.Signals): void;
  resize(cols: number, rows: number): void;
}

export async function bridgeSession(s: RemoteCommandStreams, p: ProcessSession): Promise<number> {
  const onAbort = () => p.kill('SIGKILL');
  s.signal.addEventListener('abort', onAbort, { once: true });
  if (s.signal.aborted) onAbort();
  // A broken stdin pipe (process gone) must not crash the agent.
  (p.stdin as NodeJS.WritableStream & { on(e: 'error', l: () => void): void }).on('error', () => {});
  if (s.stdin) s.stdin.pipe(p.stdin as NodeJS.WritableStream);
  else p.stdin.end(); // no -i: the process reads EOF, like /dev/null upstream
  if (s.tty) {
    s.onResize(({ width, height }) => {
      try { p.resize(width, height); } catch { /* a resize that fails is not worth the session */ }
    });
  }

  const drained: Promise<unknown>[] = [];
  const forward = (from: NodeJS.ReadableStream, to: NodeJS.WritableStream | undefined) => {
    if (to) {
      from.pipe(to, { end: false });
      drained.push(finished(from as never).catch(() => {}));
    } else {
      from.resume(); // unwanted output is discarded, not left to fill the pipe
    }
  };
  forward(p.stdout, s.stdout);
  forward(p.stderr, s.stderr);
  try {
    const code = await p.exited;
    await Promise.all(drained);
    // Ending the writables resolves once every chunk handed to the WebSocket is on the socket.
    await Promise.all([s.stdout, s.stderr].map(w => w && new Promise<void>(r => w.end(() => r()))));
    return code;
  } finally {
    s.signal.removeEventListener('abort', onAbort);
    s.stdin?.unpipe();
  }
}
