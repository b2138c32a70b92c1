/**
 * How the agent reaches its spawner helper (spawner.ts): requests out, replies in.
 *
 * By default the agent spawns the helper as its child, over stdin and stdout. An agent in a
 * worker thread of `kubeling server` has the main thread spawn it instead (setSpawnerHost):
 * Node reaps a child only on the event loop that spawned it, so the helper of a worker
 * thread that died exited (its stdin closed) but stayed a zombie until the server exited.
 * Spawned by the main thread, it is reaped when it exits, and the helper still ends with the
 * thread that used it, leaving the containers (in sessions of their own) running.
 *
 * The worker listens on a unix socket in a directory only its user can enter; the main
 * thread connects, gives that connection to the helper as stdin and stdout, and closes its
 * own copy: the bytes go straight between the worker and the helper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** What the worker asks the host (main) thread to do: start `helper spawner` on the connection to `socketPath`. */
export interface HostedHelperRequest { helper: string; socketPath: string; env: NodeJS.ProcessEnv }
/** Resolves once the helper was started (or rejects); the worker's side of the request. */
export type SpawnerHost = (req: HostedHelperRequest) => Promise<void>;

let host: SpawnerHost | undefined;

/** From now on, helpers of this thread are started by `h` (undefined: as children of this thread). */
export function setSpawnerHost(h: SpawnerHost | undefined): void { host = h; }

/** The host's side: connects to the worker's socket and starts the helper on that connection. */
export function spawnHostedHelper(req: HostedHelperRequest): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const conn = connect(req.socketPath);
    conn.pause(); // the helper's bytes: never read here
    conn.once('error', reject);
    conn.once('connect', () => {
      try {
        const child = spawn(req.helper, ['spawner'], { stdio: [conn, conn, 'inherit'], env: req.env });
        child.unref();
        resolve(child);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      } finally {
        conn.destroy();
      }
    });
  });
}

/** The agent's end of one helper. */
export interface HelperLink {
  write(frame: Buffer): void;
  /** Keep this thread's event loop alive for the replies (work is pending), or not. */
  ref(): void;
  unref(): void;
}

export interface HelperEvents {
  data(b: Buffer): void;
  /** The helper is gone (or never came); called once. */
  gone(why: string): void;
}

/** Starts `helper spawner` with environment `env`, as this thread's child or through the host. */
export function openHelperLink(helper: string, env: NodeJS.ProcessEnv, on: HelperEvents): HelperLink {
  return host ? hostedHelper(host, helper, env, on) : childHelper(helper, env, on);
}

function childHelper(helper: string, env: NodeJS.ProcessEnv, on: HelperEvents): HelperLink {
  const child = spawn(helper, ['spawner'], { stdio: ['pipe', 'pipe', 'inherit'], env }) as ChildProcess & { stdin: Writable; stdout: Readable & { ref(): void; unref(): void } };
  child.unref();
  (child.stdin as Writable & { unref(): void }).unref();
  child.stdin.on('error', () => { /* reported through 'exit' */ });
  child.stdout.on('data', on.data);
  let over = false;
  const gone = (why: string) => { if (!over) { over = true; on.gone(why); } };
  child.on('error', e => gone(`cannot start: ${e.message}`));
  child.on('exit', (code, sig) => gone(`exited (${sig ?? code})`));
  // While work is pending the helper keeps us alive: its stdout for the reply, the child
  // itself for 'exit' (a helper that dies closes stdout first; unref'd, the loop could end
  // before 'exit' rejects what is pending).
  return {
    write: b => { child.stdin.write(b); },
    ref: () => { child.stdout.ref(); child.ref(); },
    unref: () => { child.stdout.unref(); child.unref(); },
  };
}

function hostedHelper(h: SpawnerHost, helper: string, env: NodeJS.ProcessEnv, on: HelperEvents): HelperLink {
  const dir = mkdtempSync(join(tmpdir(), 'kubeling-spawner-')); // mode 0700: only we connect
  const socketPath = join(dir, 'helper.sock');
  const queued: Buffer[] = [];
  let conn: Socket | undefined;
  let refd = false;
  let over = false;
  const server = createServer();
  const unlisten = () => { server.close(); rmSync(dir, { recursive: true, force: true }); };
  const gone = (why: string) => {
    if (over) return;
    over = true;
    unlisten();
    conn?.destroy();
    on.gone(why);
  };
  server.on('connection', (s: Socket) => {
    if (conn || over) { s.destroy(); return; }
    conn = s;
    unlisten();
    s.on('data', on.data);
    s.on('error', () => { /* reported through 'close' */ });
    s.once('close', () => gone('exited (its connection closed)'));
    for (const b of queued.splice(0)) s.write(b);
    if (refd) s.ref(); else s.unref();
  });
  server.on('error', e => gone(`cannot listen on ${socketPath}: ${e.message}`));
  server.listen(socketPath, () => { h({ helper, socketPath, env }).catch((e: Error) => gone(`cannot start: ${e.message}`)); });
  if (!refd) server.unref();
  return {
    write: b => { if (conn) conn.write(b); else queued.push(b); },
    ref: () => { refd = true; (conn ?? server).ref(); },
    unref: () => { refd = false; (conn ?? server).unref(); },
  };
}
