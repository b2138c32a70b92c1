/**
 * How the API server's proxies authenticate to node agents: each agent makes a random
 * bearer token at start and registers it here. This works while agent and API server
 * share a process (`kubeling server`); agents on other machines will need TLS client
 * certificates from the cluster CA instead (upstream's kubelet-client credentials).
 * A worker thread has its own copy of this module: `kubeling server`'s agent thread sends
 * what its agent registered (registeredAgent) to the main thread, which registers it there
 * (registerInProcessAgent), where the API server's proxies look.
 */
import { randomBytes } from 'node:crypto';

const tokens = new Map<string, string>();
/** The plain-HTTP unix socket of agents in this process: no TLS between two ends of one process. */
const localSockets = new Map<string, string>();

export function registerLocalSocket(nodeName: string, path: string): void { localSockets.set(nodeName, path); }

export function nodeLocalSocket(nodeName: string): string | undefined { return localSockets.get(nodeName); }

export function issueNodeToken(nodeName: string): string {
  const t = randomBytes(24).toString('base64url');
  tokens.set(nodeName, t);
  return t;
}

export function nodeToken(nodeName: string): string | undefined {
  return tokens.get(nodeName);
}

export function revokeNodeToken(nodeName: string, token: string): void {
  if (tokens.get(nodeName) === token) { tokens.delete(nodeName); localSockets.delete(nodeName); }
}

/** What this thread's agent for `nodeName` registered, to hand to the API server's thread. */
export function registeredAgent(nodeName: string): { token: string; socketPath?: string } | undefined {
  const token = tokens.get(nodeName);
  return token === undefined ? undefined : { token, socketPath: localSockets.get(nodeName) };
}

/** Registers an agent of another thread of this process (what it registered in its own, see registeredAgent). */
export function registerInProcessAgent(nodeName: string, a: { token: string; socketPath?: string }): void {
  tokens.set(nodeName, a.token);
  if (a.socketPath) localSockets.set(nodeName, a.socketPath);
  else localSockets.delete(nodeName);
}
