/** The runc commands the runtime needs besides `run` (which the shim does). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { run } from '../proc.js';
import type { Spawner } from '../spawner.js';

export interface RuncState {
  id: string;
  pid: number;
  status: 'created' | 'running' | 'paused' | 'stopped' | string;
  bundle: string;
}

export class RuncCli {
  readonly bin: string;
  readonly root: string;
  readonly #spawner?: Spawner;

  constructor(bin: string, root: string, spawner?: Spawner) {
    this.bin = bin;
    this.root = root;
    this.#spawner = spawner;
  }

  #args(...a: string[]): string[] {
    return ['--root', this.root, ...a];
  }

  async version(): Promise<string> {
    const r = await run(this.bin, ['--version'], { spawner: this.#spawner });
    return /runc version (\S+)/.exec(r.stdout.toString())?.[1] ?? 'unknown';
  }

  /** `runc delete --force`: kills what is left in the cgroup, removes cgroups and state. Missing is fine. */
  async delete(id: string): Promise<void> {
    const r = await run(this.bin, this.#args('delete', '--force', id), { allowFailure: true, spawner: this.#spawner });
    const err = r.stderr.toString();
    if (r.code !== 0 && !/does not exist|not found/i.test(err)) throw new Error(`runc delete ${id}: ${err.trim()}`);
  }

  /** `runc kill [--all] ID SIG`; a container that is gone is fine. */
  async kill(id: string, signal: string, all = false): Promise<void> {
    await run(this.bin, this.#args('kill', ...(all ? ['--all'] : []), id, signal), { allowFailure: true, spawner: this.#spawner });
  }

  async state(id: string): Promise<RuncState | undefined> {
    const r = await run(this.bin, this.#args('state', id), { allowFailure: true, spawner: this.#spawner });
    return r.code === 0 ? (JSON.parse(r.stdout.toString()) as RuncState) : undefined;
  }

  async list(): Promise<RuncState[]> {
    const r = await run(this.bin, this.#args('list', '--format', 'json'), { allowFailure: true, spawner: this.#spawner });
    return r.code === 0 ? ((JSON.parse(r.stdout.toString() || '[]') as RuncState[] | null) ?? []) : [];
  }

  /** Arguments of `runc exec`; with `tty` the process gets a pty whose master goes to the socket. */
  /** `process`: a process.json that replaces the command, env and cwd (it carries them). */
  execArgs(id: string, cmd: string[], opts: { env?: string[]; cwd?: string; tty?: { socket: string; pidFile: string }; process?: string } = {}): string[] {
    const a = this.#args('exec');
    // runc hands out the pty master only when it detaches (the shim then reaps the process).
    if (opts.tty) a.push('-d', '-t', '--console-socket', opts.tty.socket, '--pid-file', opts.tty.pidFile);
    if (opts.process) return [...a, '--process', opts.process, id];
    for (const e of opts.env ?? []) a.push('--env', e);
    if (opts.cwd) a.push('--cwd', opts.cwd);
    return [...a, id, ...cmd];
  }

  /** Spawns `runc exec` (no tty) with pipes; it exits with the command's status. */
  exec(id: string, cmd: string[], opts: { env?: string[]; cwd?: string } = {}): ChildProcessWithoutNullStreams {
    return spawn(this.bin, this.execArgs(id, cmd, opts), { stdio: ['pipe', 'pipe', 'pipe'] });
  }
}
