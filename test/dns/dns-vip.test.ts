/**
 * DNS the way pods use it: busybox nslookup and a resolver-using client inside real
 * netns "pods", asking the kube-dns cluster IP, which the proxy sends to the DNS server
 * on the node's address; forwarding goes to a fake upstream on loopback.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/client/index.js';
import { ClusterDns, podResolvConf } from '../../src/dns/index.js';
import { execRunner } from '../../src/proxy/index.js';
import { leftovers, needsRoot } from '../proxy/netns.js';
import { ourRules, seenEndpoints, startWorld, type World } from '../proxy/setup.js';
import { FakeUpstream } from './helpers.js';

describe('cluster dns through its service IP', { skip: needsRoot }, () => {
  let w: World;
  let dns: ClusterDns;
  let up: FakeUpstream;
  let netId = '';
  const nslookup = async (i: number, args: string[]) => {
    const r = await execRunner('ip', ['netns', 'exec', w.net.pods[i].netns, 'busybox', 'nslookup', ...args]);
    return r.stdout + r.stderr;
  };

  before(async () => {
    up = await new FakeUpstream().start();
    w = await startWorld(3, { ns: 'dnsv' });
    netId = w.net.id;
    dns = new ClusterDns({
      client: w.env.client, informers: w.env.ctx.informers, nodeName: 'node-a', serviceCidr: w.serviceCidr, clusterCidr: w.net.cidr,
      host: w.nodeIP, upstreams: [{ host: '127.0.0.1', port: up.port }], logger: silentLogger,
    });
    await dns.start();
    await dns.ready();
    await w.pod(0, { app: 'web' });
    await w.pod(1, { app: 'web' });
    await w.service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    const dnsSlice = () => w.proxy.caches.slices.some(s => s.metadata?.namespace === 'kube-system' && s.metadata?.labels?.['kubernetes.io/service-name'] === 'kube-dns');
    await w.synced('dns + web endpoints', () => dnsSlice() && seenEndpoints(w, 'web').length === 2);
    const conf = podResolvConf({ namespace: 'dnsv' }, { clusterDNS: [dns.clusterIP], clusterDomain: 'cluster.local', hostResolvConf: '' });
    for (let i = 0; i < 3; i++) w.net.setResolvConf(i, conf);
  });
  after(async () => {
    await dns?.stop();
    await w?.stop();
    await up?.stop();
    assert.deepEqual(await leftovers(netId), []);
    assert.deepEqual(await ourRules(w.prefix), []);
  });

  it('busybox nslookup resolves services, pods and external names via the VIP', async () => {
    const web = await w.env.client.get({ apiVersion: 'v1', kind: 'Service' }, 'web', { namespace: 'dnsv' });
    const out = await nslookup(2, ['web.dnsv.svc.cluster.local', dns.clusterIP]);
    assert.match(out, new RegExp(`Address:\\s+${web.spec.clusterIP.replace(/\./g, '\\.')}`), out);
    const srv = await nslookup(2, ['-type=srv', '_http._tcp.web.dnsv.svc.cluster.local', dns.clusterIP]);
    assert.match(srv, /port = 80|80 web\.dnsv\.svc\.cluster\.local/, srv);
    const pod = await nslookup(2, [`${w.net.pods[0].ip.replace(/\./g, '-')}.dnsv.pod.cluster.local`, dns.clusterIP]);
    assert.match(pod, new RegExp(`Address:\\s+${w.net.pods[0].ip.replace(/\./g, '\\.')}`), pod);
    const ext = await nslookup(2, ['example.test', dns.clusterIP]);
    assert.match(ext, /Address:\s+192\.0\.2\.123/, ext);
    const missing = await nslookup(2, ['nope.dnsv.svc.cluster.local', dns.clusterIP]);
    assert.match(missing, /NXDOMAIN/, missing);
  });

  it('a pod reaches `http://web` by its short name (search path, ndots:5)', async () => {
    const answers = await w.net.get('http://web/', 20, 2);
    assert.deepEqual([...new Set(answers.map(a => a.split(' ')[0]))].sort(), ['pod-0', 'pod-1'], answers[0]);
  });

  it('answers over TCP through the VIP too', async () => {
    const helpers = new URL('./helpers.js', import.meta.url).href;
    const web = await w.env.client.get({ apiVersion: 'v1', kind: 'Service' }, 'web', { namespace: 'dnsv' });
    const out = await w.net.exec(2, [process.execPath, '--input-type=module', '-e',
      `import { tcpQuery, ips } from '${helpers}'; console.log(JSON.stringify(ips(await tcpQuery('${dns.clusterIP}', 53, 'web.dnsv.svc.cluster.local', 1))));`]);
    assert.deepEqual(JSON.parse(out), [web.spec.clusterIP]);
  });
});
