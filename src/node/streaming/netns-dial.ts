/**
 * dial() for port-forward into a pod's network namespace, so listeners bound to the
 * pod's localhost are reachable. Node cannot setns(2), so one relay process per
 * namespace (netns-relay.js under `nsenter --net=`) is started on first use and
 * dialled over a unix socket; it exits when idle or when close() is called.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pooledSocket } from './read-pool.js';

export class NetnsDialError extends Error {
  readonly code = 'KL_NETNS_DIAL';
}

interface Relay {
  child: ChildProcess;
  /** The namespace's inode when the relay started: a path like /proc/<pid>/ns/net can name another pod's later. */
  ino?: number;
  path: string;
  ready: Promise<void>;
  /** Dials waiting for their socket over the IPC channel, by id. */
  pending: Map<number, { resolve(s: Socket): void; reject(e: Error): void }>;
}

type Handed = { id: number; error?: string; head?: string };

export interface NetnsDialerOptions {
  /** Where the relays' unix sockets live (e.g. <agent state dir>/portforward). */
  runDir: string;
  /** A relay exits after this long without connections (default 60 s). */
  idleMs?: number;
  /** The relay command before `<socket> <idle-ms>`; default `nsenter --net=<netns> <node> netns-relay.js`. */
  relayCommand?: (netnsPath: string) => string[];
}

const RELAY_SCRIPT = fileURLToPath(new URL('./netns-relay.js', import.meta.url));

export class NetnsDialer {
  readonly #o: NetnsDialerOptions;
  readonly #relays = new Map<string, Relay>();
  #n = 0;

  constructor(o: NetnsDialerOptions) {
    this.#o = o;
    mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
  }

  /** Connects to localhost:`port` in the namespace at `netnsPath` (e.g. /proc/<pause pid>/ns/net). */
  async dial(netnsPath: string, port: number): Promise<Socket> {
    const relay = this.#relay(netnsPath);
    await relay.ready;
    if (relay.child.connected) return this.#handed(relay, port);
    const s = connect({ path: relay.path, allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
    s.write(`${port}\n`);
    const answer = await readLine(s);
    if (answer !== 'ok') {
      s.destroy();
      throw new NetnsDialError(answer.replace(/^error /, '') || 'relay closed the connection');
    }
    return s;
  }

  /** Asks the relay for a connected socket over the IPC channel: no relay hop for the bytes. */
  #handed(relay: Relay, port: number): Promise<Socket> {
    const id = ++this.#n;
    return new Promise((resolve, reject) => {
      relay.pending.set(id, { resolve, reject });
      relay.child.send({ id, port }, e => {
        if (e && relay.pending.delete(id)) reject(new NetnsDialError(`relay unreachable: ${e.message}`));
      });
    });
  }

  /** Stops the relay of one namespace (the pod is gone: the relay must not keep its netns alive). */
  close(netnsPath: string): void {
    const r = this.#relays.get(netnsPath);
    this.#relays.delete(netnsPath);
    r?.child.kill();
  }

  closeAll(): void { for (const k of [...this.#relays.keys()]) this.close(k); }

  #relay(netnsPath: string): Relay {
    const existing = this.#relays.get(netnsPath);
    const ino = nsInode(netnsPath);
    if (existing && existing.child.exitCode === null && existing.child.signalCode === null) {
      if (existing.ino === ino) return existing;
      this.close(netnsPath); // the pid was reused: that relay sits in a namespace that is gone
    }
    const path = join(this.#o.runDir, `relay-${process.pid}-${++this.#n}.sock`);
    const cmd = this.#o.relayCommand?.(netnsPath) ?? ['nsenter', `--net=${netnsPath}`, '--', process.execPath, RELAY_SCRIPT];
    // fd 3 is Node's IPC channel; nsenter and `ip netns exec` pass it on to the relay.
    const child = spawn(cmd[0]!, [...cmd.slice(1), path, String(this.#o.idleMs ?? 60_000)], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
    child.on('error', () => {});
    child.channel?.unref(); // an idle relay must not keep the agent's process alive
    let stderr = '';
    child.stderr!.on('data', d => { stderr += d; });
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('error', e => reject(new NetnsDialError(`starting the relay: ${e.message}`)));
      child.once('exit', code => reject(new NetnsDialError(`relay exited (${code}): ${stderr.trim()}`)));
    });
    ready.catch(() => {});
    child.once('exit', () => { if (this.#relays.get(netnsPath)?.child === child) this.#relays.delete(netnsPath); });
    const pending: Relay['pending'] = new Map();
    child.on('message', (m: Handed, handle?: unknown) => {
      const p = pending.get(m?.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error || !handle) return p.reject(new NetnsDialError(m.error ?? 'relay sent no socket'));
      // Half-closes pass on, as the relay's pipes do; reads land in pooled buffers.
      const s = pooledSocket(handle, { allowHalfOpen: true });
      if (m.head) s.unshift(Buffer.from(m.head, 'base64')); // bytes the pod sent before the handover
      p.resolve(s);
    });
    child.once('exit', () => {
      for (const p of pending.values()) p.reject(new NetnsDialError('relay exited'));
      pending.clear();
    });
    const r = { child, ino, path, ready, pending };
    this.#relays.set(netnsPath, r);
    return r;
  }
}

function nsInode(path: string): number | undefined {
  try { return statSync(path).ino; } catch { return undefined; }
}

/** Reads one `\n`-terminated line and leaves the rest in the socket. */
function readLine(s: Socket): Promise<string> {
  return new Promise(resolve => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const nl = buf.indexOf(10);
      if (nl < 0) return;
      s.off('data', onData).off('end', onEnd).pause();
      if (nl + 1 < buf.length) s.unshift(buf.subarray(nl + 1));
      resolve(buf.subarray(0, nl).toString());
    };
    const onEnd = () => { s.off('data', onData); resolve(buf.toString().trim()); };
    s.on('data', onData).once('end', onEnd);
  });
}
