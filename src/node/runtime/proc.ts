/** Small process helpers: run a command to completion, and read /proc facts. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RuntimeCommandError } from './errors.js';
import { readMountPoints } from './mount-table.js';
import type { Spawner } from './spawner.js';

export interface RunResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  /** Resolve with a non-zero code instead of throwing. */
  allowFailure?: boolean;
  timeoutMs?: number;
  /** Start it through this helper instead of forking the agent (see spawner.ts). */
  spawner?: Spawner;
}

function failed(file: string, args: string[], r: RunResult): RuntimeCommandError {
  const msg = r.stderr.toString().trim() || r.stdout.toString().trim();
  return new RuntimeCommandError(`${file} ${args.slice(0, 6).join(' ')}: exit ${r.code}: ${msg}`);
}

/** Runs `file args` with pipes, collecting output; throws RuntimeCommandError on a non-zero exit. */
export async function run(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  if (opts.spawner) {
    const r = await opts.spawner.run(file, args, opts);
    if (r.errno) throw new RuntimeCommandError(`${file}: spawn ${file} ${r.errno}`);
    if (r.code !== 0 && !opts.allowFailure) throw failed(file, args, r);
    return r;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', e => { clearTimeout(timer); reject(new RuntimeCommandError(`${file}: ${e.message}`, undefined, { cause: e })); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const r = { code: code ?? 128 + (signal ? 9 : 0), stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
      if (r.code !== 0 && !opts.allowFailure) reject(failed(file, args, r));
      else resolve(r);
    });
    child.stdin.on('error', () => { /* the child may exit without reading */ });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * The start time of a process (field 22 of /proc/PID/stat), or undefined when it is gone
 * or a zombie. Comparing it with a recorded value guards against PID reuse.
 * Read synchronously: /proc never waits on a disk, and every status look asks this of each
 * container, where the promise API's open/stat/read/close round trips cost ~10x more.
 */
export async function procStartTime(pid: number): Promise<string | undefined> {
  if (!(pid > 0)) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and (if given) still the process that started at `startTime`. */
export async function isAlive(pid: number | undefined, startTime?: string): Promise<boolean> {
  if (!pid) return false;
  const st = await procStartTime(pid);
  return st !== undefined && (startTime === undefined || st === startTime);
}

/** Is `path` a mount point in our mount namespace? */
export async function isMountPoint(path: string): Promise<boolean> {
  return (await readMountPoints()).includes(path);
}
