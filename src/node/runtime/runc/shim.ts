/**
 * Starting containers through kubeling-shim (../shim/shim.c) and reading what it leaves:
 * `pid` (runc's pid file), `runc.log` (runc's JSON log, for start errors) and
 * `exit.json` (written by the shim when the container ends, even if no agent runs).
 *
 * Why a shim: `runc run -d` hands the container's stdio to whoever started runc and
 * leaves the process to be reaped by someone. The agent may restart, and PID 1 of this VM
 * does not reap orphans, so a tiny static C process per container is its parent (child
 * subreaper), copies its stdout/stderr into the CRI log and records its exit status.
 */
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StartContainerError } from '../errors.js';
import type { Spawner } from '../spawner.js';

export interface ShimLaunch {
  shim: string;
  runc: string;
  runcRoot: string;
  id: string;
  bundle: string;
  log?: string;
  /** memory.oom_control (v1) or memory.events (v2) of the container's cgroup. */
  oomFile?: string;
  /** FIFO to make the container's stdin (attach). */
  stdin?: string;
  /** tty: FIFO to make for terminal sizes (runc then gets a console socket). */
  resize?: string;
  /** `mount` holds the rootfs dir: the overlay is mounted in the shim's own namespace (not the host's). */
  overlay?: { options: string; rootfs: string; layersDir: string; mount?: string };
  /** runc from the spawner's sealed copy (fd 4 of the shim), `runc` the fallback. */
  sealedRunc?: boolean;
}

export interface ExitInfo {
  pid: number;
  exitCode: number;
  signal: number;
  oomKilled: boolean;
  finishedAt: string;
}

export const bundleFiles = (bundle: string) => ({
  pid: join(bundle, 'pid'),
  runcLog: join(bundle, 'runc.log'),
  exit: join(bundle, 'exit.json'),
});

/** The last error runc logged (its message for a failed start). */
export async function runcError(bundle: string): Promise<string> {
  const text = await readFile(bundleFiles(bundle).runcLog, 'utf8').catch(() => '');
  const errors = text.split('\n').filter(Boolean).map(l => { try { return JSON.parse(l) as { level?: string; msg?: string }; } catch { return { msg: l }; } })
    .filter(e => e.level === 'error' || e.level === 'fatal' || !e.level);
  return errors.at(-1)?.msg ?? 'runc failed without a message';
}

/** Synchronous like procStartTime: a tiny file asked for on every status look, absent while the container runs. */
export async function readExit(bundle: string): Promise<ExitInfo | undefined> {
  const file = bundleFiles(bundle).exit;
  if (!existsSync(file)) return undefined; // the common case, without an ENOENT error to build and throw
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ExitInfo;
  } catch {
    return undefined;
  }
}

/** Starts the shim (in its own session, so it outlives us) and waits for runc's verdict. */
export async function launch(spawner: Spawner, l: ShimLaunch): Promise<{ pid: number; shimPid: number }> {
  const f = bundleFiles(l.bundle);
  const args = ['run', '--runc', l.runc, '--root', l.runcRoot, '--id', l.id, '--bundle', l.bundle,
    '--pid-file', f.pid, '--runc-log', f.runcLog, '--exit', f.exit];
  if (l.log) args.push('--log', l.log);
  if (l.oomFile) args.push('--oom', l.oomFile);
  if (l.stdin) args.push('--stdin', l.stdin);
  if (l.resize) args.push('--tty', l.resize);
  if (l.overlay) args.push('--overlay', l.overlay.options, '--rootfs', l.overlay.rootfs, '--layers', l.overlay.layersDir);
  if (l.overlay?.mount) args.push('--private-mount', l.overlay.mount);
  if (l.sealedRunc) args.push('--runc-fd', '4');
  const r = await spawner.launch(l.shim, args).catch((e: Error) => ({ errno: e.message, pid: 0, stdout: Buffer.alloc(0) }));
  if (r.errno) throw new StartContainerError(`cannot run ${l.shim}: ${r.errno}`);
  const text = r.stdout.toString();
  const [word, rest] = [text.split(' ', 1)[0], text.slice(text.indexOf(' ') + 1).trim()];
  if (word === 'ok') return { pid: Number(rest), shimPid: r.pid };
  if (rest.startsWith('shim')) throw new StartContainerError(`${l.id}: ${rest}`);
  throw new StartContainerError(await runcError(l.bundle));
}

/**
 * Resolves with the exit info once exit.json appears, or undefined after `timeoutMs`.
 * Event-driven: the shim renames exit.json into place, which inotify (fs.watch on the
 * bundle) reports; the watch is set up before the first look, so the rename cannot fall
 * between them. Only when the directory cannot be watched does it fall back to polling.
 */
export function waitForExit(bundle: string, timeoutMs: number, signal?: AbortSignal): Promise<ExitInfo | undefined> {
  return new Promise(resolve => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let poller: NodeJS.Timeout | undefined;
    let watcher: FSWatcher | undefined;
    const finish = (v: ExitInfo | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poller);
      watcher?.close();
      signal?.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const check = () => { void readExit(bundle).then(e => { if (e) finish(e); }); };
    const onAbort = () => finish(undefined);
    if (signal?.aborted) return finish(undefined);
    signal?.addEventListener('abort', onAbort);
    try {
      watcher = watch(bundle, (_ev, name) => { if (name === 'exit.json' || name === null) check(); });
      watcher.on('error', () => { watcher?.close(); poller ??= setInterval(check, 1000); });
    } catch {
      poller = setInterval(check, 1000); // no inotify for this directory
    }
    if (Number.isFinite(timeoutMs)) timer = setTimeout(() => finish(undefined), timeoutMs);
    check();
  });
}
