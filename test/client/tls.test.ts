/** The client over HTTPS as components use it: kubeconfig with client certificates, bearer tokens, CA checks. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UnauthorizedError } from '../../src/api/errors.js';
import { ApiServer, Authenticator, ensurePki, writeKubeconfig, type Pki } from '../../src/apiserver/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { Client, ConnectionError } from '../../src/client/index.js';

const NAMESPACES = { apiVersion: 'v1', kind: 'Namespace' };

describe('Client over TLS', () => {
  let dir: string;
  let pki: Pki;
  let store: SqliteStore;
  let api: ApiServer;
  const clients: Client[] = [];
  const track = (c: Client) => { clients.push(c); return c; };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubeling-client-tls-'));
    pki = await ensurePki(join(dir, 'tls'));
    store = await openSqliteStore(join(dir, 'db.sqlite'), { compactInterval: 0 });
    const authenticator = new Authenticator();
    authenticator.addToken('good-token', { username: 'robot', groups: ['system:masters'] });
    api = new ApiServer({ store, port: 0, host: '127.0.0.1', tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert }, authenticator });
    await api.listen();
    api.setReady(true);
    writeKubeconfig(join(dir, 'kubeconfig.yaml'), api.url, pki);
  });
  after(async () => {
    for (const c of clients) c.close();
    await api.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('authenticates with the client certificate from the kubeconfig, for requests and watches', async () => {
    const c = track(Client.fromKubeconfig(join(dir, 'kubeconfig.yaml'), { component: 'tls-test' }));
    assert.equal(c.defaultNamespace, 'default');
    await c.create(NAMESPACES, { metadata: { name: 'tls-ns' } });
    const list = await c.list(NAMESPACES);
    assert.ok(list.items.some(n => n.metadata?.name === 'tls-ns'));
    const events = [];
    for await (const ev of c.watch(NAMESPACES, { timeoutSeconds: 1 })) events.push(ev.type);
    assert.ok(events.includes('ADDED'));
  });

  it('authenticates with a bearer token; rejects missing credentials with UnauthorizedError', async () => {
    const withToken = track(new Client({ url: api.url, ca: pki.caCert, token: 'good-token' }));
    await withToken.get(NAMESPACES, 'tls-ns');
    const anonymous = track(new Client({ url: api.url, ca: pki.caCert }));
    await assert.rejects(anonymous.get(NAMESPACES, 'tls-ns'), UnauthorizedError);
  });

  it('refuses a server whose certificate the configured CA did not sign', async () => {
    const otherCa = (await ensurePki(join(dir, 'other-tls'))).caCert;
    const c = track(new Client({ url: api.url, ca: otherCa, token: 'good-token' }));
    await assert.rejects(c.get(NAMESPACES, 'tls-ns'), ConnectionError);
  });
});
