/**
 * Process starts through `kubeling-shim spawner` (shim/spawner.c), one helper per agent.
 *
 * Why: child_process.spawn forks the agent and waits, on the event loop, until the child
 * has exec'd. With ~300 runc/CNI/shim starts in a burst of 100 pods, and the machine busy,
 * that stopped the agent for seconds. The helper is a tiny static process: its fork is
 * cheap and its waiting blocks nobody. The agent only writes a request and reads a reply.
 * (spawner-host.ts starts the helper: as the agent's child, or by `kubeling server`'s main thread.)
 */
import { constants } from 'node:os';
import { openHelperLink, type HelperLink } from './spawner-host.js';

export interface SpawnResult {
  /** 0 when the process could not be started (see `errno`). */
  pid: number;
  /** errno name of a failed start (ENOENT, EACCES…), else undefined. */
  errno?: string;
  /** Exit code, or 128 + signal. */
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface SpawnRequest {
  /** Stdin, closed after; default empty. */
  input?: string | Buffer;
  /** The whole environment; default the helper's (the agent's at the helper's start, with GO_ENV). */
  env?: NodeJS.ProcessEnv;
  /** SIGKILL after this long. */
  timeoutMs?: number;
}

const RUN = 1;
const LAUNCH = 2;
const KILL = 3;
const SEAL = 4;
const MOUNT = 5;
const UMOUNT = 6;

/** mount(2) flags the callers use. */
export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
/** umount2(2) flag: detach now, clean up when no longer busy. */
export const MNT_DETACH = 2;

/**
 * Set for everything the helper starts unless the agent's environment sets it: the Go
 * programs it runs (runc and its `runc init`, which inherits GOMAXPROCS; the CNI plugins)
 * live for milliseconds, and with one P the Go runtime starts no spinning scheduler threads
 * for them (bench/runtime.ts shows the difference). Containers never see it: runc gives
 * them the environment of their OCI spec.
 */
export const GO_ENV: Readonly<Record<string, string>> = { GOMAXPROCS: '1' };

/** `env` with GO_ENV's variables added where it has none of its own. */
export function withGoEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [k, v] of Object.entries(GO_ENV)) if (out[k] === undefined) out[k] = v;
  return out;
}

const errnoName = (n: number) => Object.entries(constants.errno).find(([, v]) => v === n)?.[0] ?? `errno ${n}`;

interface Pending { resolve(r: SpawnResult): void; reject(e: Error): void }

export class Spawner {
  readonly #helper: string;
  #link?: HelperLink;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #buf: Buffer = Buffer.alloc(0);
  /** What `seal` made the helper keep (sealed again when a new helper starts). */
  #sealed?: string;

  constructor(helper: string) {
    this.#helper = helper;
  }

  /** Runs `file args` to completion, collecting stdout and stderr. */
  run(file: string, args: string[], req: SpawnRequest = {}): Promise<SpawnResult> {
    const h = this.start(file, args, req);
    if (!req.timeoutMs) return h.result;
    const timer = setTimeout(() => h.kill(constants.signals.SIGKILL), req.timeoutMs);
    return h.result.finally(() => clearTimeout(timer));
  }

  /** As run, with a way to signal the process meanwhile (a no-op once it ended). */
  start(file: string, args: string[], req: Omit<SpawnRequest, 'timeoutMs'> = {}): { result: Promise<SpawnResult>; kill(signal: number): void } {
    const id = this.#id();
    const input = typeof req.input === 'string' ? Buffer.from(req.input) : (req.input ?? Buffer.alloc(0));
    return { result: this.#send(id, RUN, file, args, req.env, input), kill: signal => this.#kill(id, signal) };
  }

  /**
   * Starts `file args` in its own session with stdio on /dev/null and fd 3 a pipe; resolves
   * with what it wrote on fd 3 (as stdout) once it closed it. The process keeps running.
   */
  launch(file: string, args: string[]): Promise<SpawnResult> {
    return this.#send(this.#id(), LAUNCH, file, args, undefined, Buffer.alloc(0));
  }

  /**
   * Has the helper keep a sealed in-memory copy of `file` (runc), which every later
   * `launch` gets as its fd 4 (shim/sealed.c says why). False when it cannot (another
   * file is sealed already, no memfd); a helper started again seals it again.
   */
  async seal(file: string): Promise<boolean> {
    const r = await this.#send(this.#id(), SEAL, file, [], {}, Buffer.alloc(0));
    if (r.errno) return false;
    this.#sealed = file;
    return true;
  }

  /**
   * mount(2) by the helper, without a process: mount(8) parses the whole mount table (every
   * container's overlay) and costs ~2 ms of CPU per call. Rejects with the errno's name.
   */
  async mount(source: string, target: string, fstype: string, data = '', flags = 0): Promise<void> {
    const r = await this.#send(this.#id(), MOUNT, source, [target, fstype, data, String(flags)], {}, Buffer.alloc(0));
    if (r.errno) throw new Error(`mount ${fstype} on ${target}${data ? ` (${data})` : ''}: ${r.errno}`);
  }

  /**
   * umount2(2) by a child of the helper (`lazy`: MNT_DETACH; the helper does not wait out the
   * unmount's RCU grace period itself). Rejects with the errno's name (EINVAL: not a mount point).
   */
  async unmount(target: string, lazy = false): Promise<void> {
    const r = await this.#send(this.#id(), UMOUNT, target, [String(lazy ? MNT_DETACH : 0)], {}, Buffer.alloc(0));
    if (r.errno) throw new Error(`umount ${target}: ${r.errno}`);
  }

  #id(): number {
    const id = this.#nextId;
    this.#nextId = (this.#nextId % 0xfffffff0) + 1;
    return id;
  }

