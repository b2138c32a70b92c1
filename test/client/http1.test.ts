/**
 * The request pool (http1.ts) against raw TCP servers that answer byte by byte as scripted:
 * every way an HTTP/1.1 answer may be framed or split, keep-alive reuse and its limits,
 * and connections that close, stall or get aborted.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Http1Pool, type Http1Request } from '../../src/client/http1.js';
import { connect } from 'node:net';

/** What the server does with each request's bytes on a connection (the request head and body as text). */
type Answer = (req: string, sock: Socket, n: number) => void;

let answer: Answer = (_r, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
let server: Server;
let port = 0;
/** Connections the server accepted, in order. */
const accepted: Socket[] = [];

before(async () => {
  server = createServer(sock => {
    accepted.push(sock);
    let buf = '';
    let n = 0;
    sock.on('data', c => {
      buf += c.toString('latin1');
      // One request = head + Content-Length bytes of body.
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const req = buf.slice(0, end + 4 + len);
        buf = buf.slice(end + 4 + len);
        answer(req, sock, n++);
      }
    });
    sock.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
after(() => { for (const s of accepted) s.destroy(); server.close(); });

const pool = (max = 4) => new Http1Pool(() => connect({ host: '127.0.0.1', port }), max);
const req = (o: Partial<Http1Request> = {}): Http1Request => ({
  method: 'GET', head: 'GET /x HTTP/1.1\r\nHost: h\r\n\r\n', timeoutMs: 0, timeoutError: () => new Error('timed out'), ...o,
});
const text = (b: Buffer) => b.toString('utf8');

describe('Http1Pool', () => {
  it('reads Content-Length, chunked (with extensions and trailers) and until-close bodies, split anywhere', async () => {
    const p = pool();
    const bodies: Record<string, string> = {
      length: 'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"äb"}',
      chunked: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nabcd\r\n0a\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n',
      close: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end',
    };
    for (const [kind, raw] of Object.entries(bodies)) {
      const bytes = Buffer.from(raw, 'utf8');
      for (const step of [1, 3, 7, bytes.length]) {
        answer = (_r, s) => {
          let at = 0;
          const next = () => {
            if (at >= bytes.length) { if (kind === 'close') s.end(); return; }
            s.write(bytes.subarray(at, at + step));
            at += step;
            setImmediate(next);
          };
          next();
        };
        const res = await p.request(req());
        const want = kind === 'length' ? '{"a":"äb"}' : kind === 'chunked' ? 'abcd0123456789' : 'until the end';
        assert.equal(text(res.body), want, `${kind} in steps of ${step}`);
        assert.equal(res.status, kind === 'length' ? 201 : 200);
        if (kind === 'length') assert.equal(res.headers['content-type'], 'application/json');
      }
    }
    p.destroy();
  });

  it('skips 1xx interim answers; HEAD, 204 and 304 answers have no body whatever they announce', async () => {
    const p = pool(1);
    answer = (_r, s) => s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx');
    assert.equal(text((await p.request(req())).body), 'x');
    answer = (_r, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n');
    assert.equal((await p.request(req({ method: 'HEAD', head: 'HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n' }))).body.length, 0);
    answer = (_r, s) => s.write('HTTP/1.1 204 No Content\r\n\r\n');
    assert.equal((await p.request(req())).status, 204);
    // All on one connection: each answer ended where the next began.
    answer = (_r, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    assert.equal(text((await p.request(req())).body), 'ok');
    p.destroy();
  });

  it('reuses a kept-alive connection, sends head and body in one write, and never opens more than maxSockets', async () => {
    const p = pool(2);
    const before = accepted.length;
    const got: string[] = [];
    answer = (r, s) => { got.push(r); setTimeout(() => s.write(Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${r.length}\r\n\r\n${r}`, 'latin1')), 5); };
    const body = JSON.stringify({ kind: 'Binding', name: 'ü' });
    const head = `POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const all = await Promise.all(Array.from({ length: 10 }, () => p.request(req({ method: 'POST', head, body }))));
    assert.equal(accepted.length - before, 2);
    for (const r of all) assert.equal(text(r.body), head + body);
    assert.equal(got.length, 10);
    p.destroy();
  });

  it('drops a connection the answer says to close, and one the server closed while idle', async () => {
    const p = pool(1);
    const before = accepted.length;
    answer = (_r, s) => s.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na');
    await p.request(req());
    answer = (_r, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb');
    assert.equal(text((await p.request(req())).body), 'b');
    assert.equal(accepted.length - before, 2);
    accepted.at(-1)!.end(); // the server's keep-alive timeout
    await new Promise(r => setTimeout(r, 50));
    assert.equal(text((await p.request(req())).body), 'b');
    assert.equal(accepted.length - before, 3);
    p.destroy();
  });

  it('a reused connection closed before any answer fails with reusedSocket (safe to resend); a fresh one does not', async () => {
    const p = pool(1);
    answer = (_r, s, n) => { if (n === 0) s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); else s.destroy(); };
    await p.request(req());
    await assert.rejects(p.request(req()), (e: Error & { code?: string; reusedSocket?: boolean }) => e.code === 'ECONNRESET' && e.reusedSocket === true);
    answer = (_r, s) => s.destroy();
    await assert.rejects(p.request(req()), (e: Error & { reusedSocket?: boolean }) => e.reusedSocket === undefined);
    // A connection that broke mid-answer is not retried either.
    answer = (_r, s) => { s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'); setTimeout(() => s.destroy(), 5); };
    await assert.rejects(p.request(req()), (e: Error & { code?: string; reusedSocket?: boolean }) => e.code === 'ECONNRESET' && !e.reusedSocket);
    p.destroy();
  });

  it('times out a stalled answer, aborts on a signal (also while waiting for a connection), and serves the next request', async () => {
    const p = pool(1);
    answer = () => {};
    await assert.rejects(p.request(req({ timeoutMs: 30 })), /timed out/);
    const ac = new AbortController();
    const first = p.request(req({ signal: ac.signal }));
    const queued = new AbortController();
    const second = p.request(req({ signal: queued.signal }));
    queued.abort(new Error('stop waiting'));
    await assert.rejects(second, /stop waiting/);
    ac.abort(new Error('stop'));
    await assert.rejects(first, /stop/);
    answer = (_r, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    assert.equal(text((await p.request(req())).body), 'ok');
    p.destroy();
  });

  it('refuses a malformed answer and a refused connection with an error', async () => {
    const p = pool(1);
    answer = (_r, s) => s.write('NOT HTTP\r\n\r\n');
    await assert.rejects(p.request(req()), (e: Error & { code?: string }) => e.code === 'HPE_INVALID_CONSTANT');
    answer = (_r, s) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    await assert.rejects(p.request(req()), (e: Error & { code?: string }) => e.code === 'HPE_INVALID_CHUNK_SIZE');
    p.destroy();
    const gone = createServer();
    gone.listen(0, '127.0.0.1');
    await once(gone, 'listening');
    const dead = (gone.address() as AddressInfo).port;
    gone.close();
    const q = new Http1Pool(() => connect({ host: '127.0.0.1', port: dead }), 1);
    await assert.rejects(q.request(req()), (e: Error & { code?: string }) => e.code === 'ECONNREFUSED');
  });
});
