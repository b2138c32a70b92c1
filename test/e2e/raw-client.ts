/** A bare HTTPS client from a kubeconfig, for sending exactly the bytes a test wants. */
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface RawResult { status: number; body: string; headers: Record<string, string | string[] | undefined> }

export interface HttpClient {
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<RawResult>;
  stream(path: string, onLine: (line: string) => void): () => void;
  close(): void;
}

/** `anonymous` drops the client certificate (to test 401). */
export function clientFromKubeconfig(file: string, maxSockets = 16, anonymous = false): HttpClient {
  const kc = parse(readFileSync(file, 'utf8'));
  const cl = kc.clusters[0].cluster;
  const u = kc.users[0].user;
  const b = (s: string) => Buffer.from(s, 'base64');
  const url = new URL(cl.server);
  const tls = anonymous ? { ca: b(cl['certificate-authority-data']) }
    : { ca: b(cl['certificate-authority-data']), cert: b(u['client-certificate-data']), key: b(u['client-key-data']) };
  const agent = new Agent({ keepAlive: true, maxSockets, ...tls });
  return {
    req(method, path, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
        const r = request({ host: url.hostname, port: url.port, method, path, agent, headers: { 'Content-Type': 'application/json', ...headers } }, res => {
          let s = '';
          res.setEncoding('utf8');
          res.on('data', c => { s += c; });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: s, headers: res.headers }));
        });
        r.on('error', reject);
        r.end(data);
      });
    },
    stream(path, onLine) {
      const r = request({ host: url.hostname, port: url.port, method: 'GET', path, agent: new Agent(tls) }, res => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', c => {
          buf += c;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) { onLine(buf.slice(0, i)); buf = buf.slice(i + 1); }
        });
      });
      r.on('error', () => {});
      r.end();
      return () => r.destroy();
    },
    close() { agent.destroy(); },
  };
}
