/**
 * Reading container logs in the CRI format (`<RFC3339Nano> <stream> <F|P> <text>`), with
 * what `kubectl logs` asks for: tail, since, timestamps, byte limit, follow. Partial (P)
 * lines are joined to the next, as the kubelet's log reader does.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { watch } from 'node:fs';

export interface LogOptions {
  tailLines?: number;
  sinceTime?: Date;
  timestamps?: boolean;
  limitBytes?: number;
  follow?: boolean;
}

interface Entry { time: string; stream: string; partial: boolean; text: string }

export function parseCriLine(line: string): Entry | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return undefined;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  return { time: line.slice(0, a), stream: line.slice(a + 1, b), partial: tag.startsWith('P'), text: c < 0 ? '' : line.slice(c + 1) };
}

/** Byte offset where the last `n` log lines begin (a line = partial (P) entries ended by an F entry). */
async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  const chunk = 64 * 1024;
  let pos = size;
  let lines = 0;
  let found = -1; // start of the n-th line from the end, moved back over the P entries before it
  let carry = Buffer.alloc(0);
  while (pos > 0) {
    const start = Math.max(0, pos - chunk);
    const buf = Buffer.alloc(pos - start);
    await fh.read(buf, 0, buf.length, start);
    const data = Buffer.concat([buf, carry]);
    for (let i = data.length - 2; i >= 0; i--) {
      if (data[i] !== 0x0a) continue;
      const lineStart = i + 1;
      const e = parseCriLine(data.subarray(lineStart, data.indexOf(0x0a, lineStart)).toString());
      if (!e) continue;
      if (e.partial) { if (found >= 0) found = start + lineStart; continue; }
      if (found >= 0) return found;
      if (++lines === n) found = start + lineStart;
    }
    carry = data.subarray(0, data.indexOf(0x0a) + 1 || data.length);
    pos = start;
  }
  // The file's first entry had no newline before it: it starts the line, or ends the chain.
  if (found < 0) return 0;
  const first = parseCriLine(carry.toString().split('\n')[0] ?? '');
  return first?.partial ? 0 : found;
}

/** Yields the log's text, following it while `alive()` says the container still runs. */
export async function* readLog(path: string, o: LogOptions, alive: () => Promise<boolean>, signal?: AbortSignal): AsyncGenerator<string> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    let pos = o.tailLines !== undefined ? await tailOffset(fh, size, o.tailLines) : 0;
    let rest = '';
    let sent = 0;
    let atLineStart = true;
    const since = o.sinceTime?.getTime();
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        const text = rest + buf.subarray(0, bytesRead).toString('utf8');
        const lines = text.split('\n');
        rest = lines.pop()!;
        let out = '';
        for (const l of lines) {
          const e = parseCriLine(l);
          if (!e) continue;
          if (since !== undefined && Date.parse(e.time) < since) continue;
          if (o.timestamps && atLineStart) out += `${e.time} `;
          out += e.text + (e.partial ? '' : '\n');
          atLineStart = !e.partial;
        }
        if (o.limitBytes !== undefined && sent + out.length >= o.limitBytes) {
          yield Buffer.from(out).subarray(0, o.limitBytes - sent).toString();
          return;
        }
        sent += out.length;
        if (out) yield out;
        continue;
      }
      if (!o.follow || signal?.aborted) return;
      if (!(await alive())) {
        // One more read: the shim may have flushed the last lines just before exiting.
        if ((await stat(path)).size <= pos) return;
        continue;
      }
      await waitForGrowth(path, pos, signal);
    }
  } finally {
    await fh.close();
  }
}

export function waitForGrowth(path: string, pos: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(poll);
      w?.close();
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    let w: ReturnType<typeof watch> | undefined;
    try { w = watch(path, finish); w.on('error', finish); } catch { /* polling only */ }
    // Polling also notices the container ending (the caller re-checks alive()).
    const poll = setInterval(() => { void stat(path).then(s => { if (s.size > pos) finish(); }, finish); }, 500);
    setTimeout(finish, 1000);
    signal?.addEventListener('abort', finish);
  });
}

/** The last `n` lines of a log's text (termination-message fallback). */
export async function readTail(path: string, n: number): Promise<string> {
  let out = '';
  for await (const s of readLog(path, { tailLines: n }, async () => false)) out += s;
  return out;
}
