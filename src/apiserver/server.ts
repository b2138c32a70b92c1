/**
 * The API server: HTTPS (or plain HTTP for tests that ask), authentication,
 * non-resource endpoints (version, health, discovery, OpenAPI) and resource dispatch.
 */
import { createServer as createHttpsServer } from 'node:https';
import { DEFAULT_CIPHERS } from 'node:tls';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { BadRequestError, NotFoundError, UnauthorizedError } from '../api/errors.js';
import type { Store } from '../store/types.js';
import { Authenticator, type UserInfo } from './auth/authenticate.js';
import { serviceAccountUser } from './auth/sa-authenticator.js';
import type { ServiceAccountTokens } from './auth/sa-token.js';
import { dispatch, type SubresourceHandler } from './dispatch.js';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, DISCOVERY_V2_CONTENT_TYPE } from './discovery.js';
import { sendError, sendJson, wantsDiscoveryV2 } from './http-util.js';
import { Registry } from './registry.js';
import { parseRequestUrl, parseResourcePath, type RequestUrl } from './request-info.js';
import { openapiV2, openapiV3Doc, openapiV3Hash, openapiV3Root } from './openapi/index.js';
import { handleUpgrade, type UpgradeHandler } from './upgrade.js';
import { ApiServerMetrics } from './metrics/apiserver.js';
import { instrumentRequest, instrumentUpgrades, timedStore } from './metrics/instrument.js';
import { serveMetricsApi, type ResourceMetricsSource } from './metrics/metrics-handler.js';
import { METRICS_GROUP } from './metrics/metrics-api.js';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/index.js';
import { EventReaper } from './storage/event-ttl.js';

