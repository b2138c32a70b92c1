/**
 * Port-forward sessions of the agent. Connections are dialled inside the pod's network
 * namespace (NetnsDialer), so listeners on the pod's 127.0.0.1 are reachable; hostNetwork
 * pods are dialled on the host's loopback. A session ends when its pod's sandbox goes
 * (the namespace changes or vanishes): its connections are closed and the relay stopped,
 * so a forward never keeps a dead pod's network namespace alive.
 */
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { statSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { POD_UID } from '../labels.js';
import type { Runtime } from '../runtime/index.js';
import type { NetnsDialer } from '../streaming/netns-dial.js';
import { pooledOnread } from '../streaming/read-pool.js';

/** How often a live session checks that its pod's sandbox is still there. */
const CHECK_MS = 1000;

const nsInode = (path: string): number | undefined => { try { return statSync(path).ino; } catch { return undefined; } };

function dialLoopback(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let s: Socket | undefined;
    s = connect({ host: '127.0.0.1', port, allowHalfOpen: true, onread: pooledOnread(() => s!) });
    s.once('connect', () => { s!.off('error', reject); resolve(s!); }).once('error', reject);
  });
}

/** Where a pod's forwarded connections go: into its network namespace, or (no `netns`: hostNetwork) to the host's loopback. */
export interface PodNetwork { uid: string; podName: string; netns?: string }

/** The network of the pod's running sandbox; throws the kubelet's words when it has none. */
export async function podNetwork(runtime: Runtime, pod: Pod): Promise<PodNetwork> {
  const uid = pod.metadata!.uid!;
  const sandbox = (await runtime.listSandboxes({ labels: { [POD_UID]: uid } }))
    .filter(s => s.state === 'ready').sort((a, b) => b.attempt - a.attempt)[0];
  // The kubelet's words when the runtime has no running sandbox for the pod.
  if (!sandbox || (!sandbox.hostNetwork && !sandbox.pid)) throw new Error(`pod not found ("${pod.metadata!.name}_${pod.metadata!.namespace}")`);
  return { uid, podName: pod.metadata!.name!, ...(sandbox.hostNetwork ? {} : { netns: `/proc/${sandbox.pid}/ns/net` }) };
}

export class PortForwards {
  readonly #sessions = new Set<Duplex>();

  constructor(private readonly dialer: NetnsDialer) {}

  async serve(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, target: PodNetwork): Promise<void> {
    const { netns } = target;
    const dial = netns ? (port: number) => this.dialer.dial(netns, port) : dialLoopback;
    const stop = this.#watch(netns, socket);
    this.#sessions.add(socket);
    try {
      // Loaded on first use, as stream-endpoints.ts loads the other protocols.
      const { servePortForward } = await import('../streaming/portforward.js');
      await servePortForward(req, socket, head, url, { podName: target.podName, uid: target.uid, dial });
    } finally {
      this.#sessions.delete(socket);
      stop();
    }
  }

  /** Ends every session (agent shutdown). */
  closeAll(): void {
    for (const s of this.#sessions) s.destroy();
    this.dialer.closeAll();
  }

  /** Ends the session on `socket` once the sandbox's network namespace is gone or replaced. */
  #watch(netns: string | undefined, socket: Duplex): () => void {
    if (!netns) return () => {};
    const ino = nsInode(netns);
    const timer = setInterval(() => {
      if (ino !== undefined && nsInode(netns) === ino) return;
      socket.destroy();
      this.dialer.close(netns);
    }, CHECK_MS);
    timer.unref();
    return () => clearInterval(timer);
  }
}
