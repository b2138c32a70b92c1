/** The REST client against a scripted HTTP server: addressing, headers, errors, watch parsing. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConflictError, GoneError, InvalidError, NotFoundError } from '../../src/api/errors.js';
import { findResource } from '../../src/api/resources.js';
import { Client, ConnectionError, loadKubeconfig } from '../../src/client/index.js';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: string }
type Script = (req: Seen, res: ServerResponse) => void;

const PODS = findResource('', 'v1', 'pods')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const NODES = findResource('', 'v1', 'nodes')!;

let script: Script = (_q, res) => res.end('{}');
const seen: Seen[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', c => { body += c; });
  req.on('end', () => {
    const s = { method: req.method!, url: req.url!, headers: req.headers, body };
    seen.push(s);
    script(s, res);
  });
});
let client: Client;

const json = (res: ServerResponse, code: number, v: unknown) => {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(v));
};
const status = (code: number, reason: string, message: string) =>
  ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

before(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  client = new Client({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'tok', component: 'test', namespace: 'dflt' });
});
after(() => { client.close(); server.closeAllConnections(); server.close(); });

describe('Client requests', () => {
  it('addresses core, group and cluster-scoped resources with the right verbs and queries', async () => {
    script = (_q, res) => json(res, 200, { metadata: {}, items: [] });
    seen.length = 0;
    await client.get(PODS, 'p 1', { namespace: 'ns' });
    await client.get(PODS, 'p2');
    await client.list(DEPLOYMENTS, { labelSelector: 'app=x', limit: 5, continue: 'tok' });
    await client.get(NODES, 'n1', { namespace: 'ignored' });
    await client.create({ apiVersion: 'apps/v1', kind: 'Deployment' }, { metadata: { name: 'd', namespace: 'prod' } });
    await client.updateStatus(PODS, { metadata: { name: 'p', namespace: 'ns', resourceVersion: '7' } });
    await client.patch(PODS, 'p', { spec: {} }, { namespace: 'ns', type: 'apply', fieldManager: 'me', force: true });
    await client.delete(PODS, 'p', { namespace: 'ns', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u' } });
    await client.subresource(PODS, 'p', 'binding', { namespace: 'ns', method: 'POST', body: { target: { name: 'n1' } } });
    assert.deepEqual(seen.map(s => `${s.method} ${s.url}`), [
      'GET /api/v1/namespaces/ns/pods/p%201',
      'GET /api/v1/namespaces/dflt/pods/p2',
      'GET /apis/apps/v1/deployments?labelSelector=app%3Dx&limit=5&continue=tok',
      'GET /api/v1/nodes/n1',
      'POST /apis/apps/v1/namespaces/prod/deployments',
      'PUT /api/v1/namespaces/ns/pods/p/status',
      'PATCH /api/v1/namespaces/ns/pods/p?fieldManager=me&force=true',
      'DELETE /api/v1/namespaces/ns/pods/p',
      'POST /api/v1/namespaces/ns/pods/p/binding',
    ]);
    assert.equal(seen[6].headers['content-type'], 'application/apply-patch+yaml');
    assert.deepEqual(JSON.parse(seen[7].body), {
      kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u' },
    });
    assert.equal(seen[0].headers['user-agent'], `test/v0.1.0 (${process.platform}/${process.arch}) kubeling`);
    assert.equal(seen[0].headers.authorization, 'Bearer tok');
  });

  it('names the program first in the User-Agent (the default field manager); parts only extend it', async () => {
    script = (_q, res) => json(res, 200, { metadata: {} });
    const base = new Client({ url: client.config.url });
    const cm = base.withComponent('kube-controller-manager');
    const rs = cm.withComponent('replicaset-controller');
    const sent: string[] = [];
    for (const c of [base, cm, cm.withComponent('kube-controller-manager'), rs, rs.withComponent('pods')]) {
      seen.length = 0;
      await c.get(PODS, 'p', { namespace: 'ns' });
      sent.push(String(seen[0].headers['user-agent']).replace(` (${process.platform}/${process.arch})`, ''));
      c.close();
    }
    assert.deepEqual(sent, [
      'kubeling/v0.1.0 kubeling',
      'kube-controller-manager/v0.1.0 kubeling',
      'kube-controller-manager/v0.1.0 kubeling',
      'kube-controller-manager/v0.1.0 kubeling/replicaset-controller',
      'kube-controller-manager/v0.1.0 kubeling/replicaset-controller/pods',
    ]);
  });

  it('throws the kubeling error class named by the Status reason, with its message', async () => {
    const cases: Array<[number, unknown, new (...a: never[]) => Error, string]> = [
      [404, status(404, 'NotFound', 'pods "x" not found'), NotFoundError, 'pods "x" not found'],
      [409, status(409, 'Conflict', 'the object has been modified'), ConflictError, 'the object has been modified'],
      [422, status(422, 'Invalid', 'The Pod "x" is invalid'), InvalidError, 'The Pod "x" is invalid'],
      [410, status(410, 'Expired', 'too old'), GoneError, 'too old'],
      [404, 'plain text not found', NotFoundError, 'plain text not found'],
    ];
    for (const [code, body, cls, msg] of cases) {
      script = (_q, res) => (typeof body === 'string' ? (res.writeHead(code), res.end(body)) : json(res, code, body));
      await assert.rejects(client.get(PODS, 'x'), (e: Error) => e instanceof cls && e.message === msg);
    }
  });

  it('writes without a result send what create/subresource send, resolve to nothing, and throw the same errors', async () => {
    script = (_q, res) => json(res, 201, { kind: 'Event', metadata: { name: 'e' } });
    seen.length = 0;
    assert.equal(await client.createWithoutResult({ apiVersion: 'v1', kind: 'Event' }, { metadata: { name: 'e', namespace: 'ns' } }), undefined);
    assert.equal(await client.subresourceWithoutResult(PODS, 'p', 'binding', { namespace: 'ns', body: { target: { name: 'n1' } } }), undefined);
    assert.deepEqual(seen.map(s => `${s.method} ${s.url} ${s.body}`), [
      'POST /api/v1/namespaces/ns/events {"metadata":{"name":"e","namespace":"ns"}}',
      'POST /api/v1/namespaces/ns/pods/p/binding {"target":{"name":"n1"}}',
    ]);
    script = (_q, res) => json(res, 409, status(409, 'Conflict', 'pod p is already assigned to node n0'));
    await assert.rejects(client.subresourceWithoutResult(PODS, 'p', 'binding', { namespace: 'ns', body: {} }), (e: Error) => e instanceof ConflictError && /already assigned/.test(e.message));
    script = (_q, res) => json(res, 409, status(409, 'AlreadyExists', 'events "e" already exists'));
    await assert.rejects(client.createWithoutResult({ apiVersion: 'v1', kind: 'Event' }, { metadata: { name: 'e', namespace: 'ns' } }), /already exists/);
  });

  it('reports an unreachable server as a ConnectionError', async () => {
    const dead = new Client({ url: 'http://127.0.0.1:1' });
    await assert.rejects(dead.get(PODS, 'x'), ConnectionError);
    dead.close();
  });
});

describe('Client.watch', () => {
  it('parses lines split across chunks, with bookmarks, and ends when the server closes', async () => {
    script = (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const text = [
        { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '2' } } },
        { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '3' } } },
        { type: 'DELETED', object: { metadata: { name: 'a', resourceVersion: '4' } } },
      ].map(e => JSON.stringify(e) + '\n').join('');
      let i = 0;
      const tick = () => { if (i >= text.length) { res.end(); return; } res.write(text.slice(i, i += 7)); setImmediate(tick); };
      tick();
    };
    const evs = [];
    for await (const ev of client.watch(PODS, { namespace: 'ns', resourceVersion: '1', allowWatchBookmarks: true })) evs.push(ev);
    assert.deepEqual(evs.map(e => `${e.type} ${e.object.metadata?.resourceVersion}`), ['ADDED 2', 'BOOKMARK 3', 'DELETED 4']);
    assert.equal(seen.at(-1)!.url, '/api/v1/namespaces/ns/pods?resourceVersion=1&allowWatchBookmarks=true&watch=true');
  });

  it('throws GoneError for a 410 ERROR event and for a 410 answer', async () => {
    script = (_q, res) => {
      res.writeHead(200);
      res.end(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 1 (5)') }) + '\n');
    };
    await assert.rejects(client.watch(PODS, { resourceVersion: '1' }).forEach(() => {}), GoneError);
    script = (_q, res) => json(res, 410, status(410, 'Expired', 'gone'));
    await assert.rejects(client.watch(PODS, { resourceVersion: '1' }).forEach(() => {}), GoneError);
  });

  it('stop() ends an idle stream cleanly and closes the connection', async () => {
    let closed = false;
    script = (_q, res) => {
      res.writeHead(200);
      res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } }) + '\n');
      res.on('close', () => { closed = true; });
    };
    const w = client.watch(PODS);
    const got: string[] = [];
    const done = w.forEach(ev => { got.push(ev.type); setTimeout(() => w.stop(), 20); });
    await done;
    assert.deepEqual(got, ['ADDED']);
    await new Promise(r => setTimeout(r, 50));
    assert.equal(closed, true);
  });

  it('a broken connection is a ConnectionError', async () => {
    script = (_q, res) => { res.writeHead(200); res.write('{"type":"ADDED","object":{}}\n'); setTimeout(() => res.socket?.destroy(), 20); };
    await assert.rejects(client.watch(PODS).forEach(() => {}), ConnectionError);
  });
});

describe('WatchStream.each (events of a chunk handed over synchronously)', () => {
  it('delivers lines split across chunks in order, and a last line without a newline', async () => {
    script = (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const text = [2, 3, 4, 5].map(rv => JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: String(rv) } } })).join('\n');
      let i = 0;
      const tick = () => { if (i >= text.length) { res.end(); return; } res.write(text.slice(i, i += 11)); setImmediate(tick); };
      tick();
    };
    const rvs: string[] = [];
    await client.watch(PODS).each(ev => { rvs.push(ev.object.metadata!.resourceVersion!); });
    assert.deepEqual(rvs, ['2', '3', '4', '5']);
  });

  it('throws GoneError for a 410 ERROR event, ConnectionError for a broken connection, and what the callback throws', async () => {
    script = (_q, res) => {
      res.writeHead(200);
      res.end(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 1 (5)') }) + '\n');
    };
    await assert.rejects(client.watch(PODS, { resourceVersion: '1' }).each(() => {}), GoneError);
    script = (_q, res) => { res.writeHead(200); res.write('{"type":"ADDED","object":{}}\n'); setTimeout(() => res.socket?.destroy(), 20); };
    await assert.rejects(client.watch(PODS).each(() => {}), ConnectionError);
    let closed = false;
    script = (_q, res) => { res.writeHead(200); res.write('{"type":"ADDED","object":{}}\n'); res.on('close', () => { closed = true; }); };
    await assert.rejects(client.watch(PODS).each(() => { throw new Error('handler failed'); }), /handler failed/);
    await new Promise(r => setTimeout(r, 50));
    assert.equal(closed, true, 'the connection is closed when the callback throws');
  });

  it('stop() from inside the callback ends the stream after that event', async () => {
    script = (_q, res) => {
      res.writeHead(200);
      res.write(['a', 'b', 'c'].map(n => JSON.stringify({ type: 'ADDED', object: { metadata: { name: n } } })).join('\n') + '\n');
    };
    const w = client.watch(PODS);
    const got: string[] = [];
    await w.each(ev => { got.push(ev.object.metadata!.name!); if (got.length === 2) w.stop(); });
    assert.deepEqual(got, ['a', 'b']);
  });
});

describe('loadKubeconfig', () => {
  it('reads server, CA, client cert/key data, token file and context namespace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeling-kc-'));
    try {
      writeFileSync(join(dir, 'token'), 'secret-token\n');
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      writeFileSync(join(dir, 'config'), `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: { server: "https://10.0.0.1:6443", certificate-authority-data: ${b64('CA')} }
users:
- name: u1
  user: { client-certificate-data: ${b64('CERT')}, client-key-data: ${b64('KEY')} }
- name: u2
  user: { tokenFile: token }
contexts:
- name: one
  context: { cluster: c1, user: u1, namespace: team }
- name: two
  context: { cluster: c1, user: u2 }
current-context: one
`);
      const one = loadKubeconfig(join(dir, 'config'));
      assert.equal(one.url, 'https://10.0.0.1:6443');
      assert.equal(String(one.ca), 'CA');
      assert.equal(String(one.cert), 'CERT');
      assert.equal(String(one.key), 'KEY');
      assert.equal(one.namespace, 'team');
      const two = loadKubeconfig(join(dir, 'config'), 'two');
      assert.equal(two.token, 'secret-token');
      assert.throws(() => loadKubeconfig(join(dir, 'config'), 'nope'), /context "nope" not found/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