  #frame(id: number, op: number, file: string, args: string[], env: NodeJS.ProcessEnv | undefined, input: Buffer): Buffer {
    const envList = env ? Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`) : undefined;
    const strings = Buffer.from([file, ...args, ...(envList ?? [])].map(s => s + '\0').join(''));
    const head = Buffer.alloc(24);
    head.writeUInt32LE(20 + strings.length + input.length, 0);
    head.writeUInt32LE(id, 4);
    head.writeUInt32LE(op, 8);
    head.writeUInt32LE(1 + args.length, 12);
    head.writeUInt32LE(envList ? envList.length : 0xffffffff, 16);
    head.writeUInt32LE(input.length, 20);
    return Buffer.concat([head, strings, input]);
  }

  #send(id: number, op: number, file: string, args: string[], env: NodeJS.ProcessEnv | undefined, input: Buffer): Promise<SpawnResult> {
    const frame = this.#frame(id, op, file, args, env, input);
    return new Promise((resolve, reject) => {
      const link = this.#ensure();
      this.#pending.set(id, { resolve, reject });
      // While work is pending the helper keeps us alive (for its reply, or news of its end).
      if (this.#pending.size === 1) link.ref();
      link.write(frame);
    });
  }

  #kill(id: number, signal: number): void {
    if (!this.#pending.has(id) || !this.#link) return;
    const m = Buffer.alloc(16);
    m.writeUInt32LE(12, 0);
    m.writeUInt32LE(id, 4);
    m.writeUInt32LE(KILL, 8);
    m.writeUInt32LE(signal, 12);
    this.#link.write(m);
  }

  /** The helper, started on first use and again if it died. It never keeps the agent alive. */
  #ensure(): HelperLink {
    if (this.#link) return this.#link;
    this.#buf = Buffer.alloc(0);
    const link: HelperLink = openHelperLink(this.#helper, withGoEnv(process.env), {
      data: b => { if (this.#link === link) this.#onData(b); },
      gone: why => {
        if (this.#link !== link) return;
        this.#link = undefined;
        // Names the binary: a stale build without `spawner` prints its usage and exits 2.
        const err = new Error(`kubeling-shim spawner (${this.#helper}) ${why}`);
        for (const p of this.#pending.values()) p.reject(err);
        this.#pending.clear();
      },
    });
    this.#link = link;
    // Before any launch, as the old helper had it (request id 0: no one waits for the reply).
    if (this.#sealed) link.write(this.#frame(0, SEAL, this.#sealed, [], {}, Buffer.alloc(0)));
    return link;
  }

  #onData(b: Buffer): void {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, b]) : b;
    while (this.#buf.length >= 4 && this.#buf.length >= 4 + this.#buf.readUInt32LE(0)) {
      const len = this.#buf.readUInt32LE(0);
      const m = this.#buf.subarray(4, 4 + len);
      this.#buf = this.#buf.subarray(4 + len);
      const [id, pid, err, status, outLen] = [0, 4, 8, 12, 16].map(o => m.readUInt32LE(o)) as [number, number, number, number, number];
      const p = this.#pending.get(id);
      if (!p) continue;
      this.#pending.delete(id);
      // Copies: the frame shares memory with the rest of the stream.
      const stdout = Buffer.from(m.subarray(24, 24 + outLen));
      const stderr = Buffer.from(m.subarray(24 + outLen));
      p.resolve({ pid, code: status, stdout, stderr, ...(err ? { errno: errnoName(err) } : {}) });
    }
    if (!this.#pending.size) this.#link?.unref();
  }
}

const helpers = new Map<string, Spawner>();

/** The process-wide spawner over `helper` (one helper process however many runtimes use it). */
export function spawnerFor(helper: string): Spawner {
  let s = helpers.get(helper);
  if (!s) helpers.set(helper, (s = new Spawner(helper)));
  return s;
}
