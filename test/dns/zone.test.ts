/** The cluster zone as a pure function over a fake view: a table of questions and answers. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { ClusterZone, RCODE, TYPE, encodeResponse, parseQuery, encodeQuery, parseResponse, type ClusterView, type Response } from '../../src/dns/index.js';

const svc = (ns: string, name: string, spec: Record<string, unknown>): KubeObject => ({ metadata: { namespace: ns, name }, spec });
const services = [
  svc('default', 'web', { clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
  svc('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
  svc('default', 'ext', { type: 'ExternalName', externalName: 'Example.COM.' }),
];
const slices: Record<string, KubeObject[]> = {
  'default/db': [{
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.42.0.5'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.42.0.6'], hostname: 'db-1', conditions: { ready: true } },
      { addresses: ['10.42.0.7'], conditions: { ready: true } },
      { addresses: ['10.42.0.8'], hostname: 'db-3', conditions: { ready: false } },
    ],
  }],
};
const pods: KubeObject[] = [
  { metadata: { namespace: 'default', name: 'db-0' }, spec: { hostname: 'db-0', subdomain: 'db' }, status: { podIP: '10.42.0.5' } },
  { metadata: { namespace: 'other', name: 'x' }, spec: {}, status: { podIP: '10.42.0.9' } },
];
const view: ClusterView = {
  service: (ns, n) => services.find(s => s.metadata!.namespace === ns && s.metadata!.name === n),
  namespaceHasServices: ns => services.some(s => s.metadata!.namespace === ns),
  slices: (ns, n) => slices[`${ns}/${n}`] ?? [],
  podByIP: ip => pods.filter(p => p.status.podIP === ip),
  serviceByIP: ip => services.find(s => s.spec.clusterIP === ip),
};
const zone = new ClusterZone(view, { domain: 'cluster.local', ttl: 5, reverseCidrs: ['10.43.0.0/16', '10.42.0.0/16'], dnsIP: '10.43.0.10' });

const ask = (name: string, type: number): Response | undefined => zone.answer({ name, type, class: 1 });
const data = (r: Response | undefined) => r?.answers.map(a => {
  const d = a.data as unknown as Record<string, unknown>;
  return d.ip ?? d.target ?? `${d.port} ${d.target}`;
});
const srv = (r: Response | undefined) => r?.answers.map(a => (a.data.type === 33 ? `${a.data.port} ${a.data.target}` : '?')).sort();

describe('cluster zone', () => {
  it('answers a service A record with its cluster IP', () => {
    const r = ask('web.default.svc.cluster.local', TYPE.A);
    assert.equal(r?.rcode, RCODE.NOERROR);
    assert.equal(r?.aa, true);
    assert.deepEqual(data(r), ['10.43.0.20']);
    assert.equal(r?.answers[0].ttl, 5);
  });

  it('answers NODATA with the SOA for a type the name lacks', () => {
    const r = ask('web.default.svc.cluster.local', TYPE.AAAA);
    assert.equal(r?.rcode, RCODE.NOERROR);
    assert.equal(r?.answers.length, 0);
    assert.equal(r?.authority[0].data.type, TYPE.SOA);
  });

  it('answers NXDOMAIN with the SOA for unknown names', () => {
    for (const n of ['nope.default.svc.cluster.local', 'web.nope.svc.cluster.local', 'a.b.c.d.e.svc.cluster.local', 'foo.cluster.local']) {
      const r = ask(n, TYPE.A);
      assert.equal(r?.rcode, RCODE.NXDOMAIN, n);
      const soa = r!.authority[0];
      assert.equal(soa.name, 'cluster.local');
      assert.ok(soa.data.type === 6 && soa.data.mname === 'ns.dns.cluster.local' && soa.data.minimum === 5);
    }
  });

  it('returns every ready endpoint of a headless service', () => {
    assert.deepEqual(data(ask('db.default.svc.cluster.local', TYPE.A))?.sort(), ['10.42.0.5', '10.42.0.6', '10.42.0.7']);
  });

  it('names StatefulSet pods by hostname and others by dashed IP', () => {
    assert.deepEqual(data(ask('db-1.db.default.svc.cluster.local', TYPE.A)), ['10.42.0.6']);
    assert.deepEqual(data(ask('10-42-0-7.db.default.svc.cluster.local', TYPE.A)), ['10.42.0.7']);
    assert.equal(ask('db-3.db.default.svc.cluster.local', TYPE.A)?.rcode, RCODE.NXDOMAIN, 'not ready');
  });

  it('answers SRV for named ports: the service for cluster IPs, each endpoint for headless', () => {
    const r = ask('_http._tcp.web.default.svc.cluster.local', TYPE.SRV);
    assert.deepEqual(srv(r), ['80 web.default.svc.cluster.local']);
    assert.deepEqual(r?.additional.map(a => [a.name, (a.data as { ip: string }).ip]), [['web.default.svc.cluster.local', '10.43.0.20']]);
    assert.deepEqual(srv(ask('_dns._udp.web.default.svc.cluster.local', TYPE.SRV)), ['53 web.default.svc.cluster.local']);
    assert.equal(ask('_dns._tcp.web.default.svc.cluster.local', TYPE.SRV)?.rcode, RCODE.NXDOMAIN);
    assert.deepEqual(srv(ask('_pg._tcp.db.default.svc.cluster.local', TYPE.SRV)), [
      '5432 10-42-0-7.db.default.svc.cluster.local', '5432 db-0.db.default.svc.cluster.local', '5432 db-1.db.default.svc.cluster.local']);
    assert.deepEqual(srv(ask('web.default.svc.cluster.local', TYPE.SRV)), ['53 web.default.svc.cluster.local', '80 web.default.svc.cluster.local']);
  });

  it('answers ExternalName with a CNAME', () => {
    const r = ask('ext.default.svc.cluster.local', TYPE.A);
    assert.deepEqual(r?.answers.map(a => [a.data.type, (a.data as { target: string }).target]), [[TYPE.CNAME, 'example.com']]);
  });

  it('answers pod records only for IPs a pod in that namespace has', () => {
    assert.deepEqual(data(ask('10-42-0-5.default.pod.cluster.local', TYPE.A)), ['10.42.0.5']);
    assert.equal(ask('10-42-0-9.default.pod.cluster.local', TYPE.A)?.rcode, RCODE.NXDOMAIN);
    assert.deepEqual(data(ask('10-42-0-9.other.pod.cluster.local', TYPE.A)), ['10.42.0.9']);
    assert.equal(ask('bogus.default.pod.cluster.local', TYPE.A)?.rcode, RCODE.NXDOMAIN);
  });

  it('answers reverse lookups inside the cluster ranges and leaves others alone', () => {
    assert.deepEqual(data(ask('20.0.43.10.in-addr.arpa', TYPE.PTR)), ['web.default.svc.cluster.local']);
    assert.deepEqual(data(ask('5.0.42.10.in-addr.arpa', TYPE.PTR)), ['db-0.db.default.svc.cluster.local']);
    assert.equal(ask('99.0.43.10.in-addr.arpa', TYPE.PTR)?.rcode, RCODE.NXDOMAIN);
    assert.equal(ask('1.1.168.192.in-addr.arpa', TYPE.PTR), undefined);
  });

  it('leaves names outside the zone to the forwarder', () => {
    assert.equal(ask('example.com', TYPE.A), undefined);
    assert.equal(ask('cluster.local.example.com', TYPE.A), undefined);
  });

  it('answers SOA and NS at the apex', () => {
    assert.equal(ask('cluster.local', TYPE.SOA)?.answers[0].data.type, TYPE.SOA);
    assert.deepEqual(data(ask('cluster.local', TYPE.NS)), ['ns.dns.cluster.local']);
  });

  it('round-trips through the wire format, truncating over UDP limits', () => {
    const q = parseQuery(encodeQuery(4242, 'DB.default.svc.cluster.local', TYPE.A));
    assert.equal(q.question?.name, 'db.default.svc.cluster.local');
    const r = ask(q.question!.name, TYPE.A)!;
    const back = parseResponse(encodeResponse(q, r));
    assert.equal(back.id, 4242);
    assert.equal(back.aa, true);
    assert.deepEqual(back.answers.map(a => (a.data as { ip: string }).ip).sort(), ['10.42.0.5', '10.42.0.6', '10.42.0.7']);
    const many: Response = { ...r, answers: Array.from({ length: 40 }, (_, i) => ({ name: q.question!.name, ttl: 5, data: { type: 1 as const, ip: `10.0.0.${i}` } })) };
    const cut = parseResponse(encodeResponse(q, many, 512));
    assert.equal(cut.tc, true);
    assert.equal(cut.answers.length, 0);
  });
});
