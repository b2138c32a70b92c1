/**
 * The agent's HTTPS endpoint (upstream's kubelet server, port 10250): `/containerLogs/`
 * for `kubectl logs` through the API server, exec/attach/port-forward upgrades, and
 * `/healthz`. Every request but /healthz must authenticate, as the kubelet's API wants:
 * a client certificate signed by the cluster CA in group system:masters (the API
 * server's kubelet-client certificate, or an admin's), or the agent's bearer token
 * (callers in the same process, see credentials.ts).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { chmod, rm } from 'node:fs/promises';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../client/index.js';
import { serveContainerLogs, type LogSource } from './logs-handler.js';

export class HttpError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) { super(message); }
}

export function sendStatus(res: ServerResponse, e: HttpError): void {
  if (res.headersSent) { res.destroy(); return; }
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: e.reason, code: e.code });
  res.writeHead(e.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** An extra endpoint (exec, attach, port-forward…); `match` is the path regex's result. */
export type AgentRoute = (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, url: URL) => Promise<void>;
/** An HTTP upgrade (WebSocket, SPDY) on an authorized request; return false to decline. */
export type AgentUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => boolean;

/**
 * Agents serving a local socket in this process, by its path: the API server of the same
 * process hands them upgrades on the client's own connection (serveUpgradeInProcess).
 */
const inProcess = new Map<string, AgentServer>();

/** The agent behind `socketPath`, when it runs in this process. */
export function inProcessAgent(socketPath: string): AgentServer | undefined { return inProcess.get(socketPath); }

export class AgentServer {
  readonly #server: Server;
  #local?: Server;
  #localPath?: string;
  readonly #routes: { method: string; path: RegExp; handler: AgentRoute }[] = [];
  readonly #upgrades: AgentUpgrade[] = [];
  readonly #token: string;
  readonly #logs: LogSource;
  readonly #log: Logger;

  /** `tls`: serving certificate and the CA of client certificates; omit for plain HTTP (unit tests). */
  constructor(o: { token: string; logs: LogSource; logger: Logger; tls?: { cert: string; key: string; ca?: string | Buffer } }) {
    this.#token = o.token;
    this.#logs = o.logs;
    this.#log = o.logger;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res);
    // Client certificates are asked for, not required: /healthz and token callers have none.
    this.#server = o.tls
      ? createServer({ cert: o.tls.cert, key: o.tls.key, ...(o.tls.ca ? { ca: o.tls.ca } : {}), requestCert: !!o.tls.ca, rejectUnauthorized: false }, handler)
      : createHttpServer(handler);
    this.#serveUpgrades(this.#server);
  }

  #serveUpgrades(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://agent');
      if (this.#authorized(req) && this.#upgrades.some(u => u(req, socket, head, url))) return;
      socket.end('HTTP/1.1 ' + (this.#authorized(req) ? '404 Not Found' : '401 Unauthorized') + '\r\n\r\n');
    });
  }

  /**
   * Also serves plain HTTP on a unix socket (mode 0600) for callers in this process, which
   * authenticate with the token: the API server's relay then costs no TLS on either end.
   */
  async listenLocal(path: string): Promise<void> {
    const local = createHttpServer((req, res) => void this.#handle(req, res));
    this.#serveUpgrades(local);
    await rm(path, { force: true });
    await new Promise<void>((resolve, reject) => { local.once('error', reject); local.listen(path, () => resolve()); });
    await chmod(path, 0o600);
    this.#local = local;
    this.#localPath = path;
    inProcess.set(path, this);
  }

  /**
   * Serves an upgrade that the API server of this process has authenticated and routed, on
   * the client's own connection: no second HTTP exchange, no unix-socket hop, and the
   * protocol is parsed once. `url` is the agent's path (/portForward/<ns>/<pod>?…). Resolves
   * when the connection closes.
   */
  serveUpgradeInProcess(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const closed = new Promise<void>(resolve => {
      if (socket.destroyed) resolve();
      else socket.once('close', () => resolve());
    });
    if (!this.#upgrades.some(u => u(req, socket, head, url))) socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
    return closed;
  }

  /** Adds an endpoint behind the agent's token (checked before `handler` runs). */
  route(method: string, path: RegExp, handler: AgentRoute): void {
    this.#routes.push({ method, path, handler });
  }

  /** Adds an upgrade handler behind the agent's token. */
  upgrade(handler: AgentUpgrade): void {
    this.#upgrades.push(handler);
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    return (this.#server.address() as AddressInfo).port;
  }

  get port(): number { return (this.#server.address() as AddressInfo | null)?.port ?? 0; }

  async close(): Promise<void> {
    if (this.#localPath && inProcess.get(this.#localPath) === this) inProcess.delete(this.#localPath);
    await Promise.all([this.#server, this.#local].map(s => s && new Promise<void>(r => { s.close(() => r()); s.closeAllConnections(); })));
  }

  #authorized(req: IncomingMessage): boolean {
    const sock = req.socket as TLSSocket;
    if (sock.authorized && typeof sock.getPeerCertificate === 'function') {
      const o = (sock.getPeerCertificate()?.subject as unknown as Record<string, string | string[]> | undefined)?.O;
      if ((Array.isArray(o) ? o : [o]).includes('system:masters')) return true;
    }
    const got = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const want = Buffer.from(this.#token);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    try {
      if (url.pathname === '/healthz') { res.end('ok'); return; }
      if (!this.#authorized(req)) throw new HttpError(401, 'Unauthorized', 'Unauthorized');
      const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (m && req.method === 'GET') {
        await serveContainerLogs(this.#logs, decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), decodeURIComponent(m[3]!), url.searchParams, req, res);
        return;
      }
      for (const r of this.#routes) {
        const rm = r.method === req.method ? r.path.exec(url.pathname) : null;
        if (rm) { await r.handler(req, res, rm, url); return; }
      }
      throw new HttpError(404, 'NotFound', `the server could not find the requested resource`);
    } catch (e) {
      if (e instanceof HttpError) return sendStatus(res, e);
      this.#log.error('agent request failed', { path: url.pathname, error: (e as Error).message });
      sendStatus(res, new HttpError(500, 'InternalError', (e as Error).message));
    }
  }
}
