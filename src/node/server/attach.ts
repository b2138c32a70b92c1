/**
 * `kubectl attach`: the container's output from now on, read from its CRI log as the
 * shim writes it (stdout and stderr kept apart), and — when the container was started
 * with `stdin: true` — the client's input written to the container's stdin (its pty with
 * `tty: true`, which the client's terminal size then resizes). The session ends when the
 * container exits or the client goes.
 */
import { open, stat } from 'node:fs/promises';
import type { ContainerStatus, Runtime } from '../runtime/index.js';
import { parseCriLine, waitForGrowth } from '../logs/cri-log.js';
import type { RemoteCommandStreams } from '../streaming/index.js';

export async function attachSession(runtime: Runtime, run: ContainerStatus, s: RemoteCommandStreams): Promise<number> {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  s.signal.addEventListener('abort', onAbort, { once: true });
  const exited = runtime.waitContainer(run.id, ac.signal).then(() => ac.abort(), () => {});
  // Where "from now on" starts is fixed before any input reaches the container: its answer
  // to the first line must not land in the log ahead of that point and be skipped.
  const from = await stat(run.logPath).then(st => st.size, () => 0);
  const input = s.stdin && runtime.attachStdin ? runtime.attachStdin(run.id) : undefined;
  if (s.tty) s.onResize(({ width, height }) => runtime.resizeTty?.(run.id, width, height));
  if (s.stdin) {
    if (input) {
      input.on('error', () => {}); // the container went: its exit ends the session
      s.stdin.pipe(input);
    } else {
      s.stdin.resume();
    }
  }
  try {
    await follow(run.logPath, from, s, ac.signal);
  } finally {
    s.signal.removeEventListener('abort', onAbort);
    s.stdin?.unpipe();
    input?.destroy();
    ac.abort();
    await exited;
  }
  await Promise.all([s.stdout, s.stderr].map(w => w && new Promise<void>(r => w.end(() => r()))));
  return 0;
}

/** Copies log entries written from byte `pos` on to the client until `signal` aborts. */
async function follow(path: string, pos: number, s: RemoteCommandStreams, signal: AbortSignal): Promise<void> {
  let rest = '';
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        const lines = (rest + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
        rest = lines.pop()!;
        for (const l of lines) {
          const e = parseCriLine(l);
          if (!e) continue;
          const to = e.stream === 'stderr' && s.stderr ? s.stderr : e.stream === 'stderr' && s.tty ? s.stdout : e.stream === 'stdout' ? s.stdout : undefined;
          to?.write(e.text + (e.partial ? '' : '\n'));
        }
        continue;
      }
      // The shim flushes what the container wrote before it exits: read once more after the end.
      if (signal.aborted) return;
      await waitForGrowth(path, pos, signal);
    }
  } finally {
    await fh.close();
  }
}