export const VERSION_INFO = {
  major: '1', minor: '32', gitVersion: 'v1.32.4+kubeling', gitCommit: 'kubeling', gitTreeState: 'clean',
  buildDate: '2026-11-22T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'tsc', platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

export interface ApiServerOptions {
  store: Store;
  /** TLS material; omit for plain HTTP (tests only). */
  tls?: { key: string; cert: string; ca: string };
  authenticator?: Authenticator;
  host?: string;
  port?: number;
  /** Serve without authentication (plain-HTTP tests only). */
  anonymousAdmin?: boolean;
  /** Range Service cluster IPs come from. */
  serviceCidr?: string;
  /** Where /metrics comes from (in-process components register theirs in its registry). */
  metrics?: ApiServerMetrics;
  /** Events are deleted this long after their last write (upstream --event-ttl; default 1h, 0 keeps them). */
  eventTtlMs?: number;
  /** Issues (serviceaccounts/token) and accepts service-account tokens. */
  serviceAccountTokens?: ServiceAccountTokens;
  /** Reject pods whose `default` service account is missing (default false; see Registry). */
  requireServiceAccount?: boolean;
}

const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

/**
 * Node's defaults with AES-128-GCM first. OpenSSL picks TLS 1.3 suites in the server's order,
 * and Node's puts AES-256-GCM first; AES-128-GCM (Go clients' own first choice) costs both
 * ends less per byte (openssl speed: 4.6 vs 4.0 GB/s), which shows in port-forward and logs.
 */
const CIPHERS = ['TLS_AES_128_GCM_SHA256', ...DEFAULT_CIPHERS.split(':').filter(c => c !== 'TLS_AES_128_GCM_SHA256')].join(':');

export class ApiServer {
  readonly registry: Registry;
  readonly authenticator: Authenticator;
  readonly streams = new Map<string, SubresourceHandler>();
  /** Upgrade (WebSocket/SPDY) handlers by subresource: exec, attach, portforward. */
  readonly upgrades = new Map<string, UpgradeHandler>();
  readonly metrics: ApiServerMetrics;
  /** Where metrics.k8s.io gets NodeMetrics/PodMetrics (the node agents); unset = empty lists. */
  metricsSource?: ResourceMetricsSource;
  #server: Server;
  /** Plain HTTP for in-process connections (acceptInProcess), on the same handlers as #server. */
  #inProcess: Server;
  readonly #inProcessConns = new Set<Duplex>();
  #events?: EventReaper;
  #ready = false;
  #opts: ApiServerOptions;

  constructor(opts: ApiServerOptions) {
    this.#opts = opts;
    this.metrics = opts.metrics ?? new ApiServerMetrics();
    this.registry = new Registry(timedStore(opts.store, this.metrics), opts.serviceCidr);
    this.authenticator = opts.authenticator ?? new Authenticator();
    const ttl = opts.eventTtlMs ?? 3_600_000;
    if (ttl > 0) this.#events = new EventReaper(this.registry.store, ttl);
    const tokens = opts.serviceAccountTokens;
    if (tokens) {
      this.registry.serviceAccountTokens = tokens;
      this.authenticator.setBearerAuthenticator(t => serviceAccountUser(this.registry, tokens, t));
    }
    if (opts.requireServiceAccount !== undefined) this.registry.requireServiceAccount = opts.requireServiceAccount;
    const handler = (req: IncomingMessage, res: ServerResponse) => { this.#handle(req, res); };
    this.#server = opts.tls
      ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false, ciphers: CIPHERS }, handler)
      : createHttpServer(handler);
    const upgradeHost = {
      registry: this.registry, upgrades: instrumentUpgrades(this.metrics, this.upgrades),
      authenticate: (req: IncomingMessage) => opts.anonymousAdmin ? { username: 'admin', groups: ['system:masters'] } : this.authenticator.authenticate(req),
    };
    this.#inProcess = createHttpServer(handler);
    for (const srv of [this.#server, this.#inProcess]) {
      srv.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(upgradeHost, req, socket, head));
      srv.keepAliveTimeout = 60_000;
      srv.headersTimeout = 65_000;
      srv.requestTimeout = 0;
    }
  }

  /**
   * Serves `conn`, one end of an in-memory connection made inside this process, as `user`:
   * the same handlers without TLS or a socket. Only code in this process can call it, so the
   * identity is the server's own word (as a client certificate is the CA's), never the client's.
   */
  acceptInProcess(conn: Duplex, user: UserInfo): void {
    this.authenticator.trustConnection(conn, user);
    this.#inProcessConns.add(conn);
    conn.once('close', () => this.#inProcessConns.delete(conn));
    this.#inProcess.emit('connection', conn);
  }

  get server(): Server { return this.#server; }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      // A deep accept backlog: a burst of new client connections must queue, not be reset.
      this.#server.listen(this.#opts.port ?? 6443, this.#opts.host ?? '0.0.0.0', 4096, () => resolve());
    });
    this.#events?.start();
    return this.#server.address() as AddressInfo;
  }

  setReady(ready: boolean): void { this.#ready = ready; }

  get url(): string {
    const a = this.#server.address() as AddressInfo;
    const host = this.#opts.host && this.#opts.host !== '0.0.0.0' ? this.#opts.host : '127.0.0.1';
    return `${this.#opts.tls ? 'https' : 'http'}://${host}:${a.port}`;
  }

  async close(): Promise<void> {
    await this.#events?.stop();
    await new Promise<void>(resolve => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections?.();
      for (const conn of this.#inProcessConns) conn.destroy();
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = parseRequestUrl(req.url ?? '/');
    if (!url) { sendError(res, new BadRequestError('malformed URL')); return; }
    const known = this.#opts.anonymousAdmin ? { username: 'admin', groups: ['system:masters'] } : this.authenticator.authenticate(req);
    const authed = (user: UserInfo | undefined) => {
      if (!user && !PUBLIC_PATHS.has(url.pathname)) {
        req.resume();
        sendError(res, new UnauthorizedError('Unauthorized'));
        return;
      }
      this.#route(req, res, url, user!).catch(err => sendError(res, err));
    };
    // Certificates and static tokens answer at once; service-account tokens need a store look-up.
    if (known || !req.headers.authorization) authed(known);
    else this.authenticator.authenticateRequest(req).then(authed, err => sendError(res, err));
  }

  async #route(req: IncomingMessage, res: ServerResponse, url: RequestUrl, user: UserInfo): Promise<void> {
    const p = url.pathname;
    const path = p.charCodeAt(p.length - 1) === 47 /* / */ ? (p.replace(/\/+$/, '') || '/') : p;
    switch (path) {
      case '/version': return sendJson(res, 200, VERSION_INFO);
      case '/healthz': case '/livez': return sendJson(res, 200, 'ok', 'text/plain; charset=utf-8');
      case '/readyz': return this.#ready ? sendJson(res, 200, 'ok', 'text/plain; charset=utf-8') : sendJson(res, 503, '[-]kubeling-bootstrap failed: not finished\nreadyz check failed', 'text/plain; charset=utf-8');
      case '/api':
        if (wantsDiscoveryV2(req)) return sendJson(res, 200, aggregatedDiscovery(true), DISCOVERY_V2_CONTENT_TYPE);
        return sendJson(res, 200, apiVersions(String(req.headers.host ?? '')));
      case '/apis':
        if (wantsDiscoveryV2(req)) return sendJson(res, 200, aggregatedDiscovery(false), DISCOVERY_V2_CONTENT_TYPE);
        return sendJson(res, 200, apiGroupList());
      case '/openapi/v3': return sendJson(res, 200, openapiV3Root());
      case '/metrics': return sendJson(res, 200, this.metrics.render(), PROMETHEUS_CONTENT_TYPE);
      case '/openapi/v2': {
        // An empty but valid v2 document: kubectl then leaves validation to the server.
        const v2 = openapiV2(req.headers.accept);
        res.writeHead(200, { 'Content-Type': v2.contentType, 'Content-Length': v2.body.length });
        res.end(v2.body);
        return;
      }
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiV3Doc(path.slice('/openapi/v3/'.length));
      if (!doc) throw new NotFoundError('the server could not find the requested resource');
      const hash = openapiV3Hash(path.slice('/openapi/v3/'.length));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': doc.length, 'Cache-Control': 'public, immutable', ETag: `"${hash}"` });
      res.end(doc);
      return;
    }
    const info = parseResourcePath(path);
    if (!info) {
      // /apis/<group>: the group's versions.
      const m = /^\/apis\/([^/]+)$/.exec(path);
      const g = m && apiGroup(m[1]);
      if (g) return sendJson(res, 200, g);
      throw new NotFoundError('the server could not find the requested resource');
    }
    if (!info.plural) {
      const list = apiResourceList(info.group, info.version);
      if (!list) throw new NotFoundError('the server could not find the requested resource');
      return sendJson(res, 200, list);
    }
    if (info.group === METRICS_GROUP && info.version === 'v1beta1') {
      instrumentRequest(this.metrics, req, res, info, url.searchParams);
      return serveMetricsApi(this.metricsSource, req, res, info, url.searchParams);
    }
    if (!info.resource) throw new NotFoundError('the server could not find the requested resource');
    if (info.resource.namespaced === false && info.namespace && info.resource.plural !== 'namespaces') {
      throw new NotFoundError('the server could not find the requested resource');
    }
    instrumentRequest(this.metrics, req, res, info, url.searchParams);
    const ctx = { req, res, query: url.searchParams, info, ri: info.resource, rs: this.registry.for(info.resource), registry: this.registry, user };
    await dispatch(ctx, this.streams);
  }
}
