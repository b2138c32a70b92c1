/**
 * Real packets through the proxy's rules: cluster IPs from the node and from pods,
 * hairpin, node ports and load-balancer IPs (node address and 127.0.0.1), services
 * without endpoints, readiness, session affinity, internal traffic policy and UDP.
 */
import { after, before, describe, it } from 'node:test';
import { needsRoot } from './netns.js';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { SVC, waitFor } from '../services/env.js';
import { ourRules, seenEndpoints, startWorld, type World } from './setup.js';

const names = (answers: string[]) => new Set(answers.map(a => a.split(' ')[0]));

describe('proxy traffic', { skip: needsRoot }, () => {
  let w: World;
  const svcIP: Record<string, string> = {};
  const nodePort: Record<string, number> = {};
  before(async () => {
    w = await startWorld(4);
    for (let i = 0; i < 3; i++) await w.pod(i, { app: 'web' });
    await w.pod(3, { app: 'solo' });
    const mk = async (name: string, spec: Record<string, unknown>) => {
      const s = await w.service(name, spec);
      svcIP[name] = s.spec.clusterIP;
      nodePort[name] = s.spec.ports[0].nodePort;
    };
    await mk('web', { selector: { app: 'web' }, type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 'web' }] });
    await mk('solo', { selector: { app: 'solo' }, ports: [{ port: 81, targetPort: 8080 }] });
    await mk('empty', { selector: { app: 'none' }, type: 'NodePort', ports: [{ port: 82, targetPort: 8080 }] });
    await mk('lb', { selector: { app: 'web' }, type: 'LoadBalancer', ports: [{ port: 8081, targetPort: 8080 }] });
    await mk('sticky', { selector: { app: 'web' }, sessionAffinity: 'ClientIP', ports: [{ port: 83, targetPort: 8080 }] });
    await mk('udp', { selector: { app: 'web' }, ports: [{ port: 84, targetPort: 8080, protocol: 'UDP' }] });
    await w.synced('web endpoints', () => seenEndpoints(w, 'web').length === 3 && seenEndpoints(w, 'udp').length === 3
      && seenEndpoints(w, 'solo').length === 1 && seenEndpoints(w, 'sticky').length === 3);
  });
  after(async () => { await w?.stop(); });

  it('spreads cluster IP connections over every ready endpoint, from the node and from a pod', async () => {
    const fromNode = await w.net.get(`http://${svcIP.web}/`, 60);
    assert.deepEqual([...names(fromNode)].sort(), ['pod-0', 'pod-1', 'pod-2']);
    const fromPod = await w.net.get(`http://${svcIP.web}/`, 30, 3);
    assert.deepEqual([...names(fromPod)].sort(), ['pod-0', 'pod-1', 'pod-2']);
    // Pod-to-pod through a service keeps the client's address.
    assert.ok(fromPod.every(a => a.endsWith(` ${w.net.pods[3].ip}`)), fromPod[0]);
  });

  it('lets a pod reach itself through its service (hairpin)', async () => {
    const answers = await w.net.get(`http://${svcIP.solo}:81/`, 3, 3);
    assert.deepEqual(answers.map(a => a.split(' ')[0]), ['pod-3', 'pod-3', 'pod-3']);
    // Masqueraded: the reply must not look like it came from the pod itself.
    assert.ok(answers.every(a => !a.endsWith(` ${w.net.pods[3].ip}`)), answers[0]);
  });

  it('serves node ports on the node address and 127.0.0.1', async () => {
    for (const host of [w.nodeIP, '127.0.0.1']) {
      const answers = await w.net.get(`http://${host}:${nodePort.web}/`, 30);
      assert.deepEqual([...names(answers)].sort(), ['pod-0', 'pod-1', 'pod-2'], host);
    }
    const fromPod = await w.net.get(`http://${w.nodeIP}:${nodePort.web}/`, 5, 3);
    assert.ok(fromPod.every(a => a.startsWith('pod-')), fromPod[0]);
  });

  it('publishes the node address as load-balancer ingress and serves it', async () => {
    const svc = await waitFor('lb ingress', async () => {
      const s = await w.env.client.get(SVC, 'lb', { namespace: w.ns });
      return s.status?.loadBalancer?.ingress?.length ? s : undefined;
    });
    assert.deepEqual(svc.status.loadBalancer.ingress, [{ ip: w.nodeIP, ipMode: 'VIP' }]);
    await w.synced('lb ingress in cache', () => w.proxy.caches.services.some(s => s.metadata?.name === 'lb' && s.status?.loadBalancer?.ingress?.length));
    for (const host of [w.nodeIP, '127.0.0.1']) {
      const answers = await w.net.get(`http://${host}:8081/`, 10);
      assert.ok(answers.every(a => a.startsWith('pod-')), `${host}: ${answers[0]}`);
    }
  });

  it('rejects at once when a service has no endpoints, and for unknown VIPs', async () => {
    const base = svcIP.empty.split('.').slice(0, 3).join('.');
    for (const url of [`http://${svcIP.empty}:82/`, `http://127.0.0.1:${nodePort.empty}/`, `http://${base}.250:80/`]) {
      const t0 = Date.now();
      const [fromNode] = await w.net.get(url);
      assert.match(fromNode, /^ERR (ECONNREFUSED|EHOSTUNREACH)/, url);
      assert.ok(Date.now() - t0 < 1500, `${url} took ${Date.now() - t0} ms`);
      const [fromPod] = await w.net.get(url.replace('127.0.0.1', w.nodeIP), 1, 0);
      assert.match(fromPod, /^ERR (ECONNREFUSED|EHOSTUNREACH)/, `${url} from a pod`);
    }
  });

  it('sticks a client to one endpoint with ClientIP affinity', async () => {
    const answers = await w.net.get(`http://${svcIP.sticky}:83/`, 20);
    assert.equal(names(answers).size, 1, answers.join(','));
  });

  it('proxies UDP', async () => {
    const sock = dgram.createSocket('udp4');
    try {
      const got = new Set<string>();
      sock.on('message', m => got.add(m.toString().split(' ')[0]));
      await waitFor('udp answers', async () => {
        // A fresh source port per datagram: each is a new conntrack flow, balanced anew.
        const s = dgram.createSocket('udp4');
        s.on('message', m => got.add(m.toString().split(' ')[0]));
        s.send('hi', 84, svcIP.udp);
        await new Promise(r => setTimeout(r, 30));
        s.close();
        return got.size === 3;
      }, 10_000, 1);
    } finally { sock.close(); }
  });

  it('stops sending to a pod that turns unready, and resumes when it is ready again', async () => {
    await w.setReady(2, false);
    await w.synced('pod-2 unready', () => seenEndpoints(w, 'web').includes(`${w.net.pods[2].ip} false`));
    assert.ok(!names(await w.net.get(`http://${svcIP.web}/`, 30)).has('pod-2'));
    await w.setReady(2, true);
    await w.synced('pod-2 ready', () => seenEndpoints(w, 'web').includes(`${w.net.pods[2].ip} true`));
    assert.ok(names(await w.net.get(`http://${svcIP.web}/`, 40)).has('pod-2'));
  });

  it('keeps internalTrafficPolicy Local traffic on this node', async () => {
    // pod-1 and pod-2 claim another node: only pod-0 is local.
    for (const i of [1, 2]) {
      await w.env.client.delete({ apiVersion: 'v1', kind: 'Pod' }, w.net.pods[i].name, { namespace: w.ns, gracePeriodSeconds: 0 });
    }
    for (const i of [1, 2]) await w.pod(i, { app: 'web' }, { nodeName: 'node-b' });
    await w.env.client.patch(SVC, 'web', { spec: { internalTrafficPolicy: 'Local' } }, { namespace: w.ns });
    const onB = () => w.proxy.caches.slices.filter(s => s.metadata?.labels?.['kubernetes.io/service-name'] === 'web')
      .flatMap(s => (s.endpoints ?? []) as Array<{ nodeName?: string }>).filter(e => e.nodeName === 'node-b').length;
    await w.synced('itp local', () => w.proxy.caches.services.some(s => s.metadata?.name === 'web' && s.spec?.internalTrafficPolicy === 'Local')
      && onB() === 2);
    const got = await w.net.get(`http://${svcIP.web}/`, 20);
    assert.deepEqual([...names(got)], ['pod-0'], (await ourRules(w.prefix)).join('\n'));
  });
});
