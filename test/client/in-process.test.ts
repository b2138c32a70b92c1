/**
 * In-process connections (what `kubeling server`'s own components use): the unchanged
 * Client over an in-memory connection to an API server in the same process, served as the
 * user the server attached; remote HTTPS clients cannot claim such a user; watches,
 * informers, big bodies and upgrades work over it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { UnauthorizedError } from '../../src/api/errors.js';
import { ApiServer, ensurePki, writeKubeconfig, type Pki, type UserInfo } from '../../src/apiserver/index.js';
import { MemorySocket } from '../../src/client/memory-socket.js';
import { Client, SharedInformerFactory, silentLogger, type KubeObject } from '../../src/client/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
const NS = { apiVersion: 'v1', kind: 'Namespace' };
const REVIEW = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
const SCHEDULER: UserInfo = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
const NODE: UserInfo = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

async function whoami(c: Client): Promise<UserInfo> {
  const r = await c.create<KubeObject & { status: { userInfo: UserInfo } }>(REVIEW, { apiVersion: REVIEW.apiVersion, kind: REVIEW.kind, metadata: {} } as never);
  return r.status.userInfo;
}

/** apiserver_registered_watchers for ConfigMaps, from the server's /metrics text. */
function configMapWatchers(api: ApiServer): number {
  const line = api.metrics.render().split('\n').find(l => l.startsWith('apiserver_registered_watchers{') && l.includes('kind="ConfigMap"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 20));
  }
}

describe('in-process connections to the API server', () => {
  let dir: string;
  let pki: Pki;
  let store: SqliteStore;
  let api: ApiServer;
  let kubeconfig: string;
  const clients: Client[] = [];
  const track = (c: Client) => { clients.push(c); return c; };
  const inProcess = (user: UserInfo, component = 'in-process-test') =>
    track(new Client({ url: api.url, component, inProcess: conn => api.acceptInProcess(conn, user) }));
  /** Every request the server authenticated: its path and the user it got. */
  const seen: Array<{ url: string; user?: string }> = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubeling-in-process-'));
    pki = await ensurePki(join(dir, 'tls'));
    store = await openSqliteStore(join(dir, 'db.sqlite'), { compactInterval: 0 });
    api = new ApiServer({ store, port: 0, host: '127.0.0.1', tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert } });
    const auth = api.authenticator;
    const authenticate = auth.authenticate.bind(auth);
    auth.authenticate = req => {
      const u = authenticate(req);
      seen.push({ url: req.url ?? '', user: u?.username });
      return u;
    };
    await api.listen();
    api.setReady(true);
    kubeconfig = join(dir, 'kubeconfig.yaml');
    writeKubeconfig(kubeconfig, api.url, pki);
    await track(Client.fromKubeconfig(kubeconfig)).create(NS, { metadata: { name: 'default' } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await api.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves each connection as the user the server attached, whatever the connections are reused for', async () => {
    const sched = inProcess(SCHEDULER, 'kube-scheduler');
    const node = inProcess(NODE, 'kubelet');
    // Interleaved on kept-alive connections: each client stays its own user.
    const who = await Promise.all([...Array(6)].flatMap(() => [whoami(sched), whoami(node)]));
    for (let i = 0; i < who.length; i++) {
      const want = i % 2 === 0 ? SCHEDULER : NODE;
      assert.equal(who[i]!.username, want.username);
      assert.deepEqual(who[i]!.groups, want.groups);
    }
    // Ordinary verbs work and are authenticated as that user.
    const before = seen.length;
    await sched.create(CM, { metadata: { name: 'by-scheduler', namespace: 'default' }, data: { a: '1' } });
    const got = await sched.get(CM, 'by-scheduler', { namespace: 'default' });
    assert.equal((got as { data?: Record<string, string> }).data?.a, '1');
    const mine = seen.slice(before).filter(s => s.url.includes('by-scheduler') || s.url.endsWith('/configmaps'));
    assert.ok(mine.length >= 2);
    assert.ok(mine.every(s => s.user === SCHEDULER.username), JSON.stringify(mine));
  });

  it('a token in the config is not sent in process: the connection alone names the user', async () => {
    const c = track(new Client({ url: api.url, token: 'anything', inProcess: conn => api.acceptInProcess(conn, SCHEDULER) }));
    assert.equal((await whoami(c)).username, SCHEDULER.username);
  });

  it('a remote HTTPS client cannot claim an in-process user', async () => {
    const claim = {
      'User-Agent': 'kube-scheduler/v1.32.4 (linux/amd64) kubernetes/abc', 'Impersonate-User': SCHEDULER.username,
      'X-Remote-User': SCHEDULER.username, 'X-Remote-Group': 'system:masters',
    };
    // Without credentials: 401, whatever it says about itself.
    const anonymous = track(new Client({ url: api.url, ca: pki.caCert }));
    await assert.rejects(anonymous.requestJson({ method: 'GET', path: '/api/v1/namespaces/default/configmaps', headers: claim }), UnauthorizedError);
    // With the admin certificate: the admin, never the claimed user.
    const admin = track(Client.fromKubeconfig(kubeconfig));
    const r = await admin.request({
      method: 'POST', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', headers: claim,
      body: { apiVersion: REVIEW.apiVersion, kind: REVIEW.kind },
    });
    assert.equal(r.status, 201);
    assert.equal(JSON.parse(r.body.toString()).status.userInfo.username, 'kubeling-admin');
    // The plain-HTTP server in-process connections use is not listening anywhere: the only port is TLS.
    const plain = await new Promise<number | string>(resolve => {
      const req = request(api.url.replace('https:', 'http:') + '/api/v1/namespaces', res => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', e => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
      req.end();
    });
    assert.notEqual(plain, 200);
    // And a TLS connection is never taken for an in-process one, even from the same process.
    const raw = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(`${api.url}/api/v1/namespaces`, { ca: pki.caCert, headers: claim }, res => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    assert.equal(raw, 401);
  });

  it('watches: events in order, resume from a resourceVersion, end on timeoutSeconds and on stop()', async () => {
    const c = inProcess(SCHEDULER);
    const first = await c.create(CM, { metadata: { name: 'w1', namespace: 'default' } });
    const rv = first.metadata!.resourceVersion!;
    await c.create(CM, { metadata: { name: 'w2', namespace: 'default' } });
    await c.create(CM, { metadata: { name: 'w3', namespace: 'default' } });
    // Resumed from w1's version: only what came after, and the server ends it after 1 s.
    const names: string[] = [];
    for await (const ev of c.watch(CM, { namespace: 'default', resourceVersion: rv, timeoutSeconds: 1 })) {
      names.push(`${ev.type} ${ev.object.metadata?.name}`);
    }
    assert.deepEqual(names, ['ADDED w2', 'ADDED w3']);
    // stop() ends a live watch on both ends: the server drops its watcher.
    await until('no watchers left', () => configMapWatchers(api) === 0);
    const w = c.watch(CM, { namespace: 'default', resourceVersion: rv });
    const got: string[] = [];
    const done = w.forEach(ev => { got.push(ev.object.metadata!.name!); if (got.length === 3) w.stop(); });
    await until('a registered watcher', () => configMapWatchers(api) === 1);
    await c.create(CM, { metadata: { name: 'w4', namespace: 'default' } });
    await done;
    assert.deepEqual(got, ['w2', 'w3', 'w4']);
    await until('the server to drop the stopped watch', () => configMapWatchers(api) === 0);
  });

  it('informers list, then keep following across watches the server ends', async () => {
    const c = inProcess(SCHEDULER);
    const writer = inProcess(NODE);
    const factory = new SharedInformerFactory(c, { logger: silentLogger, minWatchTimeoutSeconds: 1 });
    const inf = factory.informerFor(CM, { namespace: 'default' });
    const from = seen.length;
    factory.start();
    try {
      assert.equal(await factory.waitForSync(), true);
      // Writes spread over several 1–2 s watch periods: every one must reach the cache.
      for (let i = 0; i < 6; i++) {
        await writer.create(CM, { metadata: { name: `inf-${i}`, namespace: 'default' } });
        await new Promise(r => setTimeout(r, 700));
      }
      await until('all writes in the cache', () => [0, 1, 2, 3, 4, 5].every(i => inf.getByName(`inf-${i}`, 'default')));
      const reqs = seen.slice(from).filter(s => s.user === SCHEDULER.username && s.url.includes('/configmaps'));
      const lists = reqs.filter(s => !s.url.includes('watch=')).length;
      const watches = reqs.filter(s => s.url.includes('watch=')).map(s => new URL(s.url, 'http://x').searchParams.get('resourceVersion'));
      assert.equal(lists, 1, 'one list, then only watches');
      assert.ok(watches.length >= 2, `resumed watches: ${JSON.stringify(watches)}`);
      assert.ok(watches.every(v => v && v !== '0'), 'every watch resumes from a version');
    } finally {
      factory.stop();
    }
  });

  it('large bodies cross intact both ways (backpressure)', async () => {
    const c = inProcess(SCHEDULER);
    const big = 'x'.repeat(900_000);
    await Promise.all([0, 1, 2, 3, 4].map(i => c.create(CM, { metadata: { name: `big-${i}`, namespace: 'default' }, data: { v: `${i}${big}` } })));
    const list = await c.list(CM, { namespace: 'default', labelSelector: '' });
    const bigs = list.items.filter(o => o.metadata!.name!.startsWith('big-')) as Array<KubeObject & { data: { v: string } }>;
    assert.equal(bigs.length, 5);
    for (const o of bigs) assert.equal(o.data.v, `${o.metadata!.name!.slice(4)}${big}`);
  });

  it('upgrades (exec, attach, portforward) reach their handler as the connection\'s user', async () => {
    let user: UserInfo | undefined;
    api.upgrades.set('exec', async ctx => {
      user = ctx.user;
      ctx.socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n');
      ctx.socket.pipe(ctx.socket);
      await new Promise(r => ctx.socket.once('close', r));
    });
    try {
      const echoed = await new Promise<string>((resolve, reject) => {
        const req = request(`${api.url.replace('https:', 'http:')}/api/v1/namespaces/default/pods/p/exec?command=sh`, {
          headers: { Connection: 'Upgrade', Upgrade: 'test' },
          createConnection: () => {
            const [client, server] = MemorySocket.pair();
            api.acceptInProcess(server as Duplex, NODE);
            return client as never;
          },
        });
        req.on('upgrade', (_res: IncomingMessage, socket: Duplex) => {
          socket.once('data', d => { resolve(String(d)); socket.destroy(); });
          socket.write('ping');
        });
        req.on('response', res => reject(new Error(`no upgrade: ${res.statusCode}`)));
        req.on('error', reject);
        req.end();
      });
      assert.equal(echoed, 'ping');
      assert.equal(user?.username, NODE.username);
    } finally {
      api.upgrades.delete('exec');
    }
  });

  it('closing the server ends open in-process watches', async () => {
    const dir2 = await mkdtemp(join(tmpdir(), 'kubeling-in-process-close-'));
    const store2 = await openSqliteStore(join(dir2, 'db.sqlite'), { compactInterval: 0 });
    const api2 = new ApiServer({ store: store2, port: 0, host: '127.0.0.1', tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert } });
    await api2.listen();
    const c = track(new Client({ url: api2.url, inProcess: conn => api2.acceptInProcess(conn, SCHEDULER) }));
    try {
      await c.create(NS, { metadata: { name: 'default' } });
      const w = c.watch(NS, {});
      let n = 0;
      const ended = w.forEach(() => { n++; }).then(() => 'ended', e => `failed: ${(e as Error).message}`);
      await until('the watch to start', () => n > 0);
      await api2.close();
      const outcome = await ended;
      // A server going away breaks the stream (the reflector then resumes); it must not hang.
      assert.ok(outcome === 'ended' || outcome.startsWith('failed'), outcome);
    } finally {
      await api2.close().catch(() => {});
      await store2.close();
      await rm(dir2, { recursive: true, force: true });
    }
  });
});
