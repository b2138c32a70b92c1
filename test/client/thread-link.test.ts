/**
 * ThreadLink: HTTP connections between threads multiplexed over one MessagePort (what
 * `kubeling server`'s control-plane thread uses to reach the API server). Here both ends
 * live in one thread, which a MessageChannel delivers to the same way: requests and answers
 * on many connections at once with what each opener sent along, bodies far beyond the
 * flow-control window (the writer waits for acknowledgements; nothing lost or reordered),
 * EOF in both directions, a destroyed end failing the peer's writes with EPIPE, and a
 * closed link resetting every connection.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { ThreadLink, type LinkSocket } from '../../src/client/thread-link.js';

function link(): [ThreadLink, ThreadLink] {
  const { port1, port2 } = new MessageChannel();
  return [new ThreadLink(port1, true), new ThreadLink(port2, false)];
}

/** A connection's two ends once the other side has accepted it. */
async function pair(): Promise<{ a: LinkSocket; b: LinkSocket; links: [ThreadLink, ThreadLink] }> {
  const links = link();
  const accepted = new Promise<LinkSocket>(r => { links[1].onConnection = s => r(s); });
  const a = links[0].connect();
  return { a, b: await accepted, links };
}

describe('ThreadLink', () => {
  let server: Server;
  let client: ThreadLink;
  const accepted: unknown[] = [];
  before(() => {
    server = createServer((req, res) => {
      const h = createHash('sha256');
      let n = 0;
      req.on('data', (c: Buffer) => { h.update(c); n += c.length; });
      req.on('end', () => {
        if (req.url === '/big') {
          // 12 MiB answer in 64 KiB writes: three times the window.
          res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
          let i = 0;
          const more = () => {
            while (i < 192) {
              if (!res.write(Buffer.alloc(65_536, i++ & 255))) { res.once('drain', more); return; }
            }
            res.end();
          };
          more();
          return;
        }
        res.end(JSON.stringify({ bytes: n, sha: h.digest('hex'), url: req.url }));
      });
    });
    const [c, s] = link();
    client = c;
    s.onConnection = (sock, info) => { accepted.push(info); server.emit('connection', sock); };
  });
  after(() => { client.close(); server.close(); });

  const send = (path: string, body?: Buffer) => new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    const req = request({ host: 'x', path, method: body ? 'POST' : 'GET', createConnection: () => client.connect({ user: path }) as never });
    req.on('response', res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });

  it('carries requests and answers on many connections at once, each opened with what its opener sent', async () => {
    const paths = Array.from({ length: 20 }, (_, i) => `/hello/${i}`);
    const rs = await Promise.all(paths.map(p => send(p)));
    for (const [i, r] of rs.entries()) {
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(String(r.body)), { bytes: 0, sha: createHash('sha256').digest('hex'), url: paths[i] });
    }
    for (const p of paths) assert.ok(accepted.some(a => (a as { user: string }).user === p), p);
  });

  it('carries bodies beyond the flow-control window intact, both ways', async () => {
    const up = Buffer.alloc(9 << 20);
    for (let i = 0; i < up.length; i += 4096) up.writeUInt32BE(i, i);
    const r = await send('/upload', up);
    assert.equal(JSON.parse(String(r.body)).sha, createHash('sha256').update(up).digest('hex'));
    const down = await send('/big');
    assert.equal(down.body.length, 192 * 65_536);
    for (let i = 0; i < 192; i++) assert.equal(down.body[i * 65_536 + 100], i & 255, `chunk ${i}`);
  });

  it('ending one side delivers what was written, then end, to the other; both then close', async () => {
    const { a, b, links } = await pair();
    const got: Buffer[] = [];
    const closed = Promise.all([a, b].map(s => new Promise(r => s.once('close', r))));
    b.on('data', (c: Buffer) => got.push(c));
    a.resume();
    a.write('one ');
    a.end('two');
    await new Promise<void>(r => b.once('end', r));
    assert.equal(Buffer.concat(got).toString(), 'one two');
    await closed;
    links[0].close();
  });

  it('a destroyed end: the peer reads what was sent, then its writes fail with EPIPE', async () => {
    const { a, b, links } = await pair();
    a.write('last words');
    a.destroy();
    await new Promise(r => b.once('readable', r));
    assert.equal(String(b.read()), 'last words');
    const err = await new Promise<NodeJS.ErrnoException>(resolve => {
      b.once('error', resolve);
      b.write('anyone?', e => { if (e) resolve(e as NodeJS.ErrnoException); });
    });
    assert.equal(err.code, 'EPIPE');
    links[0].close();
  });

  it('closing the link resets every connection on both sides', async () => {
    const { a, b, links } = await pair();
    const ends = Promise.all([a, b].map(s => new Promise(r => { s.resume(); s.once('end', r); })));
    links[0].close();
    await ends;
    assert.ok(links[0].closed && links[1].closed);
  });
});
