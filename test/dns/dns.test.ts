/**
 * Cluster DNS against a real API server: the kube-dns Service on the 10th address,
 * answers for services, headless endpoints, SRV, StatefulSet pod names, pod records and
 * ExternalName (chased upstream), forwarding to a fake upstream on loopback, NXDOMAIN
 * with the SOA, TCP, and answers following cache changes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/client/index.js';
import { EndpointSliceController } from '../../src/controllers/index-c.js';
import { ClusterDns, RCODE, TYPE, registerKubeDns } from '../../src/dns/index.js';
import { SLICE, SVC, createNamespace, runPod, startEnv, waitFor, type Env } from '../services/env.js';
import { FakeUpstream, ips, tcpQuery, udpQuery } from './helpers.js';

describe('cluster dns', () => {
  let env: Env;
  let dns: ClusterDns;
  let up: FakeUpstream;
  let port = 0;
  const ns = 'dns-test';
  const q = (name: string, type: number = TYPE.A) => udpQuery('127.0.0.1', port, name, type);

  before(async () => {
    up = await new FakeUpstream().start();
    env = await startEnv(ctx => {
      dns = new ClusterDns({
        client: ctx.client, informers: ctx.informers, nodeName: 'node-a', serviceCidr: '10.43.0.0/16', clusterCidr: '10.42.0.0/16',
        host: '127.0.0.1', upstreams: [{ host: '127.0.0.1', port: up.port }], logger: silentLogger, recheckMs: 200,
      });
      return [new EndpointSliceController({ client: ctx.client, informers: ctx.informers, logger: silentLogger }).start(), dns];
    });
    port = (await dns.start()).port;
    await dns.ready();
    const c = env.client;
    await createNamespace(c, ns);
    await c.create(SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } });
    await c.create(SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: ns }, spec: { selector: { app: 'db' }, clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } });
    await c.create(SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: ns }, spec: { type: 'ExternalName', externalName: 'www.example.test' } });
    await runPod(c, ns, 'db-0', '10.42.0.30', true, { labels: { app: 'db' }, hostname: 'db-0', subdomain: 'db' });
    await runPod(c, ns, 'db-1', '10.42.0.31', true, { labels: { app: 'db' }, hostname: 'db-1', subdomain: 'db' });
    await waitFor('db endpoints', async () => ips(await q(`db.${ns}.svc.cluster.local`)).length === 2);
  });
  after(async () => { await env?.stop(); await up?.stop(); });

  it('registers kube-dns on the 10th address of the service range, pointing here', async () => {
    const svc = await env.client.get(SVC, 'kube-dns', { namespace: 'kube-system' });
    assert.equal(svc.spec.clusterIP, '10.43.0.10');
    assert.deepEqual(svc.spec.ports.map((p: { port: number; protocol: string }) => `${p.port}/${p.protocol}`), ['53/UDP', '53/TCP']);
    const slices = (await env.client.list(SLICE, { namespace: 'kube-system', labelSelector: 'kubernetes.io/service-name=kube-dns' })).items;
    assert.deepEqual(slices[0].endpoints, [{ addresses: ['127.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-a' }]);
    assert.equal((slices[0].ports as Array<{ port: number }>)[0].port, port);
    assert.deepEqual(ips(await q('kube-dns.kube-system.svc.cluster.local')), ['10.43.0.10']);
  });

  it('puts its kube-dns endpoint back when someone deletes it', async () => {
    await env.client.delete(SLICE, 'kube-dns-node-a', { namespace: 'kube-system' });
    await waitFor('slice re-registered', async () => (await env.client.list(SLICE, { namespace: 'kube-system', labelSelector: 'kubernetes.io/service-name=kube-dns' })).items.length === 1);
  });

  it('answers service, headless, StatefulSet pod and pod names', async () => {
    const web = await env.client.get(SVC, 'web', { namespace: ns });
    const r = await q(`web.${ns}.svc.cluster.local`);
    assert.equal(r.aa, true);
    assert.deepEqual(ips(r), [web.spec.clusterIP]);
    assert.deepEqual(ips(await q(`db.${ns}.svc.cluster.local`)), ['10.42.0.30', '10.42.0.31']);
    assert.deepEqual(ips(await q(`db-1.db.${ns}.svc.cluster.local`)), ['10.42.0.31']);
    assert.deepEqual(ips(await q(`10-42-0-30.${ns}.pod.cluster.local`)), ['10.42.0.30']);
    const srv = await q(`_pg._tcp.db.${ns}.svc.cluster.local`, TYPE.SRV);
    assert.deepEqual(srv.answers.map(a => (a.data.type === 33 ? `${a.data.port} ${a.data.target}` : '')).sort(),
      [`5432 db-0.db.${ns}.svc.cluster.local`, `5432 db-1.db.${ns}.svc.cluster.local`]);
    assert.equal(srv.additional.length, 2);
  });

  it('answers ExternalName with a CNAME and the target’s address from upstream', async () => {
    const r = await q(`ext.${ns}.svc.cluster.local`);
    assert.equal(r.answers[0].data.type, TYPE.CNAME);
    assert.deepEqual(ips(r), ['192.0.2.124']);
  });

  it('forwards other names upstream, over UDP and TCP', async () => {
    up.queries = [];
    assert.deepEqual(ips(await q('example.test')), ['192.0.2.123']);
    assert.deepEqual(ips(await tcpQuery('127.0.0.1', port, 'example.test', TYPE.A)), ['192.0.2.123']);
    assert.equal((await q('nothing.test')).rcode, RCODE.NXDOMAIN);
    assert.deepEqual(up.queries, ['example.test', 'example.test', 'nothing.test']);
  });

  it('answers NXDOMAIN with the SOA for missing cluster names, without asking upstream', async () => {
    up.queries = [];
    const r = await q(`nope.${ns}.svc.cluster.local`);
    assert.equal(r.rcode, RCODE.NXDOMAIN);
    assert.equal(r.authority[0].data.type, TYPE.SOA);
    assert.equal(r.authority[0].name, 'cluster.local');
    assert.deepEqual(up.queries, []);
    const t = await tcpQuery('127.0.0.1', port, `web.${ns}.svc.cluster.local`, TYPE.AAAA);
    assert.equal(t.rcode, RCODE.NOERROR);
    assert.equal(t.answers.length, 0);
  });

  it('follows the caches: a new ready pod shows up, a deleted service disappears', async () => {
    await runPod(env.client, ns, 'db-2', '10.42.0.32', true, { labels: { app: 'db' }, hostname: 'db-2', subdomain: 'db' });
    await waitFor('db-2 in answers', async () => ips(await q(`db.${ns}.svc.cluster.local`)).length === 3);
    await env.client.delete(SVC, 'web', { namespace: ns });
    await waitFor('web gone', async () => (await q(`web.${ns}.svc.cluster.local`)).rcode === RCODE.NXDOMAIN);
  });

  it('a changed --cluster-dns address makes kube-dns anew on it (a cluster IP is immutable)', async () => {
    const before = await env.client.get(SVC, 'kube-dns', { namespace: 'kube-system' });
    // The Endpoints copy refuses a loopback address (as upstream validation does); Service and slice come first.
    const loopbackEndpoints = (e: Error) => assert.match(e.message, /loopback/);
    await registerKubeDns(env.client, { clusterIP: '10.43.0.53', host: '127.0.0.1', port, nodeName: 'node-a' }).catch(loopbackEndpoints);
    const now = await env.client.get(SVC, 'kube-dns', { namespace: 'kube-system' });
    assert.equal(now.spec.clusterIP, '10.43.0.53');
    assert.notEqual(now.metadata?.uid, before.metadata?.uid);
    await registerKubeDns(env.client, { clusterIP: '10.43.0.10', host: '127.0.0.1', port, nodeName: 'node-a' }).catch(loopbackEndpoints);
    assert.equal((await env.client.get(SVC, 'kube-dns', { namespace: 'kube-system' })).spec.clusterIP, '10.43.0.10');
  });
});
