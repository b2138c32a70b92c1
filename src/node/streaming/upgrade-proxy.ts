/**
 * Relays an upgrade request (exec, attach, port-forward; WebSocket or SPDY) to the node
 * agent and then splices the two connections, like kube-apiserver's
 * UpgradeAwareHandler: the protocol is spoken end to end between the client and the
 * agent, the API server only authenticates and picks the agent.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { rejectUpgrade } from './protocols.js';
import { pooledOnread, writeReleasing } from './read-pool.js';

export interface UpgradeTarget {
  host: string;
  port: number;
  /** A unix socket to connect to instead of host:port (host then only names the Host header). */
  socketPath?: string;
  /** Path and query on the agent, e.g. `/exec/default/web/c?command=ls&stdout=1`. */
  path: string;
  /** Set or replace request headers (e.g. the agent's Authorization). */
  headers?: Record<string, string>;
  /** HTTPS to the agent with these options (ca, cert, key, servername…); plain HTTP without. */
  tls?: ConnectionOptions;
}

/** Client headers that must not reach the agent: the user's credentials, and Host. */
const DROP = new Set(['authorization', 'host', 'proxy-authorization', 'cookie']);

/** Resolves when both connections are closed. Agent errors become an HTTP answer on `socket`. */
export function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: UpgradeTarget): Promise<void> {
  return new Promise(resolve => {
    const headers: IncomingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!DROP.has(k)) headers[k] = v;
    Object.assign(headers, target.headers, { host: `${target.host}:${target.port}` });
    const opts = {
      ...(target.socketPath ? { socketPath: target.socketPath } : { host: target.host, port: target.port }),
      path: target.path, method: req.method, headers, ...(target.tls ?? {}),
      // An agent on this machine's unix socket (`kubeling server`'s agent thread): what it
      // sends lands in pooled 1 MiB reads and goes on to the client as read (read-pool.ts),
      // as pod connections do; 64 KiB reads of fresh buffers cost the server 2.5x the CPU
      // per 100 MB port-forwarded (bench/streaming.ts).
      ...(target.socketPath && !target.tls ? { createConnection: () => pooledUnixSocket(target.socketPath!) } : {}),
    };
    const up = target.tls ? httpsRequest(opts) : httpRequest(opts);
    socket.on('error', () => up.destroy());
    socket.once('close', () => up.destroy());

    up.on('upgrade', (res, agent, agentHead) => {
      socket.write(statusHead(res));
      if (agentHead.length) socket.write(agentHead);
      if (head.length) agent.write(head);
      agent.on('error', () => socket.destroy());
      socket.on('error', () => agent.destroy());
      relay(agent, socket);
      socket.pipe(agent);
      let open = 2;
      const done = () => { if (--open === 0) resolve(); };
      agent.once('close', () => { socket.destroy(); done(); });
      socket.once('close', () => { agent.destroy(); done(); });
    });
    // The agent refused the upgrade (bad query, no such container, …): pass its answer on.
    up.on('response', res => {
      const body: Buffer[] = [];
      res.on('data', (d: Buffer) => body.push(d));
      res.once('end', () => {
        const b = Buffer.concat(body);
        socket.end(Buffer.concat([Buffer.from(statusHead(res, b.length)), b]));
        resolve();
      });
    });
    up.on('error', e => {
      if (!socket.destroyed) {
        rejectUpgrade(socket, 503, {
          kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'ServiceUnavailable', code: 503,
          message: `error dialing backend: ${e.message}`,
        }, 'Service Unavailable');
      }
      resolve();
    });
    up.end();
  });
}

function pooledUnixSocket(path: string): Socket {
  let s: Socket | undefined;
  s = connect({ path, onread: pooledOnread(() => s!) });
  return s;
}

/** from → to (the client's connection) like pipe(), handing pooled chunks back once written. */
function relay(from: Duplex, to: Duplex): void {
  let waiting = false;
  from.on('data', (d: Buffer) => {
    if (writeReleasing(to, d) || waiting) return;
    waiting = true;
    from.pause();
    to.once('drain', () => { waiting = false; from.resume(); });
  });
  from.once('end', () => to.end());
}

/**
 * Status line and headers as the agent sent them (raw, so repeated headers survive);
 * with `bodyLength`, framing headers are replaced: the body is passed on decoded.
 */
function statusHead(res: IncomingMessage, bodyLength?: number): string {
  const framing = new Set(['content-length', 'transfer-encoding', 'connection']);
  let s = `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}\r\n`;
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    if (bodyLength === undefined || !framing.has(res.rawHeaders[i]!.toLowerCase())) s += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
  }
  if (bodyLength !== undefined) s += `Content-Length: ${bodyLength}\r\nConnection: close\r\n`;
  return `${s}\r\n`;
}
