/**
 * HTTP(S) to the API server: JSON requests that throw kubeling errors and raw requests
 * for subresources over a pool of keep-alive connections (http1.ts), and streaming
 * responses for watches and logs through Node's http client.
 * In `kubeling server` the connections may be in-memory ones to the API server of the
 * same process (config `inProcess`): the same HTTP, without TLS or the kernel.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import { TimeoutError } from '../api/errors.js';
import type { ClientConfig } from './config.js';
import { ConnectionError, errorFromStatus } from './errors.js';
import { Http1Pool } from './http1.js';
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
  /** Requests share a bounded pool of keep-alive connections (bursts queue, not thousands of sockets). */
  readonly #pool: Http1Pool;
  /** Streams (watches, logs) hold a socket each for long: their own pool, so they never starve requests or wait for them. */
  readonly #streamAgent: http.Agent;
  readonly #mod: typeof http | typeof https;
  readonly #headers: Record<string, string>;
  /** The same headers as head lines, for the request pool (Host first, as Node writes it). */
  readonly #headLines: string;
  readonly #headError?: string;
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
    const { hostname, port } = this.#target;
    const servername = cfg.tlsServerName ?? (isIP(hostname) ? undefined : hostname);
    const connect = inProcess ?? (tls
      ? () => tlsConnect({ host: hostname, port: Number(port), secureContext, rejectUnauthorized: !cfg.insecureSkipTLSVerify, servername })
      : () => netConnect({ host: hostname, port: Number(port) }));
    this.#pool = new Http1Pool(connect, cfg.maxConnections ?? 64);
    this.#streamAgent = agent(Infinity);
    this.#headers = {
      'User-Agent': userAgent(cfg),
    };
    // In process, the connection itself names the user.
    if (cfg.token && !inProcess) this.#headers.Authorization = `Bearer ${cfg.token}`;
    const lines = [`Host: ${this.#base.host}`, ...Object.entries(this.#headers).map(([k, v]) => `${k}: ${v}`)];
    // A bad value (a token read with a newline) fails each request, as Node's client would.
    this.#headLines = lines.map(l => `${l}\r\n`).join('');
    this.#headError = lines.some(l => INVALID_HEADER.test(l)) ? 'Invalid character in a configured header' : undefined;
    this.#timeoutMs = cfg.timeoutMs ?? 60_000;
  }

  get baseUrl(): string { return this.#origin; }

  /** Sends the request and reads the whole answer, whatever its status. */
  async request(r: RawRequest): Promise<RawResponse> {
    try {
      return await this.#request(r);
    } catch (e) {
      // A keep-alive connection the server closed just as we reused it: safe to send again once.
      if ((e as { reusedSocket?: boolean }).reusedSocket) return this.#request(r);
      throw e;
    }
  }

  async #request(r: RawRequest): Promise<RawResponse> {
    if (this.#headError) throw Object.assign(new TypeError(this.#headError), { code: 'ERR_INVALID_CHAR' });
    let body: string | Buffer | undefined;
    let head = `${r.method} ${checkPath(r.path + queryString(r.query))} HTTP/1.1\r\n${this.#headLines}Accept: ${r.accept === undefined ? JSON_TYPE : checkValue(r.accept)}\r\n`;
    if (r.headers) for (const k in r.headers) head += `${checkValue(k)}: ${checkValue(r.headers[k]!)}\r\n`;
    if (r.body !== undefined) {
      body = Buffer.isBuffer(r.body) ? r.body : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      head += `Content-Type: ${r.contentType === undefined ? JSON_TYPE : checkValue(r.contentType)}\r\nContent-Length: ${typeof body === 'string' ? Buffer.byteLength(body) : body.length}\r\n`;
    } else if (r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH') {
      head += 'Content-Length: 0\r\n'; // as Node sends for a body-less write
    }
    head += '\r\n';
    const what = `${r.method} ${r.path}`;
    const timeout = r.timeoutMs ?? this.#timeoutMs;
    try {
      const res = await this.#pool.request({
        method: r.method, head, body, timeoutMs: timeout, signal: r.signal,
        timeoutError: () => new TimeoutError(`${what}: no answer within ${timeout} ms`),
      });
      return { status: res.status, headers: res.headers as http.IncomingHttpHeaders, body: res.body };
    } catch (e) {
      if (r.signal?.aborted) throw r.signal.reason ?? e;
      const err = wrapNetError(e, what);
      if ((e as { reusedSocket?: boolean }).reusedSocket) (err as { reusedSocket?: boolean }).reusedSocket = true;
      throw err;
    }
  }

  /** Sends the request; 2xx → the decoded JSON body, otherwise the matching kubeling error. */
  async json<T>(r: RawRequest): Promise<T> {
    // Accept defaults to JSON (#request).
    const out = await this.request(r);
    const decoded = decodeBody(out.body);
    if (out.status < 200 || out.status > 299) throw errorFromStatus(out.status, decoded);
    return decoded as T;
  }

  /** Like json() for a caller that never reads a success's answer: only an error's body is decoded. */
  async send(r: RawRequest): Promise<void> {
    const out = await this.request(r);
    if (out.status < 200 || out.status > 299) throw errorFromStatus(out.status, decodeBody(out.body));
  }

  /**
   * Opens a streaming answer (watch, logs). Resolves once a 2xx status line arrived;
   * destroying the returned response ends the request. Non-2xx answers throw.
   */
  async stream(r: RawRequest): Promise<http.IncomingMessage> {
    try {
      return await this.#stream({ accept: 'application/json', ...r });
    } catch (e) {
      // A keep-alive socket the server closed just as we reused it: safe to send again once.
      if ((e as { reusedSocket?: boolean }).reusedSocket) return this.#stream({ accept: 'application/json', ...r });
      throw e;
    }
  }

  /** Closes idle sockets; open streams end when their owners stop them. */
  close(): void {
    this.#pool.destroy();
    this.#streamAgent.destroy();
  }

  /** A streaming request through Node's http client: the answer is read as it comes. */
  #stream(r: RawRequest): Promise<http.IncomingMessage> {
    let payload: Buffer | undefined;
    const headers: Record<string, string> = { ...this.#headers, Accept: r.accept ?? 'application/json', ...r.headers };
    if (r.body !== undefined) {
      payload = Buffer.isBuffer(r.body) ? r.body : Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      headers['Content-Type'] = r.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const path = r.path + queryString(r.query);
    const what = `${r.method} ${r.path}`;
    // The timeout bounds the wait for the status line only; the stream itself may idle.
    const timeout = r.timeoutMs ?? this.#timeoutMs;
    return new Promise((resolve, reject) => {
      const req = this.#mod.request({ ...this.#target, path, method: r.method, headers, agent: this.#streamAgent, signal: r.signal });
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
        if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) {
          settled = true;
          req.setTimeout(0);
          resolve(res);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          if (settled) return;
          settled = true;
          reject(errorFromStatus(res.statusCode ?? 0, decodeBody(Buffer.concat(chunks))));
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

/** Node's checks on what goes into a request head (it throws ERR_UNESCAPED_CHARACTERS, ERR_INVALID_CHAR). */
const JSON_TYPE = 'application/json';
const INVALID_PATH = /[^\u0021-\u00ff]/;
const INVALID_HEADER = /[^\t\x20-\x7e\x80-\xff]/;

function checkPath(path: string): string {
  if (INVALID_PATH.test(path)) throw Object.assign(new TypeError('Request path contains unescaped characters'), { code: 'ERR_UNESCAPED_CHARACTERS' });
  return path;
}

function checkValue(v: string): string {
  if (INVALID_HEADER.test(v)) throw Object.assign(new TypeError(`Invalid character in header content ${JSON.stringify(v)}`), { code: 'ERR_INVALID_CHAR' });
  return v;
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
