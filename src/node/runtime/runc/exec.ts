/**
 * `runc exec` into a running container: collected (probes, hooks; started through the
 * spawner unless on a tty) or streamed (kubectl exec). With a tty, runc hands the pty
 * master to a console socket, which Node cannot receive (SCM_RIGHTS), so
 * `kubeling-shim tty-exec` holds it and relays the bytes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { ExecOptions, ExecResult, ExecSession } from '../runtime.js';
import type { RuncCli } from './runc-cli.js';
import type { Spawner } from '../spawner.js';

type Piped = ChildProcess & { stdin: Writable; stdout: Readable; stderr: Readable };

function spawnExec(runc: RuncCli, shim: string, id: string, opts: ExecOptions, bundle?: string): Piped {
  if (!opts.tty) return runc.exec(id, opts.cmd, { env: opts.env, cwd: opts.cwd });
  const base = join(tmpdir(), `kubeling-tty-${randomBytes(6).toString('hex')}`);
  const tty = { socket: `${base}.sock`, pidFile: `${base}.pid` };
  const process = opts.consoleSize && bundle ? processFile(bundle, `${base}.json`, opts) : undefined;
  const args = ['tty-exec', tty.socket, tty.pidFile, '--', runc.bin, ...runc.execArgs(id, opts.cmd, { env: opts.env, cwd: opts.cwd, tty, process })];
  const child = spawn(shim, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] }) as Piped;
  // runc's pid file and the console socket outlive the exec unless removed here.
  child.once('close', () => { for (const f of [process, tty.pidFile, tty.socket]) if (f) rmSync(f, { force: true }); });
  return child;
}

/**
 * runc sizes a new pty only from a process spec (`consoleSize`), and a resize sent after
 * the start races the command (`stty size` could read 0x0). The spec is the container's
 * own process (user, env, capabilities…, what plain `runc exec` starts from) with the
 * command, the tty and the size replaced — as containerd does.
 */
function processFile(bundle: string, path: string, opts: ExecOptions): string | undefined {
  let spec: { process?: { env?: string[]; cwd?: string } };
  try { spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')); } catch { return undefined; }
  if (!spec.process) return undefined;
  const p = {
    ...spec.process, args: opts.cmd, terminal: true, consoleSize: { height: opts.consoleSize!.rows, width: opts.consoleSize!.cols },
    env: [...(spec.process.env ?? []), ...(opts.env ?? [])], cwd: opts.cwd ?? spec.process.cwd,
  };
  writeFileSync(path, JSON.stringify(p), { mode: 0o600 });
  return path;
}

export function execCollect(runc: RuncCli, shim: string, id: string, opts: ExecOptions, spawner?: Spawner): Promise<ExecResult> {
  if (spawner && !opts.tty) return execThrough(spawner, runc, id, opts);
  return new Promise(resolve => {
    const child = spawnExec(runc, shim, id, opts);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let killer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM'); // runc forwards it to the process
        killer = setTimeout(() => child.kill('SIGKILL'), 1000);
      }, opts.timeoutMs);
    }
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    const done = (code: number) => {
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({ exitCode: code, stdout: Buffer.concat(out), stderr: Buffer.concat(err), timedOut });
    };
    child.on('error', e => { err.push(Buffer.from(e.message)); done(126); });
    child.on('close', (code, sig) => done(code ?? (sig ? 128 + 9 : 1)));
  });
}

/** A collected exec (probes, hooks) started by the spawner, so periodic probes never fork the agent. */
async function execThrough(spawner: Spawner, runc: RuncCli, id: string, opts: ExecOptions): Promise<ExecResult> {
  const h = spawner.start(runc.bin, runc.execArgs(id, opts.cmd, { env: opts.env, cwd: opts.cwd }), { input: opts.input });
  let timedOut = false;
  let killer: NodeJS.Timeout | undefined;
  const timer = opts.timeoutMs ? setTimeout(() => {
    timedOut = true;
    h.kill(constants.signals.SIGTERM); // runc forwards it to the process
    killer = setTimeout(() => h.kill(constants.signals.SIGKILL), 1000);
  }, opts.timeoutMs) : undefined;
  try {
    const r = await h.result.catch((e: Error) => ({ errno: e.message, code: 126, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }));
    if (r.errno) return { exitCode: 126, stdout: Buffer.alloc(0), stderr: Buffer.from(`spawn ${runc.bin} ${r.errno}`), timedOut };
    return { exitCode: r.code, stdout: r.stdout, stderr: r.stderr, timedOut };
  } finally {
    clearTimeout(timer);
    clearTimeout(killer);
  }
}

export function execStream(runc: RuncCli, shim: string, id: string, opts: Omit<ExecOptions, 'input' | 'timeoutMs'>, bundle?: string): ExecSession {
  const child = spawnExec(runc, shim, id, opts, bundle);
  const exited = new Promise<number>(resolve => {
    child.on('error', () => resolve(126));
    child.on('close', (code, sig) => resolve(code ?? (sig ? 137 : 1)));
  });
  const control = child.stdio[3] as Writable | null | undefined;
  control?.on('error', () => {});
  return {
    stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited,
    kill: sig => child.kill(sig ?? 'SIGTERM'),
    resize: (cols, rows) => { control?.write(`${rows} ${cols}\n`); },
  };
}
