/**
 * A lean HTTP/1.1-over-TLS keep-alive client for load benchmarks: one request in flight
 * per connection, the request head and body sent in one write, the response read whole
 * (status line, headers, then a Content-Length or chunked body). It exists because the
 * bench's clients share the 2 cores with the server: node:https spends several times
 * more CPU per request, which the server then lacks. It is still a real client: real TLS
 * with the admin certificate, real JSON bodies, every response byte read and parsed.
 */
import { connect, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface LeanResponse { status: number; body: string }

const CRLF2 = Buffer.from('\r\n\r\n');

/** One keep-alive connection; requests on it are sent one after another. */
class Connection {
  #sock: TLSSocket;
  #buf: Buffer = Buffer.alloc(0);
  #want?: { resolve(r: LeanResponse): void; reject(e: Error): void };
  #error?: Error;

  constructor(sock: TLSSocket) {
    this.#sock = sock;
    sock.on('data', (c: Buffer) => { this.#buf = this.#buf.length ? Buffer.concat([this.#buf, c]) : c; this.#parse(); });
    const fail = (e: Error) => { this.#error = e; this.#want?.reject(e); this.#want = undefined; };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed')));
  }

  send(head: string, body: string): Promise<LeanResponse> {
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#want = { resolve, reject };
      this.#sock.write(head + body);
    });
  }

  close(): void { this.#sock.destroy(); }

  /** Answers the waiting request once its whole response is in the buffer. */
  #parse(): void {
    const b = this.#buf;
    const end = b.indexOf(CRLF2);
    if (end < 0 || !this.#want) return;
    const head = b.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const lines = head.split('\r\n');
    let length = -1;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i].toLowerCase();
      if (l.startsWith('content-length:')) length = Number(l.slice(15).trim());
      else if (l.startsWith('transfer-encoding:') && l.includes('chunked')) chunked = true;
    }
    const start = end + 4;
    let body: string;
    let used: number;
    if (chunked) {
      const parts: Buffer[] = [];
      let p = start;
      for (;;) {
        const le = b.indexOf('\r\n', p);
        if (le < 0) return;
        const size = parseInt(b.toString('latin1', p, le), 16);
        if (b.length < le + 2 + size + 2) return;
        if (size === 0) { used = le + 4; break; }
        parts.push(b.subarray(le + 2, le + 2 + size));
        p = le + 2 + size + 2;
      }
      body = Buffer.concat(parts).toString('utf8');
    } else {
      if (length < 0) { this.#want.reject(new Error(`response without a length: ${head}`)); this.#want = undefined; return; }
      if (b.length < start + length) return;
      body = b.toString('utf8', start, start + length);
      used = start + length;
    }
    this.#buf = b.subarray(used);
    const w = this.#want;
    this.#want = undefined;
    w.resolve({ status, body });
  }
}

export interface LeanClient {
  /** Sends `method path` with a JSON body on connection `conn` (0 … connections-1). */
  request(conn: number, method: string, path: string, json?: string): Promise<LeanResponse>;
  close(): void;
}

/** Opens `connections` TLS connections with the kubeconfig's server, CA and client certificate. */
export async function leanClientFromKubeconfig(file: string, connections: number): Promise<LeanClient> {
  const kc = parse(readFileSync(file, 'utf8'));
  const cl = kc.clusters[0].cluster;
  const u = kc.users[0].user;
  const b64 = (s: string) => Buffer.from(s, 'base64');
  const url = new URL(cl.server);
  const host = url.host;
  const conns = await Promise.all(Array.from({ length: connections }, () => new Promise<Connection>((resolve, reject) => {
    const s = connect({
      host: url.hostname, port: Number(url.port), servername: url.hostname === '127.0.0.1' ? undefined : url.hostname,
      ca: b64(cl['certificate-authority-data']), cert: b64(u['client-certificate-data']), key: b64(u['client-key-data']),
    }, () => resolve(new Connection(s)));
    s.once('error', reject);
  })));
  return {
    request(conn, method, path, json) {
      const body = json ?? '';
      const head = `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: kubeling-bench/1.0\r\nAccept: application/json\r\n`
        + (json === undefined ? '\r\n' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
      return conns[conn].send(head, body);
    },
    close() { for (const c of conns) c.close(); },
  };
}
