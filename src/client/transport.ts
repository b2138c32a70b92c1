/**
 * HTTP(S) to the API server over one keep-alive agent: JSON requests that throw
 * kubeling errors, raw requests for subresources, and streaming responses for watches.
 * In `kubeling server` the connections may be in-memory ones to the API server of the
 * same process (config `inProcess`): the same HTTP, without TLS or the kernel.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { createSecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TimeoutError } from '../api/errors.js';
import type { ClientConfig } from './config.js';
import { ConnectionError, errorFromStatus } from './errors.js';
import { MemorySocket } from './memory-socket.js';

export type QueryValue = string | number | boolean | undefined | null | readonly string[];
export type QueryParams = Record<string, QueryValue>;

export interface RawRequest {
  method: string;
  /** Absolute path, e.g. /api/v1/namespaces/default/pods/p1/binding. */
  path: string;
  query?: QueryParams;
  /** Buffers and strings are sent as they are; anything else as JSON. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Overrides the client's timeout (0 = none). */
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export const CLIENT_VERSION = '0.1.0';

/**
 * Upstream's shape, `<program>/v<version> (<os>/<arch>) kubernetes/<commit>[/<part>…]`, with
 * kubeling in the commit's place. The API server takes the text before the first "/" as the
 * default field manager, so only the program names who manages the fields written.
 */
export function userAgent(cfg: { component?: string; subComponents?: string[] }): string {
  const parts = (cfg.subComponents ?? []).map(p => `/${p}`).join('');
  return `${cfg.component || 'kubeling'}/v${CLIENT_VERSION} (${process.platform}/${process.arch}) kubeling${parts}`;
}

export function queryString(q: QueryParams | undefined): string {
  if (!q) return '';
  // Writes mostly carry only unset options: no URLSearchParams for them.
  let any = false;
  for (const k in q) { const v = q[k]; if (v !== undefined && v !== null && v !== '') { any = true; break; } }
  if (!any) return '';
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const x of v) sp.append(k, x);
    else sp.append(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

export class Transport {
  readonly #base: URL;
  readonly #origin: string;
  /** Where requests go, as http.request options (no URL parsed per request). */
  readonly #target: { protocol: string; hostname: string; port: string };
  /** Requests share a bounded pool of keep-alive sockets (bursts queue, not thousands of sockets). */
  readonly #agent: http.Agent;
  /** Streams (watches, logs) hold a socket each for long: their own pool, so they never starve requests or wait for them. */
  readonly #streamAgent: http.Agent;
  readonly #mod: typeof http | typeof https;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(cfg: ClientConfig) {
    this.#base = new URL(cfg.url);
    this.#origin = this.#base.origin;
    const inProcess = cfg.connect ?? (cfg.inProcess && memoryConnect(cfg.inProcess));
    // In-process connections speak plain HTTP; the URL keeps naming the server (Host header).
    if (inProcess) this.#base.protocol = 'http:';
    const tls = this.#base.protocol === 'https:';
    const host = this.#base.hostname;
    this.#target = {
      protocol: this.#base.protocol, hostname: host.startsWith('[') ? host.slice(1, -1) : host,
      port: this.#base.port || (tls ? '443' : '80'),
    };
    this.#mod = tls ? https : http;
    // One TLS context for every connection: given only ca/cert/key, each new connection
    // parses them into a context of its own (milliseconds each when a burst opens dozens).
    const secureContext = tls && !inProcess ? createSecureContext({ ca: cfg.ca, cert: cfg.cert, key: cfg.key }) : undefined;
    const agent = (maxSockets: number) => inProcess
      ? inProcessAgent(maxSockets, inProcess)
      : tls ? new https.Agent({
        keepAlive: true, maxSockets, secureContext,
        rejectUnauthorized: !cfg.insecureSkipTLSVerify, servername: cfg.tlsServerName,
      })
      : new http.Agent({ keepAlive: true, maxSockets });
    this.#agent = agent(cfg.maxConnections ?? 64);
    this.#streamAgent = agent(Infinity);
    this.#headers = {
      'User-Agent': userAgent(cfg),
    };
    // In process, the connection itself names the user.
    if (cfg.token && !inProcess) this.#headers.Authorization = `Bearer ${cfg.token}`;
    this.#timeoutMs = cfg.timeoutMs ?? 60_000;
  }

  get baseUrl(): string { return this.#origin; }

  /** Sends the request and reads the whole answer, whatever its status. */
  async request(r: RawRequest): Promise<RawResponse> {
    const { res, body } = await this.#send(r, false);
    return { status: res.statusCode ?? 0, headers: res.headers, body: body! };
  }

  /** Sends the request; 2xx → the decoded JSON body, otherwise the matching kubeling error. */
  async json<T>(r: RawRequest): Promise<T> {
    const out = await this.request({ accept: 'application/json', ...r });
    const decoded = decodeBody(out.body);
    if (out.status < 200 || out.status > 299) throw errorFromStatus(out.status, decoded);
    return decoded as T;
  }

  /** Like json() for a caller that never reads a success's answer: only an error's body is decoded. */
  async send(r: RawRequest): Promise<void> {
    const out = await this.request({ accept: 'application/json', ...r });
    if (out.status < 200 || out.status > 299) throw errorFromStatus(out.status, decodeBody(out.body));
  }

  /**
   * Opens a streaming answer (watch, logs). Resolves once a 2xx status line arrived;
   * destroying the returned response ends the request. Non-2xx answers throw.
   */
  async stream(r: RawRequest): Promise<http.IncomingMessage> {
    // The timeout bounds the wait for the status line only; the stream itself may idle.
    const { res } = await this.#send({ accept: 'application/json', ...r }, true);
    return res;
  }

  /** Closes idle sockets; open streams end when their owners stop them. */
  close(): void {
    this.#agent.destroy();
    this.#streamAgent.destroy();
  }

  async #send(r: RawRequest, streaming: boolean, retried = false): Promise<{ res: http.IncomingMessage; body?: Buffer }> {
    try {
      return await this.#once(r, streaming);
    } catch (e) {
      // A keep-alive socket the server closed just as we reused it: safe to send again once.
      if (!retried && (e as { reusedSocket?: boolean }).reusedSocket) return this.#send(r, streaming, true);
      throw e;
    }
  }

  #once(r: RawRequest, streaming: boolean): Promise<{ res: http.IncomingMessage; body?: Buffer }> {
    let payload: Buffer | undefined;
    const headers: Record<string, string> = { ...this.#headers, Accept: r.accept ?? 'application/json', ...r.headers };
    if (r.body !== undefined) {
      payload = Buffer.isBuffer(r.body) ? r.body : Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      headers['Content-Type'] = r.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const path = r.path + queryString(r.query);
    const what = `${r.method} ${r.path}`;
    const timeout = r.timeoutMs ?? this.#timeoutMs;
    return new Promise((resolve, reject) => {
      const agent = streaming ? this.#streamAgent : this.#agent;
      const req = this.#mod.request({ ...this.#target, path, method: r.method, headers, agent, signal: r.signal });
      let settled = false;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        const err = r.signal?.aborted ? r.signal.reason ?? e : wrapNetError(e, what);
        if (req.reusedSocket && !r.signal?.aborted && (e as { code?: string }).code === 'ECONNRESET') {
          (err as { reusedSocket?: boolean }).reusedSocket = true;
        }
        reject(err);
      };
      if (timeout > 0) {
        req.setTimeout(timeout, () => req.destroy(new TimeoutError(`${what}: no answer within ${timeout} ms`)));
      }
      req.on('error', fail);
      req.on('response', res => {
        const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
        if (streaming && ok) {
          settled = true;
          req.setTimeout(0);
          resolve({ res });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          if (settled) return;
          settled = true;
          const body = Buffer.concat(chunks);
          if (streaming) reject(errorFromStatus(res.statusCode ?? 0, decodeBody(body)));
          else resolve({ res, body });
        });
      });
      req.end(payload);
    });
  }
}

/** Connections that are in-memory pairs; the server's end goes to `accept`. */
function memoryConnect(accept: (serverEnd: Duplex) => void): () => Duplex {
  return () => {
    const [client, server] = MemorySocket.pair();
    accept(server);
    return client;
  };
}

/** A keep-alive agent whose connections `connect` makes (in memory, or to another thread). */
function inProcessAgent(maxSockets: number, connect: () => Duplex): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  agent.createConnection = () => connect() as unknown as Socket;
  return agent;
}

function decodeBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  try { return JSON.parse(text); } catch { return text; }
}

function wrapNetError(e: unknown, what: string): unknown {
  if (e instanceof TimeoutError || (e as { code?: string })?.code?.startsWith?.('KL_')) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new ConnectionError(`${what}: ${msg}`, undefined, { cause: e });
}
